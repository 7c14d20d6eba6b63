"""Classic closed-population capture-recapture models in log-linear form.

Otis et al. (1978) named the models by the sources of variation in capture probability; Cormack
(1989) and Rivest & Lévesque (2001) wrote them as Poisson log-linear models on the observed
cells, which is how Rcapture's ``closedp.t`` fits them and how they are fitted here:

- **M0**: every list has the same capture probability; log E[n_w] = b0 + b1 * k(w), where k(w)
  is how many lists recorded pattern w.
- **Mt**: each list has its own probability, lists independent: log E[n_w] = b0 + sum_j b_j w_j.
- **Mh Chao** / **Mth Chao**: M0 / Mt plus heterogeneity between victims in the form of Chao's
  lower bound (Rivest & Lévesque 2001): extra columns (k(w) - j)_+ for j = 2..t-1. A negative
  heterogeneity parameter is not compatible with the lower-bound argument, so such columns are
  dropped and the model refitted (Rcapture's ``neg = TRUE``).
"""

from __future__ import annotations

import numpy as np

from dadkhah.estimate.loglinear import ModelFit, fit_design
from dadkhah.estimate.table import CaptureTable

__all__ = ["fit_closed_models", "CLOSED_MODELS"]

CLOSED_MODELS = ("M0", "Mt", "Mh Chao", "Mth Chao")


def _chao_columns(k: np.ndarray, t: int) -> list[np.ndarray]:
    return [np.maximum(k - j, 0).astype(float) for j in range(2, t)]


def _fit_chao(table: CaptureTable, base: np.ndarray, k: np.ndarray, name: str, interval: bool) -> ModelFit:
    from dadkhah.estimate.poisson import fit_poisson

    het = _chao_columns(k, table.t)
    keep = list(range(len(het)))
    y = table.counts[1:].astype(float)
    while True:
        X = np.column_stack([base] + [het[i] for i in keep]) if keep else base
        fit = fit_poisson(X[1:], y)
        etas = fit.beta[base.shape[1] :]
        negative = [keep[i] for i, eta in enumerate(etas) if eta < 0]
        if not negative:
            break
        keep = [i for i in keep if i not in negative]
    result = fit_design(table, X, name, interval=interval)
    dropped = len(het) - len(keep)
    if dropped:
        result.notes.append(f"{dropped} negative heterogeneity parameter(s) set to zero")
    return result


def fit_closed_models(table: CaptureTable, *, interval: bool = True) -> dict[str, ModelFit]:
    """Fit M0, Mt, Mh Chao and Mth Chao; returns ``{name: ModelFit}``."""
    if table.t < 2:
        raise ValueError("closed-population models need at least 2 lists")
    bits = table.bits.astype(float)
    k = bits.sum(axis=1)
    ones = np.ones((2**table.t, 1))
    m0 = np.column_stack([ones, k])
    mt = np.column_stack([ones, bits])
    out = {
        "M0": fit_design(table, m0, "M0", interval=interval),
        "Mt": fit_design(table, mt, "Mt", interval=interval),
    }
    if table.t >= 3:
        out["Mh Chao"] = _fit_chao(table, m0, k, "Mh Chao", interval)
        out["Mth Chao"] = _fit_chao(table, mt, k, "Mth Chao", interval)
    return out
