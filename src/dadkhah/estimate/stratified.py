"""Combining per-stratum estimates into a total.

Estimating within strata (province, gender, period...) lets capture probabilities and list
dependence differ between strata, which is often where heterogeneity lives. The total is then:

- for Bayesian methods, the posterior of the sum: draw i of the total is the sum over strata
  of draw i of each stratum (strata are estimated independently, so aligned draws are a valid
  sample from the joint posterior);
- for log-linear models, the sum of the per-stratum estimates with standard error
  sqrt(sum se^2) (strata are independent) and Chao's log-transformed interval, which cannot fall
  below the documented total.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from dadkhah.estimate.diagnostics import summarise_chains
from dadkhah.estimate.loglinear import log_interval

__all__ = ["sum_draws", "sum_normal"]


def sum_draws(draws: Sequence[np.ndarray], level: float = 0.95) -> tuple[np.ndarray, dict]:
    """Sum aligned posterior draws across strata; returns (total draws, summary).

    Each element is either ``(chains, samples)`` or a flat vector; all must have the same shape.
    """
    if not draws:
        raise ValueError("no strata to sum")
    shapes = {np.shape(d) for d in draws}
    if len(shapes) != 1:
        raise ValueError(f"posterior draws of the strata differ in shape: {sorted(shapes)}")
    total = np.sum(np.stack([np.asarray(d, dtype=float) for d in draws]), axis=0)
    return total, summarise_chains(total, level)


def sum_normal(
    documented: int, estimates: Sequence[float], ses: Sequence[float], level: float = 0.95
) -> tuple[float, float, tuple[float, float]]:
    """Sum independent point estimates: (total, se, log-transformed interval)."""
    total = float(np.sum(estimates))
    se = float(math.sqrt(np.sum(np.square(ses))))
    return total, se, log_interval(documented, total, se, level)
