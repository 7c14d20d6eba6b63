"""Poisson log-linear regression by iteratively reweighted least squares.

The capture-recapture log-linear models (Fienberg 1972; Cormack 1989) are Poisson GLMs on the
observed cells of the 2^t table. The tables are tiny (at most a few thousand cells), so a
dense IRLS in numpy is both simpler and faster than a general GLM library.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln

__all__ = ["PoissonFit", "fit_poisson", "poisson_loglik", "poisson_deviance"]


@dataclass(frozen=True)
class PoissonFit:
    beta: np.ndarray
    cov: np.ndarray
    mu: np.ndarray
    deviance: float
    loglik: float
    converged: bool
    rank_deficient: bool
    iterations: int

    @property
    def boundary(self) -> bool:
        """True when some fitted cell is numerically zero (an estimate on the parameter boundary)."""
        return bool((self.mu < 1e-8).any()) or bool((np.abs(self.beta) > 30).any())


def poisson_deviance(y: np.ndarray, mu: np.ndarray) -> float:
    """Poisson deviance 2 * sum(y log(y/mu) - (y - mu)), with 0 log 0 = 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(y > 0, y * np.log(y / mu), 0.0)
    return float(2.0 * np.sum(term - (y - mu)))


def poisson_loglik(y: np.ndarray, mu: np.ndarray) -> float:
    """Full Poisson log-likelihood, including the -log(y!) terms (as R's logLik reports)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(y > 0, y * np.log(mu), 0.0)
    return float(np.sum(term - mu - gammaln(y + 1.0)))


def fit_poisson(
    X: np.ndarray,
    y: np.ndarray,
    *,
    beta0: np.ndarray | None = None,
    tol: float = 1e-10,
    max_iter: int = 100,
    check_rank: bool = True,
) -> PoissonFit:
    """Fit log E[y] = X beta by IRLS (Fisher scoring, canonical log link).

    Converges when the relative change in deviance falls below ``tol``. ``beta0`` warm-starts
    the iteration (useful when fitting a sequence of nearby tables); ``check_rank=False`` skips
    the rank test when the caller already knows the design has full rank.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    n, p = X.shape
    rank_deficient = bool(check_rank and np.linalg.matrix_rank(X) < p)
    if beta0 is not None:
        eta = X @ beta0
        mu = np.exp(np.clip(eta, -700, 700))
    else:
        mu = y + 0.5
        eta = np.log(mu)
    if beta0 is None or not np.isfinite(poisson_deviance(y, mu)):
        # R's glm start: mu = y + 1/2; the first step is taken whole.
        mu = y + 0.5
        eta = np.log(mu)
        beta = np.linalg.lstsq(X, eta, rcond=None)[0]
        dev_old = np.inf
    else:
        beta = np.asarray(beta0, dtype=float)
        dev_old = poisson_deviance(y, mu)
    dev = dev_old
    converged = False
    iterations = 0
    while iterations < max_iter:
        iterations += 1
        z = eta + (y - mu) / mu
        xtw = X.T * mu
        info = xtw @ X
        try:
            step = np.linalg.solve(info, xtw @ z) - beta
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(info, xtw @ z, rcond=None)[0] - beta
            rank_deficient = True
        # Step-halving keeps the deviance decreasing (as R's glm.fit does).
        for _ in range(30):
            new_beta = beta + step
            new_eta = X @ new_beta
            new_mu = np.exp(np.clip(new_eta, -700, 700))
            dev = poisson_deviance(y, new_mu)
            if np.isfinite(dev) and (dev <= dev_old * (1 + 1e-12) + 1e-12 or not np.isfinite(dev_old)):
                break
            step = step / 2
        beta, eta, mu = new_beta, new_eta, new_mu
        if abs(dev - dev_old) <= tol * (abs(dev) + 0.1):
            converged = True
            break
        dev_old = dev
    xtw = X.T * mu
    try:
        cov = np.linalg.inv(xtw @ X)
    except np.linalg.LinAlgError:
        cov = np.linalg.pinv(xtw @ X)
        rank_deficient = True
    return PoissonFit(
        beta=beta,
        cov=cov,
        mu=mu,
        deviance=dev,
        loglik=poisson_loglik(y, mu),
        converged=converged,
        rank_deficient=bool(rank_deficient),
        iterations=iterations,
    )


@dataclass(frozen=True)
class PoissonBatch:
    """Fits of several designs with the same number of parameters (see ``fit_poisson_batch``)."""

    beta: np.ndarray  # (B, p)
    cov: np.ndarray  # (B, p, p)
    mu: np.ndarray  # (B, n)
    deviance: np.ndarray
    loglik: np.ndarray
    converged: np.ndarray
    rank_deficient: np.ndarray

    def boundary(self) -> np.ndarray:
        return (self.mu < 1e-8).any(axis=1) | (np.abs(self.beta) > 30).any(axis=1)


