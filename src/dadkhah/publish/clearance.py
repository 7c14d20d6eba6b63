"""Clearing a victim's record for the public memorial.

A person appears on the memorial only when *both* hold:

1. the team has cleared the record: ``person.extra["publication"] == "cleared"`` (set by
   :func:`clear`, i.e. ``dadkhah publish clear ID``; :func:`withdraw` takes it back), and
2. the person is a documented victim of the case as the public may see it (public person, public victim
   role in a public killing event: :mod:`dadkhah.records.population`, the definition every count shares).

Clearing is a reviewer's decision: it needs the ``review`` permission, and it is written to the
audit chain like every other change (who, when, and the note given).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from dadkhah.access import audience, need, require
from dadkhah.errors import InputError, NotFound
from dadkhah.model import Person
from dadkhah.records.population import documented_victims, is_documented_victim

CLEARED = "cleared"
WITHDRAWN = "withdrawn"


def _person(session: Session, person_id: str) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(f"no person with id {person_id!r}")
    return person


def _reviewer(session: Session):
    """The session's principal, who must be allowed to review (a bare session without one is refused,
    never waved through)."""
    principal = need(session.info.get("principal"), "clearing a record for the memorial")
    require(principal, "review")
    return principal


def _set(session: Session, person_id: str, value: str, note: str | None) -> Person:
    principal = _reviewer(session)
    person = _person(session, person_id)
    extra = dict(person.extra or {})
    extra["publication"] = value
    extra["publication_by"] = session.info.get("actor") or principal.name
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
    _reviewer(session)
    person = _person(session, person_id)
    if person.sensitivity != "public":
        raise InputError(f"{person_id} is {person.sensitivity}: only a public record can be cleared for the "
                         "memorial (change its sensitivity first if that is intended)", field="person")
    if not is_public_victim(session, person_id):
        raise InputError(f"{person_id} is not the victim of a killing in any public event: the memorial lists "
                         "the case's documented victims only", field="person")
    return _set(session, person_id, CLEARED, note)


def withdraw(session: Session, person_id: str, *, note: str | None = None) -> Person:
    """Take a record off the memorial (it disappears at the next ``dadkhah publish``)."""
    return _set(session, person_id, WITHDRAWN, note)


PUBLIC = audience("public")


def is_public_victim(session: Session, person_id: str) -> bool:
    return is_documented_victim(session, person_id, PUBLIC)


def cleared_victims(session: Session) -> list[Person]:
    """The persons the memorial lists, in a stable order: the documented victims the public may see,
    once cleared."""
    ids = documented_victims(session, PUBLIC)
    if not ids:
        return []
    persons = session.scalars(select(Person).where(Person.id.in_(ids), Person.sensitivity == "public")
                              .order_by(Person.id)).all()
    return [p for p in persons if (p.extra or {}).get("publication") == CLEARED]
