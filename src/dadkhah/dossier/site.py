"""The mass-grave site file: where the site is, what has happened to it, who lies there, and the evidence.

- **Status history**: claims with predicate ``site_status`` about the site (e.g. intact, desecrated,
  built over), in date order, each with its sources and grades, next to dated events at the site
  (burials, grave destruction).
- **Victims linked to the site**: persons who are victims of events that happened at the site (or at
  a place within it), and persons a ``located_at`` claim places there (e.g. a burial location).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from dadkhah.access import allowed_sensitivities, can_see
from dadkhah.access.screen import read_as
from dadkhah.casework.allegations import visible_claims
from dadkhah.casework.evidence import exhibits_for, statements_about
from dadkhah.claims.status import status_for
from dadkhah.dossier.common import SourceNotes, audience_for, header
from dadkhah.errors import NotFound
from dadkhah.model import Claim, Event, Participation, Person, Place
from dadkhah.records.naming import all_name_forms, display_name


def _sub_places(session: Session, place_id: str) -> list[str]:
    found, frontier = [place_id], [place_id]
    while frontier:
        frontier = [c for c in session.scalars(select(Place.id).where(Place.parent_id.in_(frontier)))
                    if c not in found]
        found += frontier
    return found


def _ancestors(session: Session, place: Place, principal) -> list[Place]:
    chain, seen = [], {place.id}
    cur = place
    while cur.parent_id and cur.parent_id not in seen:
        cur = session.get(Place, cur.parent_id)
        if cur is None:
            break
        seen.add(cur.id)
        if can_see(principal, cur):
            chain.append(cur)
    return chain


def site_file(session: Session, place_id: str, audience: str, *, case_title: str | None = None,
              blobs=None) -> dict:
    """The template context of a site file, as ``audience`` may read it."""
    principal = audience_for(audience)
    read_as(session, principal)  # protected witnesses' names read as their pseudonyms below identity readers
    place = session.get(Place, place_id)
    if place is None or not can_see(principal, place):
        raise NotFound(f"no place with id {place_id!r}" + ("" if place is None else f" visible to {audience}"))
    allowed = allowed_sensitivities(principal)
    name = display_name(place, principal)
    notes = SourceNotes(session, principal)
    places = _sub_places(session, place_id)

    history = []
    for claim, cites in visible_claims(session, [place_id], principal, include_object=False):
        if claim.predicate not in ("site_status", "concealment"):
            continue
        refs = []
        for c in cites:
            refs.append({"note": notes.number(c.source_id), "grade": c.source.grade, "title": c.source.title,
                         "stance": c.stance, "quotation": c.quotation, "locator": c.locator})
        history.append({"kind": "claim", "id": claim.id, "date": claim.valid, "low": claim.valid_low,
                        "status_value": claim.value_text, "statement": claim.statement,
                        "status": status_for(session, claim, principal),
                        "refs": refs})
    events = session.scalars(select(Event).where(Event.place_id.in_(places), Event.sensitivity.in_(allowed))).all()
    for ev in events:
        ev_claims = visible_claims(session, [ev.id], principal, include_object=False)
        refs = [{"note": notes.number(c.source_id), "grade": c.source.grade, "title": c.source.title,
                 "stance": c.stance, "quotation": c.quotation, "locator": c.locator}
                for _claim, cites in ev_claims for c in cites]
        history.append({"kind": "event", "id": ev.id, "date": ev.date, "low": ev.date_low,
                        "status_value": ev.event_type, "statement": ev.label,
                        "status": None, "refs": refs})
    history.sort(key=lambda h: (h["low"] is None, h["low"] or dt.date.min))

    victims: dict[str, dict] = {}
    event_ids = [e.id for e in events]
    if event_ids:
        parts = session.scalars(select(Participation).where(Participation.event_id.in_(event_ids),
                                                            Participation.role == "victim",
                                                            Participation.sensitivity.in_(allowed))).all()
        for p in parts:
            who = session.get(Person, p.participant_id)
            if who is not None and can_see(principal, who):
                ev = session.get(Event, p.event_id)
                victims.setdefault(who.id, {"person": who, "name": display_name(who, principal), "links": []})
                victims[who.id]["links"].append(ev.label)
    located = session.scalars(select(Claim).where(Claim.predicate == "located_at", Claim.object_id.in_(places),
                                                  Claim.sensitivity.in_(allowed))).all()
    for claim in located:
        who = session.get(Person, claim.subject_id)
        if who is None or not can_see(principal, who):
            continue
        if not any(c.source.sensitivity in allowed for c in claim.citations):
            continue
        victims.setdefault(who.id, {"person": who, "name": display_name(who, principal), "links": []})
        victims[who.id]["links"].append(claim.statement or "located at the site")
    victim_rows = sorted(victims.values(), key=lambda v: v["name"].main)

    claim_ids = [h["id"] for h in history if h["kind"] == "claim"]
    statements = statements_about(session, place_id, principal, audience)
    exhibits = exhibits_for(session, principal, entity_ids=[place_id, *event_ids], claim_ids=claim_ids,
                            source_ids=notes.ids(), item_ids=[i for s in statements for i in s.item_ids])
    notes.attach_exhibits(exhibits)
    ctx = header("site", f"Site file: {name.main}", audience, case_title)
    ctx.update(subject=place, name=name, names=all_name_forms(place, principal),
               within=_ancestors(session, place, principal), history=history, victims=victim_rows,
               statements=statements, exhibits=exhibits, sources=notes.notes(), description=place.description)
    return ctx
