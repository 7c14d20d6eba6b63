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
from dadkhah.estimate.checks import Note
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
    # Run until converged: while R-hat > target_rhat or ESS < target_ess, the chains are run again
    # with twice the draws (same seeds, so each longer run extends the shorter one), up to
    # max_sweeps per chain. None switches a target off.
    target_rhat: float | None = 1.01
    target_ess: float | None = 400.0
    max_sweeps: int = 1_000_000

    def validate(self) -> None:
        if self.K < 1:
            raise ValueError("K (the number of latent classes) must be at least 1")
        if self.a_alpha <= 0 or self.b_alpha <= 0:
            raise ValueError("a_alpha and b_alpha must be positive")
        if self.burnin < 0 or self.samples < 1 or self.thin < 1 or self.chains < 1:
            raise ValueError("burn-in must be >= 0 and samples, thin and chains >= 1")
        if self.max_sweeps < 1:
            raise ValueError("max_sweeps must be at least 1")

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
    samples_run: int = 0  # draws kept per chain in the final round (>= settings.samples)
    rounds: int = 1

    @property
    def sweeps_per_chain(self) -> int:
        return self.settings.burnin + self.samples_run * self.settings.thin

    @property
    def converged(self) -> bool:
        """R-hat and ESS of N meet the targets (1.01 and 400 by default)."""
        return _meets(self.summary, self.settings)

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
        total = self.sweeps_per_chain * self.settings.chains
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
                "converged": self.converged,
                "target_rhat": self.settings.target_rhat,
                "target_ess": self.settings.target_ess,
                "rounds": self.rounds,
                "samples_per_chain": self.samples_run,
                "sweeps_per_chain": self.sweeps_per_chain,
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
                "alpha_median": round(float(np.median(self.alpha)), 4),
                "alpha_interval": [round(float(q), 4) for q in np.quantile(self.alpha, [0.025, 0.975])],
                "classes_used_median": float(np.median(self.classes_used)),
            },
        }


def _inputs(table: CaptureTable) -> tuple[np.ndarray, np.ndarray]:
    observed = table.counts > 0
    observed[0] = False
    x = np.ascontiguousarray(table.bits[observed], dtype=np.int64)
    counts = np.ascontiguousarray(table.counts[observed], dtype=np.int64)
    return x, counts


def _meets(summary: dict, settings: LcmcrSettings) -> bool:
    rhat, ess = summary.get("rhat", math.nan), summary.get("ess", math.nan)
    if settings.target_rhat is not None and not rhat <= settings.target_rhat:
        return False
    return settings.target_ess is None or ess >= settings.target_ess


def fit_lcmcr(table: CaptureTable, settings: LcmcrSettings | None = None, *, on_round=None) -> LcmcrResult:
    """Run the latent-class sampler on ``table`` and summarise the posterior of N."""
    settings = settings or LcmcrSettings()
    settings.validate()
    if table.documented == 0:
        raise ValueError("the table has no documented victims")
    x, counts = _inputs(table)
    seeds = chain_seeds(settings.seed, settings.chains)
    samples = settings.samples
    rounds = 0
    seconds = 0.0
    while True:
        rounds += 1
        args = (x, counts, settings.K, settings.a_alpha, settings.b_alpha, settings.burnin, samples, settings.thin)
        start = time.perf_counter()
        if settings.parallel and settings.chains > 1:
            N, A, U, _ = lcmcr_kernel.run_chains_parallel(*args, seeds)
        else:
            runs = [lcmcr_kernel.run_chain(*args, int(s)) for s in seeds]
            N = np.stack([r[0] for r in runs])
            A = np.stack([r[1] for r in runs])
            U = np.stack([r[2] for r in runs])
        seconds += time.perf_counter() - start
        summary = summarise_chains(N)
        if _meets(summary, settings) or settings.burnin + 2 * samples * settings.thin > settings.max_sweeps:
            break
        if on_round is not None:
            on_round(rounds, summary)
        samples *= 2
    summary = summarise_chains(N)
    warnings: list[str] = []
    if not _meets(summary, settings):
        sweeps = settings.burnin + samples * settings.thin
        warnings.append(Note(
            f"not converged: after {sweeps:,} sweeps per chain "
            f"(the --max-sweeps limit) R-hat is {summary.get('rhat', math.nan):.3f} (target "
            f"{settings.target_rhat}) and the effective sample size {summary.get('ess', math.nan):.0f} "
            f"(target {settings.target_ess}); do not quote this figure as the estimate",
            "lcmcr_not_converged", sweeps=sweeps, rhat=round(float(summary.get("rhat", math.nan)), 3),
            target_rhat=settings.target_rhat, ess=round(float(summary.get("ess", math.nan))),
            target_ess=settings.target_ess,
        ))
    if not lcmcr_kernel.HAVE_NUMBA:
        warnings.append(Note("numba is not installed, so the latent-class sampler ran in pure Python (slow)",
                             "lcmcr_no_numba"))
    rhat = summary.get("rhat")
    if settings.target_rhat is None and rhat is not None and rhat > 1.05:
        warnings.append(Note(
            f"the {settings.chains} chains disagree (R-hat {rhat:.3f} > 1.05): the posterior is not yet "
            "reliable; run more sweeps (--burnin, --samples) or more chains",
            "lcmcr_chains_disagree", chains=settings.chains, rhat=round(float(rhat), 3),
        ))
    ess = summary.get("ess")
    if settings.target_ess is None and ess is not None and ess < 100 * settings.chains:
        warnings.append(Note(
            f"only {ess:.0f} effective draws of N: quantiles, especially the upper limit, carry "
            "Monte Carlo error; run more sweeps for a final figure",
            "lcmcr_few_effective_draws", ess=round(float(ess)),
        ))
    full = float(np.mean(U >= settings.K))
    if full > 0.05:
        warnings.append(Note(
            f"all {settings.K} latent classes were in use in {full:.0%} of draws: the truncation level K may "
            "be too small; rerun with a larger --K",
            "lcmcr_all_classes_used", K=settings.K, percent=round(100 * full),
        ))
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
        samples_run=samples,
        rounds=rounds,
    )
