"""The service the CLI calls: method choice, empty lists, and the JSON document's shape."""

from __future__ import annotations

import pytest

from dadkhah.estimate.lcmcr import LcmcrSettings
from dadkhah.estimate.service import EstimateError, EstimateOptions, estimate
from dadkhah.estimate.table import StratifiedTables, table_from_counts

SHORT = LcmcrSettings(burnin=300, samples=100, thin=3, chains=2, max_sweeps=600)


def _tables(table) -> StratifiedTables:
    return StratifiedTables(table.lists, (), {(): table})


def test_a_list_with_no_victims_is_left_out_with_a_warning():
    tab = table_from_counts({"1000": 50, "0100": 40, "1100": 20, "0010": 30, "1010": 10, "0110": 8, "1110": 3})
    run = estimate(_tables(tab), EstimateOptions(method="loglinear"))
    doc = run.to_dict()
    assert doc["warnings"][0]["code"] == "empty_list"
    assert any(w["code"] == "empty_list_dropped" for w in doc["warnings"])
    assert run.overall["loglinear"].result.table.lists == ("1", "2", "3")


def test_a_table_with_fewer_than_two_informative_lists_is_refused():
    tab = table_from_counts({"100": 50})
    with pytest.raises(EstimateError, match="at least 2"):
        estimate(_tables(tab), EstimateOptions(method="loglinear"))


def test_unknown_methods_are_refused():
    with pytest.raises(EstimateError, match="unknown method"):
        estimate(_tables(table_from_counts({"10": 3, "01": 2, "11": 1})), EstimateOptions(method="magic"))


def test_all_methods_skip_bma_outside_three_to_five_lists():
    tab = table_from_counts({"10": 300, "01": 200, "11": 100})
    run = estimate(_tables(tab), EstimateOptions(method="all", seed=1, lcmcr=SHORT))
    assert run.methods == ("loglinear", "lcmcr")
    assert any(w.code == "bma_skipped" for w in run.warnings)


def test_asking_for_bma_on_two_lists_is_an_error():
    tab = table_from_counts({"10": 300, "01": 200, "11": 100})
    with pytest.raises(EstimateError, match="3 to 5 lists"):
        estimate(_tables(tab), EstimateOptions(method="bma"))


def test_the_headline_never_quotes_chains_that_did_not_converge(kosovo):
    run = estimate(_tables(kosovo), EstimateOptions(method="all", seed=2, lcmcr=SHORT))
    doc = run.to_dict()
    assert doc["methods"]["lcmcr"]["diagnostics"]["converged"] is False
    assert doc["primary"] == "bma" and doc["estimate"] == doc["methods"]["bma"]["estimate"]
    assert "did not converge" in doc["headline_note"]
    alone = estimate(_tables(kosovo), EstimateOptions(method="lcmcr", seed=2, lcmcr=SHORT))
    assert alone.headline_ok is False and alone.to_dict()["converged"] is False


def test_the_all_document_reports_the_latent_class_estimate_first_and_every_method(kosovo):
    from dataclasses import replace

    untargeted = replace(SHORT, target_rhat=None, target_ess=None)  # no convergence targets to meet
    run = estimate(_tables(kosovo), EstimateOptions(method="all", seed=2, lcmcr=untargeted))
    doc = run.to_dict()
    assert doc["method"] == "all" and doc["primary"] == "lcmcr"
    assert set(doc["methods"]) == {"loglinear", "lcmcr", "bma"}
    assert doc["estimate"] == doc["methods"]["lcmcr"]["estimate"]
    assert doc["methods"]["loglinear"]["selected_model"] == "[123,14,34]"
    assert doc["methods"]["bma"]["estimate"] == 12595