def _deviances(y: np.ndarray, mu: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(y > 0, y * np.log(y / mu), 0.0)
    return 2.0 * np.sum(term - (y - mu), axis=-1)


def fit_poisson_batch(X: np.ndarray, y: np.ndarray, *, tol: float = 1e-10, max_iter: int = 100) -> PoissonBatch:
    """``fit_poisson`` for a stack of designs ``X`` (B, n, p) and one response ``y`` (n): the same IRLS
    (R's glm start, Fisher scoring, step-halving while the deviance rises, the same stopping rule), run
    on all designs at once so that fitting thousands of small models costs a few array operations each
    iteration instead of thousands of Python calls."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    B, n, p = X.shape
    rank_deficient = np.linalg.matrix_rank(X) < p
    eta0 = np.log(y + 0.5)
    beta = np.stack([np.linalg.lstsq(X[b], eta0, rcond=None)[0] for b in range(B)]) if B <= 8 else \
        _batched_lstsq(X, eta0)
    eta = np.broadcast_to(eta0, (B, n)).copy()
    mu = np.exp(eta)
    dev_old = np.full(B, np.inf)
    dev = np.full(B, np.inf)
    active = np.ones(B, dtype=bool)
    converged = np.zeros(B, dtype=bool)
    for _ in range(max_iter):
        idx = np.nonzero(active)[0]
        if idx.size == 0:
            break
        Xa, mua, etaa, ba = X[idx], mu[idx], eta[idx], beta[idx]
        z = etaa + (y - mua) / mua
        xtw = np.transpose(Xa, (0, 2, 1)) * mua[:, None, :]
        info = xtw @ Xa
        rhs = np.einsum("bpn,bn->bp", xtw, z)
        try:
            target = np.linalg.solve(info, rhs[..., None])[..., 0]
        except np.linalg.LinAlgError:
            target = np.einsum("bpq,bq->bp", np.linalg.pinv(info), rhs)
            rank_deficient[idx] = True
        step = target - ba
        old = dev_old[idx]
        new_beta = ba + step
        new_eta = np.einsum("bnp,bp->bn", Xa, new_beta)
        new_mu = np.exp(np.clip(new_eta, -700, 700))
        new_dev = _deviances(y, new_mu)
        for _h in range(30):
            bad = ~(np.isfinite(new_dev) & ((new_dev <= old * (1 + 1e-12) + 1e-12) | ~np.isfinite(old)))
            if not bad.any():
                break
            step[bad] /= 2
            new_beta[bad] = ba[bad] + step[bad]
            new_eta[bad] = np.einsum("bnp,bp->bn", Xa[bad], new_beta[bad])
            new_mu[bad] = np.exp(np.clip(new_eta[bad], -700, 700))
            new_dev[bad] = _deviances(y, new_mu[bad])
        beta[idx], eta[idx], mu[idx], dev[idx] = new_beta, new_eta, new_mu, new_dev
        done = np.abs(new_dev - old) <= tol * (np.abs(new_dev) + 0.1)
        converged[idx[done]] = True
        active[idx[done]] = False
        dev_old[idx] = new_dev
    xtw = np.transpose(X, (0, 2, 1)) * mu[:, None, :]
    info = xtw @ X
    cov = np.empty((B, p, p))
    for b in range(B):
        try:
            cov[b] = np.linalg.inv(info[b])
        except np.linalg.LinAlgError:
            cov[b] = np.linalg.pinv(info[b])
            rank_deficient[b] = True
    with np.errstate(divide="ignore", invalid="ignore"):
        ll = np.sum(np.where(y > 0, y * np.log(mu), 0.0) - mu - gammaln(y + 1.0), axis=1)
    return PoissonBatch(beta, cov, mu, dev, ll, converged, rank_deficient)


def _batched_lstsq(X: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Least squares for each design of a stack (the IRLS start); full-rank designs by normal equations,
    the others one by one."""
    xtx = np.transpose(X, (0, 2, 1)) @ X
    xty = np.einsum("bnp,n->bp", X, target)
    out = np.empty(xty.shape)
    try:
        out[:] = np.linalg.solve(xtx, xty[..., None])[..., 0]
    except np.linalg.LinAlgError:
        for b in range(X.shape[0]):
            out[b] = np.linalg.lstsq(X[b], target, rcond=None)[0]
    return out
