"""A person's career up to the present: positions held, roles in events, and where they were said to be.

For universal jurisdiction what matters is also where the person is *now*: :func:`career` marks the
positions with no recorded end as possibly current and collects ``located_at`` claims (whereabouts),
latest first, into ``whereabouts``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from dadkhah.access import Principal, can_see
from dadkhah.casework.allegations import PersonRecords, load_person
from dadkhah.model import Entity
from dadkhah.model.vocab import label as vocab_label


@dataclass
class TimelineEntry:
    kind: str  # position | event | whereabouts
    record_id: str
    title: str  # e.g. "Head of the Judiciary"
    where_id: str | None  # organisation, event or place id
    where_label: str
    role: str | None
    role_en: str | None
    role_fa: str | None
    start: object = None  # FuzzyDate or None
    end: object = None
    sort_low: dt.date | None = None
    current: bool = False
    claim_ids: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        d = {k: v for k, v in self.__dict__.items() if k not in ("start", "end", "sort_low")}
        d["start"] = self.start.to_dict() if hasattr(self.start, "to_dict") else None
        d["end"] = self.end.to_dict() if hasattr(self.end, "to_dict") else None
        return d


@dataclass
class Career:
    entries: list[TimelineEntry]
    current_positions: list[TimelineEntry]
    whereabouts: list[TimelineEntry]

    def to_dict(self) -> dict:
        return {"entries": [e.to_dict() for e in self.entries],
                "current_positions": [e.record_id for e in self.current_positions],
                "whereabouts": [e.to_dict() for e in self.whereabouts]}


def career(session: Session, person_id: str, principal: Principal, *,
           records: PersonRecords | None = None) -> Career:
    """The person's positions, roles in events and reported whereabouts, in date order (undated last)."""
    rec = records or load_person(session, person_id, principal)
    by_subject = rec.claims_by_record
    entries: list[TimelineEntry] = []
    for m in rec.memberships:
        org = rec.organizations[m.organization_id]
        claims = by_subject.get(m.id, [])
        entries.append(TimelineEntry(
            kind="position", record_id=m.id, title=m.title or vocab_label("position_role", m.role),
            where_id=org.id, where_label=org.label, role=m.role, role_en=vocab_label("position_role", m.role),
            role_fa=vocab_label("position_role", m.role, "fa"), start=m.start, end=m.end,
            sort_low=m.start_low or m.end_low, current=m.end_text is None,
            claim_ids=[c.id for c in claims], statuses=sorted({rec.status(c) for c in claims})))
    for p in rec.participations:
        ev = rec.events[p.event_id]
        claims = by_subject.get(p.id, [])
        entries.append(TimelineEntry(
            kind="event", record_id=p.id, title=ev.label, where_id=ev.id, where_label=ev.label, role=p.role,
            role_en=vocab_label("participation_role", p.role), role_fa=vocab_label("participation_role", p.role, "fa"),
            start=ev.date, sort_low=ev.date_low, claim_ids=[c.id for c in claims],
            statuses=sorted({rec.status(c) for c in claims})))
    whereabouts = []
    for claim in by_subject.get(person_id, []):
        if claim.predicate != "located_at" or claim.subject_id != person_id:
            continue
        place = session.get(Entity, claim.object_id) if claim.object_id else None
        where = place.label if place is not None and can_see(principal, place) else (claim.value_text or "")
        entry = TimelineEntry(kind="whereabouts", record_id=claim.id, title=claim.statement or f"Located at {where}",
                              where_id=place.id if place is not None and can_see(principal, place) else None,
                              where_label=where, role=None, role_en=None, role_fa=None, start=claim.valid,
                              sort_low=claim.valid_low, claim_ids=[claim.id], statuses=[rec.status(claim)])
        whereabouts.append(entry)
        entries.append(entry)
    entries.sort(key=lambda e: (e.sort_low is None, e.sort_low or dt.date.min, e.kind, e.title))
    current = [e for e in entries if e.kind == "position" and e.current]
    current.sort(key=lambda e: (e.sort_low is None, e.sort_low or dt.date.min), reverse=True)
    whereabouts.sort(key=lambda e: (e.sort_low is not None, e.sort_low or dt.date.min), reverse=True)
    return Career(entries=entries, current_positions=current, whereabouts=whereabouts)
