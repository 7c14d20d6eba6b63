"""Clearing a victim's record for the public memorial."""

from __future__ import annotations

import pytest

from dadkhah.access import SYSTEM, Forbidden, Principal, Role
from dadkhah.errors import InputError
from dadkhah.publish.clearance import clear, cleared_victims, withdraw
from dadkhah.records.service import add_event, add_participation, add_person


def small_case(case):
    with case.session() as s:
        add_event(s, id="ev", event_type="execution", label="Executions", date="1988-08")
        add_event(s, id="ev-secret", event_type="execution", label="Secret executions", sensitivity="restricted")
        add_person(s, id="v1", names=["Parvaneh Sadeghi", {"text": "پروانه صادقی", "lang": "fa"}])
        add_person(s, id="v2", names=["Hidden Person"], sensitivity="restricted")
        add_person(s, id="v3", names=["Only Secret Victim"])
        add_person(s, id="p", names=["Not A Victim"])
        add_participation(s, event_id="ev", participant_id="v1", role="victim")
        add_participation(s, event_id="ev", participant_id="v2", role="victim")
        add_participation(s, event_id="ev-secret", participant_id="v3", role="victim")
        add_participation(s, event_id="ev", participant_id="p", role="perpetrator_direct")


def test_a_cleared_public_victim_is_listed_and_a_withdrawn_one_is_not(case):
    small_case(case)
    with case.session(actor="reviewer-anna") as s:
        person = clear(s, "v1", note="family consent, 2024-03")
    assert person.extra["publication"] == "cleared" and person.extra["publication_by"] == "reviewer-anna"
    with case.reader(SYSTEM) as s:
        assert [p.id for p in cleared_victims(s)] == ["v1"]
    with case.session() as s:
        withdraw(s, "v1")
    with case.reader(SYSTEM) as s:
        assert cleared_victims(s) == []


@pytest.mark.parametrize("person, problem", [("v2", "restricted"), ("p", "not the victim"),
                                             ("v3", "not the victim")])
def test_only_public_victims_of_public_events_can_be_cleared(case, person, problem):
    small_case(case)
    with pytest.raises(InputError, match=problem), case.session() as s:
        clear(s, person)


def test_clearing_needs_the_review_permission(case):
    small_case(case)
    viewer = Principal("victor", Role.viewer)
    with pytest.raises(Forbidden), case.session(principal=viewer) as s:
        clear(s, "v1")


def test_a_clearance_is_in_the_audit_chain(case):
    small_case(case)
    from sqlalchemy import select

    from dadkhah.store.audit import AuditEntry

    with case.session(actor="reviewer-anna") as s:
        clear(s, "v1")
    with case.reader(SYSTEM) as s:
        rows = [(r.actor, str(r.after)) for r in s.scalars(select(AuditEntry).where(AuditEntry.record_id == "v1"))]
    assert any(actor == "reviewer-anna" and "cleared" in after for actor, after in rows)
