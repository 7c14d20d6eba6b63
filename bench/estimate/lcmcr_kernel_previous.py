"""The latent-class kernel as it was before the log-space stick-breaking fix (kept for the benchmarks).

Only change: optional ``a_N, b_N`` (a proper Poisson-Gamma prior on N, default 0 = the 1/N prior and
the exact previous code path) so that simulation-based calibration can run it.

Original docstring: the Gibbs sampler of the latent-class model (numba kernel).

Written from Manrique-Vallier (2016), "Bayesian population size estimation using Dirichlet
process mixtures", *Biometrics* 72(4): 1246-1254, Section 3. Model, for victim i on J lists:

    x_ij | z_i = k        ~ Bernoulli(lambda_jk)                  (lists independent within a class)
    z_i                   ~ Categorical(pi),  pi ~ truncated stick-breaking SB_K(alpha)
    alpha                 ~ Gamma(a_alpha, b_alpha)                (shape, rate)
    lambda_jk             ~ Beta(1, 1)
    p(N)                  ∝ 1/N

Victims are exchangeable within a capture pattern, so the latent classes of the ``c_p`` victims
with pattern ``p`` enter every other conditional only through their class counts, which are
``Multinomial(c_p, w_p)`` with ``w_pk ∝ pi_k prod_j lambda_jk^x_pj (1 - lambda_jk)^(1 - x_pj)``.
Sampling those counts is the same Gibbs step as sampling each ``z_i`` and costs O(patterns x K)
rather than O(victims x K). One sweep:

1. class counts of observed victims, per pattern (multinomial);
2. the number of unobserved victims: with ``p0 = sum_k pi_k prod_j (1 - lambda_jk)``,
   ``N - n ~ NegativeBinomial(n, 1 - p0)`` (the 1/N prior makes this exact);
3. class counts of the unobserved victims: ``Multinomial(N - n, pi_k prod_j(1 - lambda_jk) / p0)``;
4. ``lambda_jk ~ Beta(1 + s_jk, 1 + N_k - s_jk)``, ``s_jk`` = class-k victims on list j;
5. stick-breaking weights ``V_k ~ Beta(1 + N_k, alpha + sum_{h>k} N_h)``, ``V_K = 1``;
6. ``alpha ~ Gamma(a_alpha + K - 1, b_alpha - log pi_K)``.

The kernel uses numpy's legacy random functions so that it runs under numba (fast) or, when
numba is missing, as plain Python (slow but identical in law).
"""

from __future__ import annotations

import math

import numpy as np

try:  # numba is an optional (but recommended) dependency
    import numba

    HAVE_NUMBA = True

    def _jit(**kwargs):
        return numba.njit(cache=False, error_model="numpy", **kwargs)

    prange = numba.prange
except ImportError:  # pragma: no cover - exercised only without numba
    HAVE_NUMBA = False

    def _jit(**kwargs):
        def wrap(f):
            return f

        return wrap

    prange = range


@_jit()
def _multinomial_into(n, weights, total, order, out):
    """Draw Multinomial(n, weights / total) into ``out`` by conditional binomials.

    Classes are visited in ``order`` (largest weight first, so the draws usually end after a
    few classes); the result does not depend on the order in law.
    """
    K = weights.shape[0]
    for k in range(K):
        out[k] = 0
    remaining = n
    mass = total
    last = order[0]
    for i in range(K - 1):
        if remaining <= 0:
            return
        k = order[i]
        w = weights[k]
        if w <= 0.0:
            continue
        last = k
        if mass <= 0.0:
            break
        q = w / mass
        if q >= 1.0:
            out[k] = remaining
            return
        d = np.random.binomial(remaining, q)
        out[k] = d
        remaining -= d
        mass -= w
    # The last class with positive weight takes what is left.
    k = order[K - 1]
    if weights[k] > 0.0:
        last = k
    out[last] += remaining


