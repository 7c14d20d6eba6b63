"""What is alleged about a person, and the evidence for and against each allegation.

An *allegation* is a claim about the person, or about one of the person's roles in events
(:class:`~dadkhah.model.Participation`) or positions (:class:`~dadkhah.model.Membership`). Each
row of the :func:`allegation_matrix` lists the citations that support it and those that contradict
it, with the Admiralty grade of each source, plus other claims that conflict with it.

Everything is read for one :class:`~dadkhah.access.Principal`: a claim the principal may not see is
left out, a citation of a source the principal may not see is dropped, and a claim left with no
visible citation is left out too (the same rule as :func:`dadkhah.claims.list_claims`).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from dadkhah.access import Principal, allowed_sensitivities, can_see, claim_visible
from dadkhah.claims.status import conflicting, status_for
from dadkhah.model import Citation, Claim, Entity, Event, Membership, Organization, Participation
from dadkhah.model.vocab import is_functional
from dadkhah.model.vocab import label as vocab_label

PERPETRATOR_ROLES = ("perpetrator_direct", "perpetrator_ordering", "perpetrator_complicit")


@dataclass
class EvidenceRef:
    """One citation in the matrix: which source, its grade, what it says and where."""

    source_id: str
    title: str
    grade: str
    reliability: str
    credibility: int
    stance: str
    quotation: str | None
    locator: str
    source_type: str
    origin: str | None = None
    note: int | None = None  # the source's number in a case file's notes, set by the file


@dataclass
class Allegation:
    claim_id: str
    statement: str
    predicate: str
    status: str
    status_note: str | None
    about_id: str  # the person, or the participation / membership the claim is about
    about_kind: str  # person | participation | membership | other
    about_label: str
    valid: object = None  # FuzzyDate: when the claim holds, if it says
    value: str | None = None
    when: object = None  # FuzzyDate of the event (or the start of the position) it is about
    where: str | None = None  # the place of that event
    sensitivity: str = "public"
    supporting: list[EvidenceRef] = field(default_factory=list)
    contradicting: list[EvidenceRef] = field(default_factory=list)
    rivals: list[dict] = field(default_factory=list)  # conflicting claims: id, statement, value, status
    exhibits: list[str] = field(default_factory=list)  # exhibit numbers in a case file, set by the file

    @property
    def best_grade(self) -> str | None:
        grades = sorted(f"{e.reliability}{e.credibility}" for e in self.supporting)
        return grades[0] if grades else None

    def to_dict(self) -> dict:
        d = {k: v for k, v in self.__dict__.items() if k not in ("supporting", "contradicting", "valid", "when")}
        for name in ("valid", "when"):
            value = getattr(self, name)
            d[name] = value.to_dict() if value is not None and hasattr(value, "to_dict") else None
        d["supporting"] = [e.__dict__ for e in self.supporting]
        d["contradicting"] = [e.__dict__ for e in self.contradicting]
        d["best_grade"] = self.best_grade
        return d


@dataclass
class PersonRecords:
    """A person's roles and positions that a principal may see, with their events, organisations and
    places loaded together (one query each, not one per record) — shared by the allegation matrix,
    the roles and the career so a dossier reads them once."""

    person_id: str
    participations: list[Participation]
    memberships: list[Membership]
    events: dict[str, Event]
    organizations: dict[str, Organization]
    places: dict[str, Entity]  # the visible places of those events
    claims: list[tuple[Claim, list[Citation]]]  # visible claims about the person, roles and positions
    # claim id -> its status as the principal may know it (dadkhah.claims.status.status_for), never the
    # stored status, which counts sources the reader may not see
    statuses: dict[str, str] = field(default_factory=dict)

    def status(self, claim: Claim) -> str:
        return self.statuses[claim.id]

    def claims_about(self, record_id: str) -> list[Claim]:
        return [c for c, _ in self.claims if record_id in (c.subject_id, c.object_id)]

    @functools.cached_property
    def claims_by_record(self) -> dict[str, list[Claim]]:
        ids = {self.person_id, *(p.id for p in self.participations), *(m.id for m in self.memberships)}
        out: dict[str, list[Claim]] = {}
        for claim, _ in self.claims:
            for key in {claim.subject_id, claim.object_id} & ids:
                out.setdefault(key, []).append(claim)
        return out


def load_person(session: Session, person_id: str, principal: Principal) -> PersonRecords:
    allowed = allowed_sensitivities(principal)
    parts = session.scalars(select(Participation).where(Participation.participant_id == person_id,
                                                        Participation.sensitivity.in_(allowed))).all()
    events = {e.id: e for e in _load(session, Event, {p.event_id for p in parts}, allowed)}
    parts = [p for p in parts if p.event_id in events]
    mems = session.scalars(select(Membership).where(Membership.member_id == person_id,
                                                    Membership.sensitivity.in_(allowed))).all()
    orgs = {o.id: o for o in _load(session, Organization, {m.organization_id for m in mems}, allowed)}
    mems = [m for m in mems if m.organization_id in orgs]
    places = {p.id: p for p in _load(session, Entity, {e.place_id for e in events.values() if e.place_id}, allowed)}
    claims = visible_claims(session, [person_id, *(p.id for p in parts), *(m.id for m in mems)], principal)
    statuses = {c.id: status_for(session, c, principal) for c, _ in claims}
    return PersonRecords(person_id, list(parts), list(mems), events, orgs, places, claims, statuses)


def _load(session: Session, cls, ids: set[str], allowed) -> list:
    if not ids:
        return []
    return list(session.scalars(select(cls).where(cls.id.in_(sorted(ids)), cls.sensitivity.in_(allowed))))


def person_links(session: Session, person_id: str, principal: Principal) -> tuple[list[Participation],
                                                                                    list[Membership]]:
    """The roles in events and the positions of a person that ``principal`` may see."""
    rec = load_person(session, person_id, principal)
    return rec.participations, rec.memberships


def visible_claims(session: Session, ids: list[str], principal: Principal, *,
                   include_object: bool = True) -> list[tuple[Claim, list[Citation]]]:
    """Claims about any of ``ids`` that ``principal`` may see (:func:`dadkhah.access.claim_visible`), each
    with its visible citations."""
    if not ids:
        return []
    allowed = set(allowed_sensitivities(principal))
    cond = Claim.subject_id.in_(ids)
    if include_object:
        cond = or_(cond, Claim.object_id.in_(ids))
    stmt = (select(Claim).options(selectinload(Claim.citations).selectinload(Citation.source))
            .where(cond, Claim.sensitivity.in_(allowed)).order_by(Claim.valid_low, Claim.id))
    out = []
    for claim in session.scalars(stmt):
        cites = [c for c in claim.citations if c.source is not None and c.source.sensitivity in allowed]
        if cites:
            out.append((claim, cites))
    return out


def _ref(c: Citation) -> EvidenceRef:
    s = c.source
    return EvidenceRef(source_id=s.id, title=s.title, grade=s.grade, reliability=s.reliability,
                       credibility=s.credibility, stance=c.stance, quotation=c.quotation, locator=c.locator or "",
                       source_type=s.source_type, origin=s.origin)


def allegation_matrix(session: Session, person_id: str, principal: Principal, *, with_rivals: bool = True,
                      records: PersonRecords | None = None) -> list[Allegation]:
    """Every claim about the person, their roles and their positions, with evidence for and against."""
    rec = records or load_person(session, person_id, principal)
    about: dict[str, tuple[str, str]] = {person_id: ("person", "")}
    context: dict[str, tuple] = {}  # record id -> (when, where) of the event or position
    for p in rec.participations:
        ev = rec.events[p.event_id]
        about[p.id] = ("participation", f"{vocab_label('participation_role', p.role)} — {ev.label}")
        place = rec.places.get(ev.place_id) if ev.place_id else None
        context[p.id] = (ev.date, place.label if place is not None else None)
    for m in rec.memberships:
        org = rec.organizations[m.organization_id]
        about[m.id] = ("membership", f"{m.title or vocab_label('position_role', m.role)} — {org.label}")
        context[m.id] = (m.start, None)
    functional: dict[str, bool] = {}
    rows = []
    for claim, cites in rec.claims:
        specific = [k for k in (claim.subject_id, claim.object_id) if k in about and about[k][0] != "person"]
        key = specific[0] if specific else (claim.subject_id if claim.subject_id in about else claim.object_id)
        kind, label = about.get(key, ("other", ""))
        if kind == "person" and claim.object_id and claim.subject_id != person_id:
            subj = session.get(Entity, claim.subject_id)
            label = subj.label if subj is not None and can_see(principal, subj) else ""
        rivals = []
        if claim.predicate not in functional:
            functional[claim.predicate] = is_functional(claim.predicate, session)
        if with_rivals and functional[claim.predicate]:
            for r in conflicting(session, claim):
                if claim_visible(principal, r):
                    rivals.append({"id": r.id, "statement": r.statement, "value": r.value_display(),
                                   "status": status_for(session, r, principal)})
        rows.append(Allegation(
            claim_id=claim.id, statement=claim.statement or claim.value_display() or claim.predicate,
            predicate=claim.predicate, status=rec.status(claim), status_note=claim.status_note, about_id=key,
            about_kind=kind, about_label=label, valid=claim.valid, value=claim.value_display() or None,
            when=context.get(key, (None, None))[0], where=context.get(key, (None, None))[1],
            sensitivity=claim.sensitivity,
            supporting=[_ref(c) for c in cites if c.stance == "supports"],
            contradicting=[_ref(c) for c in cites if c.stance == "contradicts"],
            rivals=rivals,
        ))
    rows.sort(key=_chronological)
    return rows


def _chronological(a: Allegation):
    date = a.when or a.valid
    low = getattr(date, "low", None)
    return (low is None, low or dt.date.min, a.about_label, a.claim_id)


def roles_in_events(session: Session, person_id: str, principal: Principal, *,
                    records: PersonRecords | None = None) -> list[dict]:
    """The person's roles in events, perpetrator roles first, each with the status of its claims."""
    rec = records or load_person(session, person_id, principal)
    claims_by = rec.claims_by_record
    out = []
    for p in rec.participations:
        ev = rec.events[p.event_id]
        place = rec.places.get(ev.place_id) if ev.place_id else None
        claims = claims_by.get(p.id, [])
        out.append({
            "participation_id": p.id, "event_id": ev.id, "event": ev, "role": p.role,
            "perpetrator": p.role in PERPETRATOR_ROLES, "date": ev.date, "place": place,
            "claim_ids": [c.id for c in claims], "statuses": sorted({rec.status(c) for c in claims}),
        })
    out.sort(key=lambda r: (not r["perpetrator"], r["event"].date_low is None, r["event"].date_low or dt.date.min,
                            r["event"].label))
    return out
