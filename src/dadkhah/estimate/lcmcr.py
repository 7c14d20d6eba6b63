"""Bayesian latent-class model with a Dirichlet-process prior (Manrique-Vallier 2016).

Victims fall in latent classes; within a class the lists record independently, so dependence
between lists and heterogeneity between victims are both captured by the mixture. The number of
classes is left to the data through a truncated stick-breaking prior with K components. The
sampler is in ``lcmcr_kernel``; this module sets it up, runs several chains, and summarises:
posterior median and 2.5/97.5% quantiles of N, split R-hat, effective sample size and Monte Carlo
errors.

Defaults follow the reference package (LCMCR): K = 10, a_alpha = b_alpha = 0.25, 10,000 burn-in
sweeps, then 1,000 draws kept every 100 sweeps, in each of 3 chains.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field

import numpy as np

from dadkhah.estimate import lcmcr_kernel
from dadkhah.estimate.diagnostics import summarise_chains
from dadkhah.estimate.table import CaptureTable

__all__ = ["LcmcrSettings", "LcmcrResult", "fit_lcmcr", "chain_seeds"]


@dataclass(frozen=True)
class LcmcrSettings:
    K: int = 10
    a_alpha: float = 0.25
    b_alpha: float = 0.25
    burnin: int = 10_000
    samples: int = 1_000
    thin: int = 100
    chains: int = 3
    seed: int | None = None
    parallel: bool = True

    def validate(self) -> None:
        if self.K < 1:
            raise ValueError("K (the number of latent classes) must be at least 1")
        if self.a_alpha <= 0 or self.b_alpha <= 0:
            raise ValueError("a_alpha and b_alpha must be positive")
        if self.burnin < 0 or self.samples < 1 or self.thin < 1 or self.chains < 1:
            raise ValueError("burn-in must be >= 0 and samples, thin and chains >= 1")

    @property
    def sweeps_per_chain(self) -> int:
        return self.burnin + self.samples * self.thin


def chain_seeds(seed: int | None, chains: int) -> np.ndarray:
    """Independent 31-bit seeds for each chain, derived reproducibly from ``seed``."""
    ss = np.random.SeedSequence(seed)
    return (ss.generate_state(chains, dtype=np.uint32) >> 1).astype(np.int64)


@dataclass
class LcmcrResult:
    table: CaptureTable
    settings: LcmcrSettings
    draws: np.ndarray  # (chains, samples) posterior draws of N
    alpha: np.ndarray
    classes_used: np.ndarray
    summary: dict
    seconds: float
    seeds: list[int]
    warnings: list[str] = field(default_factory=list)

    @property
    def estimate(self) -> float:
        return self.summary["median"]

    @property
    def lower(self) -> float:
        return self.summary["lower"]

    @property
    def upper(self) -> float:
        return self.summary["upper"]

    def to_dict(self) -> dict:
        s = self.summary
        total = self.settings.sweeps_per_chain * self.settings.chains
        return {
            "method": "lcmcr",
            "estimate": round(s["median"], 1),
            "lower": round(s["lower"], 1),
            "upper": round(s["upper"], 1),
            "mean": round(s["mean"], 1),
            "documented": self.table.documented,
            "summary": "posterior median; interval is the posterior 2.5% and 97.5% quantiles",
            "settings": asdict(self.settings),
            "diagnostics": {
                "chains": self.settings.chains,
                "rhat": round(s.get("rhat", math.nan), 4),
                "ess": round(s.get("ess", math.nan), 1),
                "mcse_median": round(s.get("mcse_median", math.nan), 1),
                "mcse_lower": round(s.get("mcse_lower", math.nan), 1),
                "mcse_upper": round(s.get("mcse_upper", math.nan), 1),
                "sweeps": total,
                "seconds": round(self.seconds, 3),
                "sweeps_per_second": round(total / self.seconds) if self.seconds > 0 else None,
                "seeds": self.seeds,
                "classes_used": {
                    str(k): int(v) for k, v in zip(*np.unique(self.classes_used, return_counts=True), strict=True)
                },
                "numba": lcmcr_kernel.HAVE_NUMBA,
                "per_chain_median": [float(np.median(c)) for c in self.draws],
            },
        }


def _inputs(table: CaptureTable) -> tuple[np.ndarray, np.ndarray]:
    observed = table.counts > 0
    observed[0] = False
    x = np.ascontiguousarray(table.bits[observed], dtype=np.int64)
    counts = np.ascontiguousarray(table.counts[observed], dtype=np.int64)
    return x, counts


def fit_lcmcr(table: CaptureTable, settings: LcmcrSettings | None = None) -> LcmcrResult:
    """Run the latent-class sampler on ``table`` and summarise the posterior of N."""
    settings = settings or LcmcrSettings()
    settings.validate()
    if table.documented == 0:
        raise ValueError("the table has no documented victims")
    x, counts = _inputs(table)
    seeds = chain_seeds(settings.seed, settings.chains)
    args = (x, counts, settings.K, settings.a_alpha, settings.b_alpha, settings.burnin, settings.samples, settings.thin)
    start = time.perf_counter()
    if settings.parallel and settings.chains > 1:
        N, A, U, _ = lcmcr_kernel.run_chains_parallel(*args, seeds)
    else:
        runs = [lcmcr_kernel.run_chain(*args, int(s)) for s in seeds]
        N = np.stack([r[0] for r in runs])
        A = np.stack([r[1] for r in runs])
        U = np.stack([r[2] for r in runs])
    seconds = time.perf_counter() - start
    summary = summarise_chains(N)
    warnings = []
    if not lcmcr_kernel.HAVE_NUMBA:
        warnings.append("numba is not installed, so the latent-class sampler ran in pure Python (slow)")
    rhat = summary.get("rhat")
    if rhat is not None and rhat > 1.05:
        warnings.append(
            f"the {settings.chains} chains disagree (R-hat {rhat:.3f} > 1.05): the posterior is not yet "
            "reliable; run more sweeps (--burnin, --samples) or more chains"
        )
    ess = summary.get("ess")
    if ess is not None and ess < 100 * settings.chains:
        warnings.append(
            f"only {ess:.0f} effective draws of N: quantiles, especially the upper limit, carry "
            "Monte Carlo error; run more sweeps for a final figure"
        )
    full = float(np.mean(U >= settings.K))
    if full > 0.05:
        warnings.append(
            f"all {settings.K} latent classes were in use in {full:.0%} of draws: the truncation level K may "
            "be too small; rerun with a larger --K"
        )
    return LcmcrResult(
        table=table,
        settings=settings,
        draws=N,
        alpha=A,
        classes_used=U,
        summary=summary,
        seconds=seconds,
        seeds=[int(s) for s in seeds],
        warnings=warnings,
    )
