"""The victims of a case — one definition, used by every count.

A person is a *documented victim* of the case when the case records them in the role ``victim`` of an
event of a killing type (execution, killing, death in custody, enforced disappearance), and the reader
may see all three: the person, the participation and the event. Merged list victims are victims in
this sense by construction: the linkage gives every merged person a participation in an execution (or
death) event, citing the lists (:mod:`dadkhah.linkage.victims`).

Everything that counts victims asks this module, so the numbers agree:

- the case report's documented count (:func:`dadkhah.dossier.report.documented_counts`);
- the memorial (:mod:`dadkhah.publish.clearance`: documented victims the public may see, and cleared);
- the search index's ``population`` facet (:mod:`dadkhah.records.indexing`);
- the estimate's documented count: every row of the capture history (one cluster) is one merged person,
  and so one documented victim (:func:`dadkhah.linkage.capture.capture_history`, column ``person``).
"""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from dadkhah.access import Principal, allowed_sensitivities
from dadkhah.model import Event, Participation, Person

VICTIM_ROLE = "victim"
KILLING_EVENTS = ("execution", "killing", "death_in_custody", "enforced_disappearance")
#: the search-index facet (and its value) that marks a documented victim
FACET = "population"
FACET_VALUE = "victim"


def victim_roles(principal: Principal) -> Select:
    """(person id, participation id, event id, event type, place id, earliest date) of every victim role
    in a killing event that ``principal`` may see (person, participation and event alike)."""
    allowed = allowed_sensitivities(principal)
    event, person = aliased(Event, flat=True), aliased(Person, flat=True)  # all share the entity table
    return (select(Participation.participant_id, Participation.id, event.id, event.event_type, event.place_id,
                   event.date_low)
            .join(event, event.id == Participation.event_id)
            .join(person, person.id == Participation.participant_id)
            .where(Participation.role == VICTIM_ROLE, event.event_type.in_(KILLING_EVENTS),
                   Participation.sensitivity.in_(allowed), event.sensitivity.in_(allowed),
                   person.sensitivity.in_(allowed)))


def documented_victims(session: Session, principal: Principal) -> set[str]:
    """The ids of the persons ``principal`` may see as documented victims of the case."""
    return set(session.scalars(select(victim_roles(principal).subquery().c[0]).distinct()))


def is_documented_victim(session: Session, person_id: str, principal: Principal) -> bool:
    stmt = victim_roles(principal).where(Participation.participant_id == person_id).limit(1)
    return session.execute(stmt).first() is not None
