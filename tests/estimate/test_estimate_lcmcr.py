"""The latent-class sampler: the LCMCR anchor on Kosovo, exactness where the posterior is known,
reproducibility, and the convergence diagnostics it reports."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import betaln, gammaln

from dadkhah.estimate.diagnostics import ess, split_rhat
from dadkhah.estimate.lcmcr import LcmcrSettings, fit_lcmcr
from dadkhah.estimate.table import table_from_counts

# Figures from R's LCMCR on the Kosovo table (one chain, 1,000 draws; see docs/estimate.md).
REFERENCE = {"median": 10_487, "lower": 9_146, "upper": 13_281}
# Monte Carlo spread of those reference figures themselves: standard deviation of each summary
# over independent runs of the reference protocol (burn-in 10,000; 1,000 draws thinned by 100),
# measured with `bench/estimate/bench_lcmcr.py --replicates 60` on the corrected sampler
# (sd 106, 312 and 642).
REFERENCE_MCSE = {"median": 110, "lower": 320, "upper": 650}


@pytest.fixture(scope="module")
def kosovo_lcmcr(kosovo):
    # The reference settings (K=10, a=b=0.25, burn-in 10,000, draws thinned by 100), 3 chains, run
    # until R-hat <= 1.01 and ESS >= 400.
    return fit_lcmcr(kosovo, LcmcrSettings(seed=1))


@pytest.mark.parametrize("quantity", ["median", "lower", "upper"])
def test_kosovo_posterior_matches_lcmcr_within_monte_carlo_error(kosovo_lcmcr, quantity):
    ours = getattr(kosovo_lcmcr, "estimate" if quantity == "median" else quantity)
    mcse = kosovo_lcmcr.summary[f"mcse_{quantity}"]
    tolerance = 3 * math.hypot(mcse, REFERENCE_MCSE[quantity])
    assert abs(ours - REFERENCE[quantity]) <= tolerance


def test_kosovo_chains_converge_and_report_their_diagnostics(kosovo_lcmcr):
    d = kosovo_lcmcr.to_dict()["diagnostics"]
    assert d["chains"] == 3
    assert d["converged"] is True
    assert d["rhat"] <= 1.01
    assert d["ess"] >= 400
    assert d["sweeps"] == 3 * d["sweeps_per_chain"] >= 3 * 110_000
    assert d["seconds"] > 0
    assert not [w for w in kosovo_lcmcr.warnings if "converged" in w or "effective" in w]


def test_chains_that_do_not_converge_within_the_limit_say_so_plainly(kosovo):
    res = fit_lcmcr(kosovo, LcmcrSettings(burnin=50, samples=40, thin=1, chains=2, seed=2, max_sweeps=200))
    assert not res.converged
    assert res.to_dict()["diagnostics"]["converged"] is False
    assert any(w.startswith("not converged") for w in res.warnings)


def test_same_seed_gives_identical_draws_in_parallel_or_one_by_one(kosovo):
    short = LcmcrSettings(burnin=200, samples=50, thin=2, chains=2, seed=7, target_rhat=None, target_ess=None)
    a = fit_lcmcr(kosovo, short)
    b = fit_lcmcr(kosovo, LcmcrSettings(**{**short.__dict__, "parallel": False}))
    c = fit_lcmcr(kosovo, LcmcrSettings(**{**short.__dict__, "seed": 8}))
    assert np.array_equal(a.draws, b.draws)
    assert not np.array_equal(a.draws, c.draws)
    assert not np.array_equal(a.draws[0], a.draws[1])  # chains are independent


def test_one_class_reproduces_the_exact_posterior_of_the_independence_model():
    # With K = 1 the model is independent lists with uniform capture probabilities and
    # p(N) ∝ 1/N, whose posterior is known in closed form:
    #   p(N | x) ∝ 1/N * N!/(N-n)! * prod_j B(1 + n_j, 1 + N - n_j).
    tab = table_from_counts({"100": 120, "010": 90, "001": 70, "110": 30, "101": 25, "011": 20, "111": 8})
    n = tab.documented
    sizes = np.array(list(tab.list_sizes.values()))
    N = np.arange(n, 6 * n, dtype=float)
    logp = -np.log(N) + gammaln(N + 1) - gammaln(N - n + 1)
    logp += sum(betaln(1 + nj, 1 + N - nj) for nj in sizes)
    p = np.exp(logp - logp.max())
    p /= p.sum()
    exact_mean = float(np.sum(N * p))
    exact_sd = float(np.sqrt(np.sum((N - exact_mean) ** 2 * p)))

    res = fit_lcmcr(tab, LcmcrSettings(K=1, burnin=1000, samples=4000, thin=5, chains=4, seed=3, target_ess=None))
    draws = res.draws.astype(float)
    mcse_mean = draws.std() / math.sqrt(ess(draws))
    assert abs(draws.mean() - exact_mean) < 4 * mcse_mean
    assert draws.std() == pytest.approx(exact_sd, rel=0.1)


def test_a_truncation_level_that_every_draw_fills_is_flagged():
    # With K = 2 on heterogeneous data both classes are occupied in practically every draw.
    tab = table_from_counts({"100": 120, "010": 90, "001": 70, "110": 30, "101": 25, "011": 20, "111": 8})
    res = fit_lcmcr(tab, LcmcrSettings(K=2, burnin=0, samples=200, thin=1, chains=2, seed=1, max_sweeps=200))
    assert any("latent classes were in use" in w for w in res.warnings)


def test_settings_are_validated():
    with pytest.raises(ValueError, match="K"):
        LcmcrSettings(K=0).validate()
    with pytest.raises(ValueError):
        LcmcrSettings(thin=0).validate()


def test_rhat_is_one_for_agreeing_chains_and_large_for_disagreeing_ones():
    rng = np.random.default_rng(0)
    same = rng.normal(size=(4, 2000))
    assert split_rhat(same) == pytest.approx(1.0, abs=0.01)
    shifted = same + np.array([[0.0], [0.0], [0.0], [1.5]])
    assert split_rhat(shifted) > 1.1


def test_ess_matches_theory_for_independent_and_autocorrelated_draws():
    rng = np.random.default_rng(1)
    iid = rng.normal(size=(4, 5000))
    assert ess(iid) == pytest.approx(20_000, rel=0.15)
    rho = 0.9
    ar = np.empty((4, 20_000))
    ar[:, 0] = rng.normal(size=4)
    noise = rng.normal(size=(4, 20_000)) * math.sqrt(1 - rho**2)
    for t in range(1, ar.shape[1]):
        ar[:, t] = rho * ar[:, t - 1] + noise[:, t]
    expected = ar.size * (1 - rho) / (1 + rho)
    assert ess(ar) == pytest.approx(expected, rel=0.3)
