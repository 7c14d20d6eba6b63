"""Six lists and more: every one of the 32,768 two-way hierarchical models of a six-list table, as
Rcapture's closedpMS.t fits them; beyond that a guided (stepwise BIC) search.

The six-list table is the UK 2013 strategic assessment of modern slavery (Silverman 2014, Home Office;
the counts as published in R's SparseMSE as UKdat): 2,744 potential victims on six lists. Silverman's
published range for the total is 10,000 to 13,000.
"""

from __future__ import annotations

import numpy as np
import pytest

from dadkhah.estimate.loglinear import (
    HierarchicalModel,
    enumerate_models,
    fit_loglinear,
    fit_model,
    fit_models,
    guided_search,
)
from dadkhah.estimate.table import example_path, read_table_csv, table_from_counts


@pytest.fixture(scope="module")
def uk():
    return read_table_csv(example_path("uk-2013")).total


def test_the_uk_table_is_the_published_one(uk):
    assert uk.lists == ("LA", "NG", "PF", "GO", "GP", "NCA")
    assert uk.documented == 2744
    assert int((uk.counts[1:] > 0).sum()) == 25
    assert uk.list_sizes == {"LA": 94, "NG": 567, "PF": 1102, "GO": 807, "GP": 336, "NCA": 102}


def test_six_lists_have_32768_two_way_models_named_as_rcapture_does():
    models = enumerate_models(6, 2)
    assert len(models) == 32_768
    assert len({m.name for m in models}) == 32_768
    for m in models[::1021]:  # the fast path builds the same model as the general one
        assert m == HierarchicalModel.from_terms(6, [g for g in m.generators])


def test_batched_fits_equal_one_by_one_fits(uk, kosovo):
    for table, models in ((kosovo, enumerate_models(4, 3)), (uk, enumerate_models(6, 2)[::211])):
        batch = fit_models(table, models)
        for b, m in zip(batch, models, strict=True):
            one = fit_model(table, m, interval=False)
            assert (b.identifiable, b.converged, b.df, b.n_params) == (one.identifiable, one.converged, one.df,
                                                                        one.n_params)
            if one.identifiable:
                assert b.abundance == pytest.approx(one.abundance, rel=1e-9)
                assert b.bic == pytest.approx(one.bic, abs=1e-7)
                assert b.se == pytest.approx(one.se, rel=1e-6)


@pytest.mark.slow
def test_all_32768_models_of_the_uk_table_and_the_lowest_bic(uk):
    res = fit_loglinear(uk, max_order=2, intervals="best")
    assert len(res.models) == 32_768
    assert res.search is None
    best = res.best
    # Our figures (no R here to run closedpMS.t); the total lies in Silverman's published range.
    assert best.name == "[12,13,25,35,36,45]"
    assert best.abundance == pytest.approx(12_349.59, abs=0.05)
    assert 10_000 <= best.abundance <= 13_000
    assert best.lower < 12_349 < best.upper
    assert res.models[1].bic >= best.bic
    doc = res.to_dict()
    assert doc["n_models"] == 32_768 and doc["models_listed"] == 500
    assert sum(r["observed"] for r in doc["residuals"]) == 2744


def test_the_guided_search_finds_the_exhaustive_lowest_bic_model_on_the_uk_table(uk):
    fits, info = guided_search(uk, 2)
    assert info["selected"] == "[12,13,25,35,36,45]"
    assert fits[0].abundance == pytest.approx(12_349.59, abs=0.05)
    assert info["models_fitted"] < 500


def test_eight_lists_are_searched_not_enumerated():
    rng = np.random.default_rng(8)
    N, t = 3000, 8
    p = rng.uniform(0.1, 0.4, t)
    x = rng.random((N, t)) < p
    x[:, 1] |= x[:, 0] & (rng.random(N) < 0.3)  # one dependent pair
    cells = x.astype(int) @ (1 << np.arange(t - 1, -1, -1))
    counts = np.bincount(cells, minlength=2**t)
    table = table_from_counts({format(c, f"0{t}b"): int(counts[c]) for c in range(1, 2**t) if counts[c]})
    res = fit_loglinear(table, max_order=2, intervals="best")
    assert res.search is not None and res.search["search"].startswith("stepwise")
    assert "12" in res.best.name  # the dependence between lists 1 and 2 is found
    assert any("stepwise BIC search" in w for w in res.warnings)
    assert 0.7 * N < res.best.abundance < 1.3 * N
