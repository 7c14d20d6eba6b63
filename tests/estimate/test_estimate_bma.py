"""Bayesian model averaging over decomposable graphs, against Madigan & York and dga."""

from __future__ import annotations

import numpy as np
import pytest

from dadkhah.estimate.bma import decomposable_graphs, fit_bma, negative_binomial_log_prior
from dadkhah.estimate.table import table_from_counts


@pytest.mark.parametrize(("t", "count"), [(3, 8), (4, 61), (5, 822)])
def test_there_are_8_61_and_822_decomposable_graphs_on_3_4_and_5_lists(t, count):
    assert len(decomposable_graphs(t)) == count


def test_separators_of_a_chain_graph_are_its_middle_vertices():
    names = {g.name: g for g in decomposable_graphs(4)}
    chain = names["[12,23,34]"]
    assert sorted(chain.separators) == [(1,), (2,)]
    assert names["[1,2,3,4]"].separators == ()
    assert "[12,23,34,14]" not in names  # the 4-cycle is not decomposable


def test_madigan_york_three_list_example(madigan_york):
    # Madigan & York (1997): delta = 1, negative-binomial prior on N (a = 13.14, b = 55.17).
    res = fit_bma(
        madigan_york,
        delta=1.0,
        n_missing=np.arange(1, 301),
        log_prior=negative_binomial_log_prior(13.14, 55.17),
    )
    assert round(res.relative_loss_estimate) == 731
    assert res.estimate == 731  # the posterior median agrees
    assert res.mode == 728


def test_kosovo_matches_dga(kosovo):
    res = fit_bma(kosovo, delta=2**-4, n_missing=np.arange(1, 30_001))
    assert res.estimate == 12_595
    assert round(res.mean) == 12_749
    assert (res.lower, res.upper) == (9_827, 16_544)


def test_posterior_probabilities_sum_to_one(kosovo):
    res = fit_bma(kosovo, seed=1)
    assert res.posterior.sum() == pytest.approx(1.0)
    assert res.graph_probs.sum() == pytest.approx(1.0)
    assert res.to_dict()["models"][0]["name"] == "[123,134]"


def test_draws_are_reproducible_with_a_seed(kosovo):
    a = fit_bma(kosovo, seed=5, draws=500, n_max=30_000).draws
    b = fit_bma(kosovo, seed=5, draws=500, n_max=30_000).draws
    c = fit_bma(kosovo, seed=6, draws=500, n_max=30_000)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c.draws)
    assert abs(np.median(a) - c.estimate) < 500


def test_a_posterior_piling_up_at_the_bound_is_flagged(kosovo):
    res = fit_bma(kosovo, n_max=7000)
    assert any("piles up at the truncation bound" in w for w in res.warnings)
    assert not fit_bma(kosovo).warnings


@pytest.mark.parametrize("pattern_length", [2, 6])
def test_bma_refuses_fewer_than_3_or_more_than_5_lists(pattern_length):
    tab = table_from_counts({"1" + "0" * (pattern_length - 1): 5, "1" * pattern_length: 2})
    with pytest.raises(ValueError, match="3 to 5 lists"):
        fit_bma(tab)