@_jit()
def run_chain(x, counts, K, a_alpha, b_alpha, burnin, samples, thin, seed, a_N=0.0, b_N=0.0):
    """Run one chain; returns (N draws, alpha draws, occupied-class counts, p0 draws).

    ``x`` is the (P, J) 0/1 matrix of observed patterns with positive ``counts`` (length P).
    """
    np.random.seed(seed)
    P, J = x.shape
    n = 0
    for p in range(P):
        n += counts[p]

    lam = np.empty((J, K))
    for j in range(J):
        for k in range(K):
            lam[j, k] = np.random.beta(1.0, 1.0)
    alpha = 1.0
    pi = np.empty(K)
    rest = 1.0
    for k in range(K - 1):
        v = np.random.beta(1.0, alpha)
        pi[k] = v * rest
        rest *= 1.0 - v
    pi[K - 1] = rest

    w = np.empty(K)
    q0 = np.empty(K)
    draw = np.empty(K, dtype=np.int64)
    order = np.arange(K)
    nk = np.zeros(K, dtype=np.int64)
    sjk = np.zeros((J, K), dtype=np.int64)

    out_N = np.empty(samples, dtype=np.int64)
    out_alpha = np.empty(samples)
    out_used = np.empty(samples, dtype=np.int64)
    out_p0 = np.empty(samples)

    total_sweeps = burnin + samples * thin
    saved = 0
    for sweep in range(total_sweeps):
        for k in range(K):
            nk[k] = 0
            for j in range(J):
                sjk[j, k] = 0
        order = np.argsort(-pi)
        # 1. classes of the observed victims, pattern by pattern
        for p in range(P):
            tot = 0.0
            for k in range(K):
                prob = pi[k]
                for j in range(J):
                    if x[p, j] == 1:
                        prob *= lam[j, k]
                    else:
                        prob *= 1.0 - lam[j, k]
                w[k] = prob
                tot += prob
            _multinomial_into(counts[p], w, tot, order, draw)
            for k in range(K):
                d = draw[k]
                if d > 0:
                    nk[k] += d
                    for j in range(J):
                        if x[p, j] == 1:
                            sjk[j, k] += d
        # 2. how many victims no list recorded
        p0 = 0.0
        for k in range(K):
            prob = pi[k]
            for j in range(J):
                prob *= 1.0 - lam[j, k]
            q0[k] = prob
            p0 += prob
        if p0 >= 1.0:
            p0 = 1.0 - 1e-12
        if a_N == 0.0 and b_N == 0.0:
            n0 = np.random.negative_binomial(n, 1.0 - p0)
        else:
            n0 = np.random.poisson(np.random.gamma(n + a_N, p0 / (1.0 + b_N - p0)))
        # 3. their classes
        _multinomial_into(n0, q0, p0, order, draw)
        used = 0
        for k in range(K):
            nk[k] += draw[k]
            if nk[k] > 0:
                used += 1
        # 4. capture probabilities
        for k in range(K):
            if nk[k] == 0:  # an empty class: Beta(1, 1) is the uniform distribution
                for j in range(J):
                    lam[j, k] = np.random.random()
            else:
                for j in range(J):
                    lam[j, k] = np.random.beta(1.0 + sjk[j, k], 1.0 + nk[k] - sjk[j, k])
        # 5. stick-breaking weights
        tail = 0
        for k in range(K):
            tail += nk[k]
        rest = 1.0
        log_rest = 0.0
        for k in range(K - 1):
            tail -= nk[k]
            if nk[k] == 0:  # Beta(1, b) by inversion: 1 - U^(1/b)
                v = 1.0 - np.random.random() ** (1.0 / (alpha + tail))
            else:
                v = np.random.beta(1.0 + nk[k], alpha + tail)
            pi[k] = v * rest
            rest *= 1.0 - v
            log_rest += math.log1p(-v) if v < 1.0 else -745.0
        pi[K - 1] = rest
        # 6. concentration
        rate = b_alpha - log_rest
        alpha = np.random.gamma(a_alpha + K - 1.0, 1.0 / rate)
        if alpha < 1e-300:
            alpha = 1e-300

        if sweep >= burnin and (sweep - burnin + 1) % thin == 0:
            out_N[saved] = n + n0
            out_alpha[saved] = alpha
            out_used[saved] = used
            out_p0[saved] = p0
            saved += 1
    return out_N, out_alpha, out_used, out_p0


@_jit(parallel=True)
def run_chains_parallel(x, counts, K, a_alpha, b_alpha, burnin, samples, thin, seeds, a_N=0.0, b_N=0.0):
    """Run ``len(seeds)`` chains, one per thread; each chain is seeded, so results are reproducible."""
    C = seeds.shape[0]
    N = np.empty((C, samples), dtype=np.int64)
    A = np.empty((C, samples))
    U = np.empty((C, samples), dtype=np.int64)
    P0 = np.empty((C, samples))
    for c in prange(C):
        n_, a_, u_, p_ = run_chain(x, counts, K, a_alpha, b_alpha, burnin, samples, thin, seeds[c], a_N, b_N)
        N[c, :] = n_
        A[c, :] = a_
        U[c, :] = u_
        P0[c, :] = p_
    return N, A, U, P0
