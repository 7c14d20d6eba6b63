"""What is alleged about a person, with evidence for and against; the person's career to the present."""

from __future__ import annotations

from dadkhah.access import SYSTEM, audience
from dadkhah.casework.allegations import allegation_matrix, roles_in_events
from dadkhah.casework.career import career


def by_claim(rows):
    return {r.claim_id: r for r in rows}


def test_each_allegation_lists_the_evidence_for_and_against_it_with_source_grades(synthetic):
    case, _ = synthetic
    with case.reader(SYSTEM) as s:
        rows = by_claim(allegation_matrix(s, "person-abbasi", audience("internal")))
    row = rows["claim-abbasi-execution"]
    assert [(e.source_id, e.grade) for e in row.supporting] == [("src-un", "A2"), ("src-press", "C3")]
    assert [(e.source_id, e.grade, e.stance) for e in row.contradicting] == [("src-denial", "E5", "contradicts")]
    assert row.status == "contested"
    assert row.best_grade == "A2"
    assert row.about_kind == "participation" and "Executions at Gohardasht" in row.about_label


def test_an_audience_sees_only_allegations_it_may_with_sources_it_may(synthetic):
    case, _ = synthetic
    with case.reader(SYSTEM) as s:
        internal = by_claim(allegation_matrix(s, "person-abbasi", audience("internal")))
        prosecutor = by_claim(allegation_matrix(s, "person-abbasi", audience("prosecutor")))
        public = by_claim(allegation_matrix(s, "person-abbasi", audience("public")))
    assert "claim-abbasi-restricted" in internal and "claim-abbasi-restricted" in prosecutor
    assert "claim-abbasi-restricted" not in public
    # a public claim whose only source is restricted is not shown to the public
    assert "claim-abbasi-hidden-source" in prosecutor and "claim-abbasi-hidden-source" not in public
    assert "claim-abbasi-execution" in public


def test_roles_in_events_put_perpetrator_roles_first(synthetic):
    case, _ = synthetic
    with case.reader(SYSTEM) as s:
        roles = roles_in_events(s, "person-abbasi", audience("public"))
        assert [r["role"] for r in roles] == ["perpetrator_direct", "defendant"]
        assert roles[0]["statuses"] == ["contested"]
        assert roles[0]["place"].id == "place-gohardasht"


def test_the_career_runs_in_date_order_up_to_where_the_person_is_now(synthetic):
    case, _ = synthetic
    with case.reader(SYSTEM) as s:
        life = career(s, "person-abbasi", audience("public"))
    kinds = [(e.kind, e.record_id) for e in life.entries]
    assert kinds.index(("position", "mem-abbasi-gohardasht")) < kinds.index(("event", "part-abbasi-execution"))
    assert kinds.index(("whereabouts", "claim-abbasi-now")) < kinds.index(("event", "part-abbasi-trial"))
    assert [e.record_id for e in life.current_positions] == ["mem-abbasi-ministry"]
    assert [w.where_label for w in life.whereabouts] == ["Stockholm"]
