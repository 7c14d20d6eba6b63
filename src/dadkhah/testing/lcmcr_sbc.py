"""Simulation-based calibration of the latent-class sampler (Talts et al. 2018).

Talts, Betancourt, Simpson, Vehtari & Gelman (2018), "Validating Bayesian inference algorithms with
simulation-based calibration", arXiv:1804.06788. If parameters are drawn from the prior, data from
the model given them, and the sampler is run on the data, then the rank of the true parameter among
L (nearly independent) posterior draws is uniform on 0..L -- whatever the model -- when, and in
practice only when, the sampler draws from the right posterior. A sampler with a bias, a wrong
conditional or a trap shows as a non-uniform rank histogram: a slope (biased), a hump (too wide) or
a U (too narrow).

The latent-class model (Manrique-Vallier 2016) is simulated exactly as the sampler assumes:

    alpha ~ Gamma(a_alpha, b_alpha);  pi ~ truncated stick-breaking SB_K(alpha);
    lambda_jk ~ Beta(1, 1);  mu ~ Gamma(a_N, b_N);  N ~ Poisson(mu);
    z_i ~ Categorical(pi);  x_ij | z_i ~ Bernoulli(lambda_j z_i)

The prior p(N) ∝ 1/N of the paper is improper, so calibration uses its proper Poisson-Gamma
version (p(N) ∝ 1/N is the limit a_N, b_N -> 0); the sampler's step for N is the same code.
Ties of a discrete parameter (N) with a draw are broken uniformly at random, as Talts et al.
recommend.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = ["SbcSettings", "draw_from_prior", "sbc_ranks", "rank_uniformity", "run_sbc"]


@dataclass(frozen=True)
class SbcSettings:
    lists: int = 3
    K: int = 4
    a_alpha: float = 0.25
    b_alpha: float = 0.25
    a_N: float = 8.0
    b_N: float = 0.04  # prior mean of N: a_N / b_N = 200
    burnin: int = 1_000
    draws: int = 99  # L: ranks take the values 0..L
    thin: int = 10
    replicates: int = 400
    seed: int = 2018


def draw_from_prior(rng: np.random.Generator, s: SbcSettings) -> tuple[int, float, np.ndarray, np.ndarray]:
    """One draw of (N, alpha) from the prior and the observed patterns it generates.

    Returns (N, alpha, x, counts): ``x`` the (P, J) 0/1 matrix of observed patterns, ``counts`` how
    many victims have each (the sampler's input; the all-zero pattern is not observed).
    """
    alpha = rng.gamma(s.a_alpha, 1.0 / s.b_alpha)
    v = rng.beta(1.0, max(alpha, 1e-300), size=s.K - 1)
    pi = np.empty(s.K)
    rest = 1.0
    for k in range(s.K - 1):
        pi[k] = v[k] * rest
        rest *= 1.0 - v[k]
    pi[-1] = max(rest, 0.0)
    pi = pi / pi.sum()
    lam = rng.random((s.K, s.lists))
    N = int(rng.poisson(rng.gamma(s.a_N, 1.0 / s.b_N)))
    z = rng.choice(s.K, size=N, p=pi)
    x = (rng.random((N, s.lists)) < lam[z]).astype(np.int64)
    cells = x @ (1 << np.arange(s.lists - 1, -1, -1))
    counts = np.bincount(cells, minlength=2**s.lists)
    observed = np.nonzero(counts[1:])[0] + 1
    bits = ((observed[:, None] >> np.arange(s.lists - 1, -1, -1)[None, :]) & 1).astype(np.int64)
    return N, float(alpha), np.ascontiguousarray(bits), np.ascontiguousarray(counts[observed].astype(np.int64))


def _rank(rng: np.random.Generator, truth: float, draws: np.ndarray) -> int:
    below = int(np.sum(draws < truth))
    ties = int(np.sum(draws == truth))
    return below + int(rng.integers(0, ties + 1))


def sbc_ranks(s: SbcSettings, kernel: Callable | None = None) -> dict[str, np.ndarray]:
    """Ranks of the true N and alpha among the sampler's draws, one per replicate.

    ``kernel`` is a function with the signature of ``lcmcr_kernel.run_chain`` (the default); the
    benchmark passes the previous kernel to show what the calibration catches.
    """
    from dadkhah.estimate import lcmcr_kernel

    run = kernel or lcmcr_kernel.run_chain
    rng = np.random.default_rng(s.seed)
    ranks_N = np.empty(s.replicates, dtype=np.int64)
    ranks_alpha = np.empty(s.replicates, dtype=np.int64)
    for r in range(s.replicates):
        N, alpha, x, counts = draw_from_prior(rng, s)
        seed = int(rng.integers(0, 2**31 - 1))
        out = run(x, counts, s.K, s.a_alpha, s.b_alpha, s.burnin, s.draws, s.thin, seed, s.a_N, s.b_N)
        ranks_N[r] = _rank(rng, N, out[0])
        ranks_alpha[r] = _rank(rng, alpha, out[1])
    return {"N": ranks_N, "alpha": ranks_alpha}


def rank_uniformity(ranks: np.ndarray, L: int, bins: int = 10) -> dict:
    """Chi-square test of a rank histogram (ranks 0..L in ``bins`` equal groups) and a KS test."""
    ranks = np.asarray(ranks)
    if (L + 1) % bins:
        raise ValueError(f"L + 1 = {L + 1} ranks do not split into {bins} equal bins")
    hist = np.bincount(ranks * bins // (L + 1), minlength=bins)
    chi2 = stats.chisquare(hist)
    # KS on ranks jittered to the continuous uniform (exact under uniform discrete ranks).
    u = (ranks + np.random.default_rng(0).random(ranks.size)) / (L + 1)
    ks = stats.kstest(u, "uniform")
    return {"histogram": hist.tolist(), "chi2": float(chi2.statistic), "chi2_p": float(chi2.pvalue),
            "ks": float(ks.statistic), "ks_p": float(ks.pvalue)}


def run_sbc(s: SbcSettings, bins: int = 10, kernel: Callable | None = None) -> dict:
    ranks = sbc_ranks(s, kernel)
    return {name: rank_uniformity(r, s.draws, bins) | {"ranks": r} for name, r in ranks.items()}
