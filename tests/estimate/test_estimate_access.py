"""Estimates read through access (issue #12, item 3): the access matrix on both backends.

The linked case has two public lists (family-network, ngo), two restricted (roster, cemetery) and one
confidential (witness). An estimate for a reader counts only the lists and records the reader may see,
and lists whose holders allow aggregate publication; nothing about a hidden list (its name, its size,
its overlaps) appears in what the reader gets.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from dadkhah.access import SYSTEM, Principal, Role, audience, operator
from dadkhah.errors import NotFound
from dadkhah.estimate.access import screen_document
from dadkhah.estimate.lcmcr import LcmcrSettings
from dadkhah.estimate.runs import create_run, execute_run, get_run, list_runs, set_aggregate_publication
from dadkhah.estimate.service import EstimateError, EstimateOptions, estimate_case

LEVELS = {"family-network": "public", "ngo": "public", "roster": "restricted", "cemetery": "restricted",
          "witness": "confidential"}  # as tests/estimate/conftest.py sets them
FAST = EstimateOptions(method="loglinear", seed=1)
READERS = {
    "admin": (operator("tester"), {"public", "restricted", "confidential"}),
    "investigator": (Principal("inv", Role.investigator), {"public", "restricted", "confidential"}),
    "analyst": (Principal("ana", Role.analyst), {"public", "restricted"}),
    "viewer": (Principal("vie", Role.viewer), {"public", "restricted"}),
    "public": (audience("public"), {"public"}),
}


def _expected_documented(case, levels: set[str], whole: set[str] = frozenset()) -> int:
    """Clusters with at least one record the reader may count, computed from the tables directly."""
    from dadkhah.linkage.tables import LinkAssignment
    from dadkhah.lists.tables import ListRecord, VictimList

    with case.reader(operator()) as s:
        rows = s.execute(
            select(ListRecord.id, VictimList.name, ListRecord.sensitivity, VictimList.sensitivity)
            .join(VictimList, VictimList.id == ListRecord.list_id).where(ListRecord.status == "active")
        ).all()
        assigned = dict(s.execute(select(LinkAssignment.record_id, LinkAssignment.cluster)).all())
    return len({assigned.get(rid, f"c{rid}") for rid, name, rsens, lsens in rows
                if name in whole or (lsens in levels and rsens in levels)})


def test_an_estimate_needs_an_explicit_principal(linked_case):
    with pytest.raises(TypeError):
        estimate_case(linked_case, FAST)  # no default reader
    with pytest.raises(PermissionError):
        estimate_case(linked_case, FAST, principal=None)


@pytest.mark.parametrize("reader", list(READERS))
def test_each_reader_counts_only_the_lists_and_records_it_may_see(linked_case, reader):
    principal, levels = READERS[reader]
    doc = estimate_case(linked_case, FAST, principal=principal).to_dict()
    expected = [name for name, level in LEVELS.items() if level in levels]
    assert doc["lists"] == expected
    assert set(doc["list_sizes"]) == set(expected)
    assert doc["documented"] == _expected_documented(linked_case, levels)
    text = json.dumps(doc, ensure_ascii=False)
    for name, level in LEVELS.items():
        if level not in levels:
            assert name not in text, f"{reader} sees the name of hidden list {name}"
    assert doc["access"]["ceiling"] == principal.ceiling.value
    assert all(entry["counted_as"] == "visible to the reader" for entry in doc["access"]["lists"])


def test_a_list_that_allows_aggregate_publication_is_counted_whole_for_readers_below_it(linked_case):
    analyst = READERS["analyst"][0]
    before = estimate_case(linked_case, FAST, principal=analyst).to_dict()
    try:
        assert set_aggregate_publication(linked_case, "witness", True, actor="tester")["aggregate_publication"]
        after = estimate_case(linked_case, FAST, principal=analyst).to_dict()
        assert after["lists"] == list(LEVELS)
        assert after["documented"] == _expected_documented(linked_case, {"public", "restricted"}, {"witness"})
        assert after["documented"] > before["documented"]
        entry = next(e for e in after["access"]["lists"] if e["name"] == "witness")
        assert entry["counted_as"] == "aggregate publication"
        # The public audience counts the public lists and the aggregate-published one, not the restricted.
        public = estimate_case(linked_case, FAST, principal=audience("public")).to_dict()
        assert public["lists"] == ["family-network", "ngo", "witness"]
    finally:
        set_aggregate_publication(linked_case, "witness", False, actor="tester")
    assert estimate_case(linked_case, FAST, principal=analyst).to_dict()["lists"] == before["lists"]


def test_a_file_estimate_naming_hidden_lists_is_withheld_from_a_lower_audience(linked_case):
    full = estimate_case(linked_case, FAST, principal=operator()).to_dict()
    shown, note = screen_document(linked_case, full, audience("public"))
    assert shown is None and "may not see" in note
    public = estimate_case(linked_case, FAST, principal=audience("public")).to_dict()
    assert screen_document(linked_case, public, audience("public")) == (public, None)
    assert screen_document(linked_case, full, operator())[0] is full


def test_dossier_case_report_for_the_public_prints_no_hidden_list(linked_case):
    from dadkhah.dossier.report import case_report

    est = estimate_case(linked_case, FAST, principal=audience("public"))
    with linked_case.reader(SYSTEM) as s:
        ctx = case_report(s, "public", estimate=est)
    assert ctx["estimate"]["lists"] == ["family-network", "ngo"]
    assert "witness" not in json.dumps(ctx["estimate"]) and "roster" not in json.dumps(ctx["estimate"])


def test_estimate_runs_are_stored_and_shown_only_at_or_above_their_level(linked_case):
    analyst, investigator = READERS["analyst"][0], READERS["investigator"][0]
    quick = {"min_stratum": 30}
    a = create_run(linked_case, analyst, method="loglinear", seed=1, options=quick)
    execute_run(linked_case, a, analyst)
    i = create_run(linked_case, investigator, method="loglinear", seed=1, options=quick)
    execute_run(linked_case, i, investigator)
    run = get_run(linked_case, a, analyst)
    assert run["state"] == "done" and run["has_report"], run
    assert "witness" not in json.dumps(run["summary"])
    assert "witness" in get_run(linked_case, i, investigator)["summary"]["lists"]
    assert [r["id"] for r in list_runs(linked_case, analyst)].count(i) == 0
    assert {a, i} <= {r["id"] for r in list_runs(linked_case, investigator)}
    with pytest.raises(NotFound):
        get_run(linked_case, i, analyst)
    with pytest.raises(PermissionError):
        create_run(linked_case, READERS["viewer"][0], method="loglinear", seed=1)  # no analyse right


def test_a_run_that_fails_says_why_in_the_database(linked_case):
    analyst = READERS["analyst"][0]
    run_id = create_run(linked_case, analyst, method="loglinear", seed=1, strata=["no-such-field"])
    execute_run(linked_case, run_id, analyst)
    run = get_run(linked_case, run_id, analyst)
    assert run["state"] == "failed" and "no-such-field" in run["error"]


def test_linkage_uncertainty_on_the_case_sets_pooled_beside_fixed(linked_case):
    opts = EstimateOptions(method="bma", seed=3, lcmcr=LcmcrSettings(samples=200, burnin=200, thin=2))
    run = estimate_case(linked_case, opts, principal=operator(), linkage_draws=4)
    lu = run.to_dict()["linkage_uncertainty"]
    assert lu["draws"] == 4 and lu["pairs"] > 0
    row = lu["methods"][0]
    assert row["method"] == "bma"
    assert row["pooled"]["configurations"] == 4
    assert row["pooled"]["lower"] <= row["pooled"]["estimate"] <= row["pooled"]["upper"]
    assert row["fixed"]["estimate"] == pytest.approx(run.overall["bma"].estimate, abs=0.1)


def test_an_estimate_for_a_reader_who_may_count_no_list_says_so(linked_case):
    from dadkhah.lists.tables import VictimList

    with linked_case.session() as s:
        saved = {vl.name: vl.sensitivity for vl in s.scalars(select(VictimList))}
        for vl in s.scalars(select(VictimList)):
            vl.sensitivity = "confidential"
    try:
        with pytest.raises(EstimateError, match="no list"):
            estimate_case(linked_case, FAST, principal=READERS["analyst"][0])
    finally:
        with linked_case.session() as s:
            for vl in s.scalars(select(VictimList)):
                vl.sensitivity = saved[vl.name]
