"""Stratified estimation: strata are estimated separately and totals add up."""

from __future__ import annotations

import numpy as np
import pytest

from dadkhah.estimate.lcmcr import LcmcrSettings
from dadkhah.estimate.service import EstimateOptions, estimate
from dadkhah.estimate.stratified import sum_draws, sum_normal
from dadkhah.estimate.table import parse_table_text

SHORT = LcmcrSettings(burnin=500, samples=200, thin=5, chains=2, max_sweeps=1500)

TWO_PROVINCES = """pattern,count,province
100,120,North
010,90,North
001,70,North
110,30,North
101,25,North
011,20,North
111,8,North
100,60,South
010,80,South
001,40,South
110,10,South
101,12,South
011,15,South
111,3,South
"""


def test_summing_aligned_draws_adds_them_draw_by_draw():
    a = np.array([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]])
    b = 10 * a
    total, summary = sum_draws([a, b])
    assert np.array_equal(total, 11 * a)
    assert summary["median"] == pytest.approx(np.median(11 * a))


def test_draws_of_different_shapes_cannot_be_summed():
    with pytest.raises(ValueError, match="differ in shape"):
        sum_draws([np.zeros(10), np.zeros(12)])


def test_independent_standard_errors_add_in_quadrature():
    total, se, (lo, hi) = sum_normal(100, [150.0, 250.0], [30.0, 40.0])
    assert total == 400 and se == 50
    assert 100 <= lo < 400 < hi


def test_log_linear_total_is_the_sum_of_the_strata():
    tables = parse_table_text(TWO_PROVINCES, strata=["province"])
    run = estimate(tables, EstimateOptions(method="loglinear"))
    doc = run.to_dict()
    assert [s["stratum"] for s in doc["strata"]] == [{"province": "North"}, {"province": "South"}]
    assert doc["estimate"] == pytest.approx(sum(s["estimate"] for s in doc["strata"]), abs=0.02)
    assert doc["documented"] == sum(s["documented"] for s in doc["strata"]) == 583
    assert doc["lower"] < doc["estimate"] < doc["upper"]


@pytest.mark.parametrize("method", ["lcmcr", "bma"])
def test_bayesian_totals_are_the_posterior_of_the_summed_draws(method):
    tables = parse_table_text(TWO_PROVINCES, strata=["province"])
    run = estimate(tables, EstimateOptions(method=method, seed=11, lcmcr=SHORT))
    total = run.overall[method]
    parts = [s.methods[method] for s in run.strata]
    summed = np.sum([np.asarray(p.draws) for p in parts], axis=0)
    assert np.array_equal(total.draws, summed)
    assert total.estimate == pytest.approx(np.median(summed))
    assert total.estimate > sum(p.documented for p in parts)
    assert run.to_dict()["strata_fields"] == ["province"]


def test_stratified_runs_are_reproducible_with_a_seed():
    tables = parse_table_text(TWO_PROVINCES, strata=["province"])
    a = estimate(tables, EstimateOptions(method="lcmcr", seed=3, lcmcr=SHORT)).to_dict()
    b = estimate(tables, EstimateOptions(method="lcmcr", seed=3, lcmcr=SHORT)).to_dict()
    assert a["estimate"] == b["estimate"]
    assert [s["estimate"] for s in a["strata"]] == [s["estimate"] for s in b["strata"]]
    # Strata get different random streams.
    assert a["strata"][0]["diagnostics"]["seeds"] != a["strata"][1]["diagnostics"]["seeds"]


def test_warnings_from_a_stratum_say_which_stratum():
    text = TWO_PROVINCES + "100,5,East\n010,3,East\n110,1,East\n001,2,East\n"
    run = estimate(parse_table_text(text, strata=["province"]), EstimateOptions(method="loglinear", min_stratum=1))
    east = [w for w in run.to_dict()["warnings"] if w.get("stratum") == "province=East"]
    assert {w["code"] for w in east} >= {"isolated_list", "small_sample"}


def test_small_strata_are_pooled_and_named():
    text = TWO_PROVINCES + "100,5,East\n010,3,East\n110,1,East\n001,2,East\n100,4,West\n011,2,West\n"
    run = estimate(parse_table_text(text, strata=["province"]), EstimateOptions(method="loglinear"))
    doc = run.to_dict()
    names = [s["stratum"]["province"] for s in doc["strata"]]
    assert names == ["North", "South", "small strata"]
    pooled = doc["strata"][-1]
    assert pooled["pooled"] == ["province=East", "province=West"] and pooled["documented"] == 17
    assert any(w["code"] == "small_strata_pooled" and "East" in w["message"] for w in doc["warnings"])
    assert doc["documented"] == sum(s["documented"] for s in doc["strata"])


def test_a_stratum_that_cannot_be_fitted_is_named_and_the_others_go_on():
    # West: every victim on list 1 only -> the other lists record no one there; MSE cannot be done.
    text = TWO_PROVINCES + "100,40,West\n"
    run = estimate(parse_table_text(text, strata=["province"]), EstimateOptions(method="loglinear"))
    doc = run.to_dict()
    west = next(s for s in doc["strata"] if s["stratum"]["province"] == "West")
    assert "loglinear" in west["failed"] and "record no" in west["failed"]["loglinear"]
    fitted = [s for s in run.strata if "loglinear" in s.methods]
    assert [s.label["province"] for s in fitted] == ["North", "South"]
    total = sum(s.methods["loglinear"].estimate for s in fitted) + 40
    assert doc["estimate"] == pytest.approx(total, abs=0.01)
    assert any(w["code"] == "strata_unfitted" and "West" in w["message"] for w in doc["warnings"])


def test_bayesian_totals_sum_draws_even_when_strata_ran_different_lengths():
    from dadkhah.estimate.service import _align

    a = np.arange(2 * 100, dtype=float).reshape(2, 100)
    b = np.arange(2 * 400, dtype=float).reshape(2, 400)
    x, y = _align([a, b])
    assert x.shape == y.shape == (2, 100)
    assert y[0, 0] == 0 and y[0, -1] == 399
