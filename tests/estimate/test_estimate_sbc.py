"""Simulation-based calibration of the latent-class sampler (Talts et al. 2018).

Parameters drawn from the prior, data from the model, the sampler run on the data: the rank of the
true N and of the true alpha among the posterior draws must be uniform. The previous kernel (which
put -745 in place of log(1 - V) when V rounded to 1) fails this test on alpha with p < 1e-90 at
these settings; see docs/estimate.md, "Simulation-based calibration".
"""

from __future__ import annotations

import math

import numba
import numpy as np
import pytest

from dadkhah.estimate import lcmcr_kernel
from dadkhah.estimate.lcmcr import LcmcrSettings, fit_lcmcr
from dadkhah.testing.lcmcr_sbc import SbcSettings, rank_uniformity, run_sbc

P_MIN = 1e-3  # four tests (N and alpha, chi-square and KS) at a fixed seed: a false alarm is rare


@pytest.fixture(scope="module")
def sbc():
    return run_sbc(SbcSettings(replicates=300, burnin=1000, thin=50, draws=99, seed=2018))


@pytest.mark.parametrize("parameter", ["N", "alpha"])
def test_rank_histograms_of_N_and_alpha_are_uniform(sbc, parameter):
    res = sbc[parameter]
    assert sum(res["histogram"]) == 300
    assert res["chi2_p"] > P_MIN, res["histogram"]
    assert res["ks_p"] > P_MIN, res["histogram"]


def test_the_uniformity_check_rejects_a_sampler_that_is_too_narrow():
    # Ranks piled at both ends (posterior too narrow), as the previous kernel gave for alpha.
    rng = np.random.default_rng(0)
    ranks = np.concatenate([rng.integers(0, 5, 60), rng.integers(95, 100, 60), rng.integers(0, 100, 180)])
    out = rank_uniformity(ranks, 99)
    assert out["chi2_p"] < 1e-6 and out["ks_p"] < 1e-3


@numba.njit
def _pairs(a, b, n, seed):
    np.random.seed(seed)
    out = np.empty((n, 2))
    for i in range(n):
        out[i, 0], out[i, 1] = lcmcr_kernel._log_beta_pair(a, b)
    return out


@pytest.mark.parametrize(("a", "b"), [(1.0, 0.004), (40.0, 0.004), (3.0, 0.5), (200.0, 7.0)])
def test_stick_breaking_draws_log_1_minus_v_in_log_space(a, b):
    # E log(1 - V) = digamma(b) - digamma(a + b) for V ~ Beta(a, b); with b = 0.004, V rounds to 1
    # in almost every draw, where the previous kernel used -745.
    from scipy.special import digamma

    d = _pairs(a, b, 40_000, 5)
    assert np.isfinite(d).all()
    expected = digamma(b) - digamma(a + b)
    sd = d[:, 1].std()
    assert abs(d[:, 1].mean() - expected) < 5 * sd / math.sqrt(len(d))
    np.testing.assert_allclose(np.exp(d[:, 0]) + np.exp(d[:, 1]), 1.0, atol=1e-12)


def test_alpha_is_not_trapped_near_zero_on_kosovo(kosovo):
    # The defect held alpha near 0.002 and 2-4 occupied classes; its prior mean is 1.
    res = fit_lcmcr(kosovo, LcmcrSettings(burnin=2000, samples=500, thin=20, chains=2, seed=4,
                                          target_rhat=None, target_ess=None))
    assert np.median(res.alpha) > 0.2
    assert np.median(res.classes_used) >= 5
