"""Log-linear MSE against Rcapture's figures on Kosovo, and against first principles."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import gammaln
from scipy.stats import chi2

from dadkhah.estimate.closed import fit_closed_models
from dadkhah.estimate.loglinear import (
    HierarchicalModel,
    design_matrix,
    enumerate_models,
    fit_loglinear,
    fit_model,
    parse_model_name,
)
from dadkhah.estimate.table import table_from_counts


@pytest.fixture(scope="module")
def kosovo_fit(kosovo):
    return fit_loglinear(kosovo, max_order=3)


def test_four_lists_up_to_three_way_interactions_give_113_hierarchical_models():
    models = enumerate_models(4, 3)
    assert len(models) == 113
    assert len({m.name for m in models}) == 113
    assert all(m.max_order <= 3 for m in models)


def test_three_lists_give_the_eight_models_without_the_saturated_term():
    names = {m.name for m in enumerate_models(3)}
    assert len(names) == 8
    assert "[1,2,3]" in names and "[12,13,23]" in names and "[123]" not in names


def test_model_names_use_rcapture_notation_and_parse_back():
    model = parse_model_name("[123,14,34]", 4)
    assert model.name == "[123,14,34]"
    assert model.n_params == 11  # intercept, 4 main effects, 12 13 23 14 34, 123
    assert parse_model_name("[34,123,14]", 4) == model
    assert HierarchicalModel.from_terms(4, [(0, 1)]).name == "[12,3,4]"


def test_the_saturated_interaction_is_refused():
    with pytest.raises(ValueError, match="saturated"):
        parse_model_name("[1234]", 4)


def test_kosovo_lowest_bic_model_matches_rcapture(kosovo_fit):
    best = kosovo_fit.best
    assert best.name == "[123,14,34]"
    assert round(best.abundance, 2) == 10356.52
    assert round(best.se, 2) == 785.90
    assert round(best.deviance, 4) == 9.3227
    assert best.df == 4
    assert round(best.bic, 2) == 203.03


def test_kosovo_second_model_by_bic_matches_rcapture(kosovo_fit):
    second = kosovo_fit.models[1]
    assert second.name == "[123,134]"
    assert round(second.abundance, 2) == 12740.97
    assert round(second.bic, 2) == 203.11


def test_kosovo_fits_all_113_models_and_their_bic_weights_sum_to_one(kosovo_fit):
    assert len(kosovo_fit.models) == 113
    assert sum(m.weight for m in kosovo_fit.models) == pytest.approx(1.0)
    bics = [m.bic for m in kosovo_fit.models]
    assert bics == sorted(bics)


def test_model_average_lies_between_the_smallest_and_largest_model_estimates(kosovo_fit):
    est = [m.abundance for m in kosovo_fit.models]
    assert min(est) < kosovo_fit.average < max(est)
    lo, hi = kosovo_fit.average_interval
    assert kosovo_fit.table.documented <= lo < kosovo_fit.average < hi


def test_kosovo_closed_population_models_match_rcapture(kosovo):
    closed = fit_closed_models(kosovo)
    assert round(closed["M0"].abundance, 2) == 7608.37
    assert round(closed["M0"].se, 2) == 136.62
    assert round(closed["Mt"].abundance, 2) == 7394.59
    assert round(closed["Mt"].se, 2) == 129.63
    assert round(closed["Mth Chao"].abundance, 2) == 8591.18


def test_two_lists_reduce_to_the_lincoln_petersen_estimator():
    # Independence on two lists: N = n1 * n2 / m.
    n10, n01, n11 = 300, 200, 100
    tab = table_from_counts({"10": n10, "01": n01, "11": n11})
    fit = fit_loglinear(tab).best
    assert fit.name == "[1,2]"
    assert fit.abundance == pytest.approx((n10 + n11) * (n01 + n11) / n11)


def test_profile_interval_ends_where_the_likelihood_ratio_reaches_the_chi2_cut(kosovo):
    model = parse_model_name("[12,13,14,23,24,34]", 4)
    fit = fit_model(kosovo, model)
    X = design_matrix(model)
    n = kosovo.documented

    # Independent check: profile log-likelihood by fitting the complete table at fixed N.
    def profile(N: float) -> float:
        from dadkhah.estimate.poisson import fit_poisson

        y = kosovo.counts.astype(float)
        y[0] = N - n
        mu = fit_poisson(X, y).mu
        keep = y > 0
        return gammaln(N + 1) - gammaln(N - n + 1) + float(np.sum(y[keep] * np.log(mu[keep] / N)))

    grid = np.linspace(fit.lower * 0.9, fit.upper * 1.1, 400)
    values = np.array([profile(N) for N in grid])
    top = values.max()
    inside = grid[values >= top - chi2.ppf(0.95, 1) / 2]
    assert inside.min() == pytest.approx(fit.lower, rel=2e-3)
    assert inside.max() == pytest.approx(fit.upper, rel=2e-3)
    assert fit.lower < fit.abundance < fit.upper


def test_a_model_touching_an_empty_margin_is_flagged_not_identifiable():
    # Lists 1 and 2 never overlap: the 1-2 interaction is -infinity.
    tab = table_from_counts({"100": 50, "010": 40, "001": 60, "101": 20, "011": 15})
    res = fit_loglinear(tab)
    by_name = {m.name: m for m in res.models}
    assert not by_name["[12,3]"].identifiable
    assert by_name["[1,2,3]"].identifiable
    assert any("not identifiable" in w for w in res.warnings)
    assert res.best.identifiable


def test_estimates_never_fall_below_the_documented_count(kosovo_fit):
    n = kosovo_fit.table.documented
    assert all(m.abundance >= n for m in kosovo_fit.models)
    assert all(m.lower is None or m.lower >= n for m in kosovo_fit.models)
    assert all(math.isfinite(m.se) for m in kosovo_fit.models if m.identifiable)
