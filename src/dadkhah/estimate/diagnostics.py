"""Convergence diagnostics for several MCMC chains.

- ``split_rhat``: potential scale reduction on split chains (Gelman et al., *Bayesian Data
  Analysis*, 3rd ed., 11.4), computed on rank-normalised draws as Vehtari et al. (2021)
  recommend, so a heavy right tail (usual for population sizes) does not hide poor mixing.
- ``ess``: effective sample size from the multi-chain autocorrelation with Geyer's initial
  monotone sequence (BDA3 11.5).
- ``mcse_quantile``: Monte Carlo standard error of a posterior quantile, from the effective
  sample size of the indicator ``draw <= quantile`` (Vehtari et al. 2021, section 4.3).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import norm, rankdata

__all__ = ["split_rhat", "ess", "mcse_quantile", "summarise_chains"]


def _as_chains(draws: np.ndarray) -> np.ndarray:
    draws = np.asarray(draws, dtype=float)
    if draws.ndim == 1:
        draws = draws[None, :]
    if draws.ndim != 2:
        raise ValueError("draws must be (chains, samples)")
    return draws


def _split(draws: np.ndarray) -> np.ndarray:
    half = draws.shape[1] // 2
    if half < 2:
        raise ValueError("need at least 4 draws per chain")
    return np.concatenate([draws[:, :half], draws[:, -half:]], axis=0)


def _rank_normalise(draws: np.ndarray) -> np.ndarray:
    ranks = rankdata(draws, method="average").reshape(draws.shape)
    return norm.ppf((ranks - 3.0 / 8.0) / (draws.size + 0.25))


def _rhat_raw(chains: np.ndarray) -> float:
    m, n = chains.shape
    means = chains.mean(axis=1)
    within = chains.var(axis=1, ddof=1).mean()
    between = n * means.var(ddof=1)
    if within <= 0:
        return 1.0 if between <= 0 else math.inf
    var_plus = (n - 1) / n * within + between / n
    return float(math.sqrt(var_plus / within))


def split_rhat(draws: np.ndarray) -> float:
    """Rank-normalised split R-hat (max of bulk and folded-tail versions); 1.0 means converged."""
    chains = _split(_as_chains(draws))
    if np.ptp(chains) == 0:
        return 1.0
    bulk = _rhat_raw(_rank_normalise(chains))
    folded = np.abs(chains - np.median(chains))
    tail = _rhat_raw(_rank_normalise(folded)) if np.ptp(folded) > 0 else 1.0
    return max(bulk, tail)


def _autocov(x: np.ndarray) -> np.ndarray:
    n = x.shape[-1]
    size = 1 << (2 * n - 1).bit_length()
    f = np.fft.rfft(x - x.mean(axis=-1, keepdims=True), size, axis=-1)
    acov = np.fft.irfft(f * np.conj(f), size, axis=-1)[..., :n]
    return acov / n


def ess(draws: np.ndarray) -> float:
    """Multi-chain effective sample size (Geyer's initial monotone sequence on split chains)."""
    chains = _split(_as_chains(draws))
    m, n = chains.shape
    if np.ptp(chains) == 0:
        return float(m * n)
    acov = _autocov(chains)
    chain_var = acov[:, 0] * n / (n - 1)
    within = chain_var.mean()
    var_plus = within * (n - 1) / n
    if m > 1:
        var_plus += chains.mean(axis=1).var(ddof=1)
    rho = 1.0 - (within - acov.mean(axis=0)) / var_plus
    rho[0] = 1.0
    # Sum consecutive pairs while positive; enforce monotone decrease.
    total = 0.0
    prev = math.inf
    t = 0
    while t + 1 < n:
        pair = rho[t] + rho[t + 1]
        if pair <= 0:
            break
        pair = min(pair, prev)
        total += pair
        prev = pair
        t += 2
    tau = max(-1.0 + 2.0 * total, 1.0 / math.log10(m * n + 10))
    return float(m * n / tau)


def mcse_quantile(draws: np.ndarray, q: float) -> float:
    """Monte Carlo standard error of the ``q`` quantile of the pooled draws."""
    chains = _as_chains(draws)
    flat = np.sort(chains.ravel())
    xq = np.quantile(flat, q)
    ind = (chains <= xq).astype(float)
    e = ess(ind) if 0 < ind.mean() < 1 else float(flat.size)
    se_p = math.sqrt(q * (1 - q) / e)
    lo = np.quantile(flat, max(q - se_p, 0.0))
    hi = np.quantile(flat, min(q + se_p, 1.0))
    return float((hi - lo) / 2)


def summarise_chains(draws: np.ndarray, level: float = 0.95) -> dict:
    """Median, mean, equal-tailed interval, R-hat, ESS and Monte Carlo errors of pooled draws."""
    chains = _as_chains(draws)
    flat = chains.ravel()
    a = (1 - level) / 2
    out = {
        "median": float(np.median(flat)),
        "mean": float(flat.mean()),
        "lower": float(np.quantile(flat, a)),
        "upper": float(np.quantile(flat, 1 - a)),
        "sd": float(flat.std(ddof=1)) if flat.size > 1 else 0.0,
    }
    if chains.shape[1] >= 4:
        out["rhat"] = split_rhat(chains)
        out["ess"] = ess(chains)
        out["mcse_median"] = mcse_quantile(chains, 0.5)
        out["mcse_lower"] = mcse_quantile(chains, a)
        out["mcse_upper"] = mcse_quantile(chains, 1 - a)
    return out
