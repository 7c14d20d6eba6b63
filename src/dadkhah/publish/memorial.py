"""What the public memorial says about each cleared victim — read only as the ``public`` audience.

Every value here goes through :mod:`dadkhah.access` with ``audience("public")``: name forms, events,
places, claims and sources each need to be public themselves (a public claim citing only restricted
sources is left out, and so is a restricted citation of a public claim). Free-text descriptions
of persons and events are *not* published: they are working notes and may say more than the
structured, sensitivity-marked records do.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from dadkhah.access import audience, can_see, visible_names
from dadkhah.casework.allegations import visible_claims
from dadkhah.model import Event, Participation, Person, Place
from dadkhah.model.vocab import label as vocab_label
from dadkhah.publish.clearance import cleared_victims
from dadkhah.records.naming import display_name, is_persian

PUBLIC = audience("public")
FACT_PREDICATES = ("fate", "death_date", "birth_date", "date", "located_at", "participated", "statement",
                   "victim_affiliation")


def slug(record_id: str) -> str:
    """A file name for a record id (ids are slugs already; anything else is replaced)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", record_id).strip("-") or "record"


@dataclass
class MemorialSource:
    number: int
    title: str
    author: str | None
    publisher: str | None
    date: object
    url: str | None
    locator: str | None


@dataclass
class MemorialFact:
    statement: str
    quotes: list[tuple[str, int]]  # (quotation, source number)
    notes: list[int]


@dataclass
class MemorialEvent:
    type_en: str
    type_fa: str
    label: str
    label_fa: str | None
    date: object
    place: str | None
    place_fa: str | None


@dataclass
class MemorialEntry:
    id: str
    slug: str
    latin: list[str]
    persian: list[str]
    gender: str | None
    birth: object
    death: object
    events: list[MemorialEvent] = field(default_factory=list)
    facts: list[MemorialFact] = field(default_factory=list)
    sources: list[MemorialSource] = field(default_factory=list)
    sort_low: dt.date | None = None

    @property
    def main(self) -> str:
        return (self.latin or self.persian or [self.id])[0]

    @property
    def main_fa(self) -> str | None:
        return self.persian[0] if self.persian else None

    @property
    def places(self) -> list[str]:
        return list(dict.fromkeys(p for e in self.events for p in (e.place, e.place_fa) if p))


def memorial_entry(session: Session, person: Person) -> MemorialEntry:
    """One victim's public page content."""
    names = [n for n in visible_names(person, PUBLIC) if n.kind in ("full", "official", "alias", "given", "family")]
    names.sort(key=lambda n: (not n.is_primary, n.kind != "full", n.position))
    latin = list(dict.fromkeys(n.text for n in names if not is_persian(n.text)))
    persian = list(dict.fromkeys(n.text for n in names if is_persian(n.text)))
    if not latin and not persian:
        name = display_name(person, PUBLIC)
        latin, persian = [name.latin] if name.latin else [], [name.persian] if name.persian else []
    entry = MemorialEntry(id=person.id, slug=slug(person.id), latin=latin, persian=persian, gender=person.gender,
                          birth=person.birth, death=person.death)
    parts = session.scalars(select(Participation).where(Participation.participant_id == person.id,
                                                        Participation.sensitivity == "public")).all()
    events = []
    for p in parts:
        ev = session.get(Event, p.event_id)
        if ev is None or not can_see(PUBLIC, ev) or p.role != "victim":
            continue
        place = session.get(Place, ev.place_id) if ev.place_id else None
        place_name = display_name(place, PUBLIC) if place is not None and can_see(PUBLIC, place) else None
        ev_name = display_name(ev, PUBLIC)
        events.append((ev.date_low or dt.date.max, MemorialEvent(
            type_en=vocab_label("event_type", ev.event_type), type_fa=vocab_label("event_type", ev.event_type, "fa"),
            label=ev_name.main, label_fa=ev_name.persian if ev_name.latin else None, date=ev.date,
            place=place_name.latin if place_name else None, place_fa=place_name.persian if place_name else None)))
    events.sort(key=lambda x: x[0])
    entry.events = [e for _, e in events]
    entry.sort_low = events[0][0] if events and events[0][0] != dt.date.max else None

    numbers: dict[str, int] = {}
    ids = [person.id, *(p.id for p in parts if can_see(PUBLIC, p))]
    for claim, cites in visible_claims(session, ids, PUBLIC):
        if claim.predicate not in FACT_PREDICATES:
            continue
        notes, quotes = [], []
        for c in cites:
            if c.source_id not in numbers:
                numbers[c.source_id] = len(numbers) + 1
                s = c.source
                entry.sources.append(MemorialSource(
                    number=numbers[c.source_id], title=s.title, author=s.author, publisher=s.publisher, date=s.date,
                    url=s.locator if (s.locator or "").startswith(("http://", "https://")) else None,
                    locator=s.locator))
            notes.append(numbers[c.source_id])
            if c.quotation:
                quotes.append((c.quotation, numbers[c.source_id]))
        entry.facts.append(MemorialFact(statement=claim.statement or claim.value_display(), quotes=quotes,
                                        notes=sorted(set(notes))))
    return entry


def memorial_entries(session: Session) -> list[MemorialEntry]:
    entries = [memorial_entry(session, p) for p in cleared_victims(session)]
    entries.sort(key=lambda e: e.main.casefold())
    return entries
