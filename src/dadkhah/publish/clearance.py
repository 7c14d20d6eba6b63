"""Clearing a victim's record for the public memorial.

A person appears on the memorial only when *both* hold:

1. the team has cleared the record: ``person.extra["publication"] == "cleared"`` (set by
   :func:`clear`, i.e. ``dadkhah publish clear ID``; :func:`withdraw` takes it back), and
2. the person is public and is the victim in at least one public participation in a public event.

Clearing is a reviewer's decision: it needs the ``review`` permission, and it is written to the
audit chain like every other change (who, when, and the note given).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from dadkhah.access import Principal, require
from dadkhah.errors import InputError, NotFound
from dadkhah.model import Event, Participation, Person

CLEARED = "cleared"
WITHDRAWN = "withdrawn"


def _person(session: Session, person_id: str) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(f"no person with id {person_id!r}")
    return person


def _set(session: Session, person_id: str, value: str, note: str | None) -> Person:
    principal: Principal | None = session.info.get("principal")
    if principal is not None:
        require(principal, "review")
    person = _person(session, person_id)
    extra = dict(person.extra or {})
    extra["publication"] = value
    extra["publication_by"] = session.info.get("actor") or (principal.name if principal else None)
    extra["publication_at"] = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    if note:
        extra["publication_note"] = note
    else:
        extra.pop("publication_note", None)
    person.extra = extra  # a new dict, so the change is seen (and audited)
    session.flush()
    return person


def clear(session: Session, person_id: str, *, note: str | None = None) -> Person:
    """Mark a victim's record as cleared for the public memorial."""
    person = _person(session, person_id)
    if person.sensitivity != "public":
        raise InputError(f"{person_id} is {person.sensitivity}: only a public record can be cleared for the "
                         "memorial (change its sensitivity first if that is intended)", field="person")
    if not is_public_victim(session, person_id):
        raise InputError(f"{person_id} is not the victim in any public event: the memorial lists victims only",
                         field="person")
    return _set(session, person_id, CLEARED, note)


def withdraw(session: Session, person_id: str, *, note: str | None = None) -> Person:
    """Take a record off the memorial (it disappears at the next ``dadkhah publish``)."""
    return _set(session, person_id, WITHDRAWN, note)


def _public_victim_roles():
    """Victim roles that are public, in public events (Event is aliased: both share the entity table)."""
    event = aliased(Event, flat=True)
    return (select(Participation.participant_id).join(event, event.id == Participation.event_id)
            .where(Participation.role == "victim", Participation.sensitivity == "public",
                   event.sensitivity == "public"))


def is_public_victim(session: Session, person_id: str) -> bool:
    row = session.execute(_public_victim_roles().where(Participation.participant_id == person_id).limit(1)).first()
    return row is not None


def cleared_victims(session: Session) -> list[Person]:
    """The persons the memorial lists, in a stable order."""
    ids = set(session.scalars(_public_victim_roles()))
    if not ids:
        return []
    persons = session.scalars(select(Person).where(Person.id.in_(ids), Person.sensitivity == "public")
                              .order_by(Person.id)).all()
    return [p for p in persons if (p.extra or {}).get("publication") == CLEARED]
