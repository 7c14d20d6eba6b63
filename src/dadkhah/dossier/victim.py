"""The victim file: who the person was, what happened to them, where they lie, and what says so."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from dadkhah.access import allowed_sensitivities, can_see
from dadkhah.access.screen import read_as
from dadkhah.casework.allegations import allegation_matrix, person_links
from dadkhah.casework.evidence import exhibits_for, photo_of, statements_about
from dadkhah.dossier.common import SourceNotes, audience_for, header
from dadkhah.errors import NotFound
from dadkhah.model import Event, Participation, Person, Place
from dadkhah.records.naming import all_name_forms, display_name

FATE_EVENTS = ("arrest", "detention", "interrogation", "trial", "sentencing", "torture", "execution",
               "death_in_custody", "enforced_disappearance", "killing", "burial", "notification", "release")


def victim_file(session: Session, person_id: str, audience: str, *, case_title: str | None = None,
                blobs=None) -> dict:
    """The template context of a victim file, as ``audience`` may read it."""
    principal = audience_for(audience)
    read_as(session, principal)  # protected witnesses' names read as their pseudonyms below identity readers
    person = session.get(Person, person_id)
    if person is None or not can_see(principal, person):
        raise NotFound(f"no person with id {person_id!r}" + ("" if person is None else f" visible to {audience}"))
    name = display_name(person, principal)
    parts, mems = person_links(session, person_id, principal)
    allowed = allowed_sensitivities(principal)
    fate = []
    for p in parts:
        ev = session.get(Event, p.event_id)
        place = session.get(Place, ev.place_id) if ev.place_id else None
        others = session.scalars(select(Participation).where(Participation.event_id == ev.id,
                                                             Participation.id != p.id,
                                                             Participation.sensitivity.in_(allowed))).all()
        perpetrators, relatives = [], []
        for o in others:
            who = session.get(Person, o.participant_id)
            if who is None or not can_see(principal, who):
                continue
            entry = {"id": who.id, "name": display_name(who, principal), "role": o.role}
            if o.role.startswith("perpetrator"):
                perpetrators.append(entry)
            elif o.role == "relative":
                relatives.append(entry)
        fate.append({"event": ev, "role": p.role, "date": ev.date, "date_low": ev.date_low,
                     "place": place if place is not None and can_see(principal, place) else None,
                     "perpetrators": perpetrators, "relatives": relatives})
    fate.sort(key=lambda f: (f["date_low"] is None, f["date_low"] or dt.date.min))
    notes = SourceNotes(session, principal)
    facts = allegation_matrix(session, person_id, principal, with_rivals=True)
    for row in facts:
        for ref in (*row.supporting, *row.contradicting):
            ref.note = notes.number(ref.source_id)
    statements = statements_about(session, person_id, principal, audience)
    exhibits = exhibits_for(session, principal, entity_ids=[person_id, *(p.id for p in parts)],
                            claim_ids=[f.claim_id for f in facts], source_ids=notes.ids(),
                            item_ids=[i for s in statements for i in s.item_ids])
    notes.attach_exhibits(exhibits)
    ctx = header("victim", f"Victim file: {name.main}", audience, case_title)
    ctx.update(subject=person, name=name, names=all_name_forms(person, principal),
               photo=photo_of(session, person_id, principal, blobs),
               facts_table={"gender": person.gender, "birth": person.birth, "death": person.death,
                            "father_name": person.father_name, "nationality": person.nationality},
               description=person.description, fate=fate, facts=facts, statements=statements,
               exhibits=exhibits, sources=notes.notes(),
               memberships=list(mems),
               publication=(person.extra or {}).get("publication"))
    return ctx
