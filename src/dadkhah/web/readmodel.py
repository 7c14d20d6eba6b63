"""What pages and the API show about records, assembled from the core services.

Every query here passes the caller's principal to the core service functions or through
:func:`dadkhah.access.visible`, so a record above the caller's level is never loaded into a view.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dadkhah.access import Principal, can_see, visible
from dadkhah.errors import NotFound
from dadkhah.model import (
    KIND_CLASSES,
    Citation,
    Claim,
    Entity,
    Event,
    Membership,
    Organization,
    Participation,
    Person,
    Place,
    Source,
)

PAGE_KINDS = ("person", "organization", "place", "event", "source")


def visible_entity(s: Session, entity_id: str | None, principal: Principal, kind: str | None = None):
    """The entity if ``principal`` may see it, else None."""
    if not entity_id:
        return None
    from dadkhah.records import get_entity

    try:
        return get_entity(s, entity_id, kind=kind, principal=principal)
    except NotFound:
        return None


def ref(s: Session, entity_id: str | None, principal: Principal) -> dict | None:
    """``{"id", "kind", "label"}`` of a visible entity, else None."""
    e = visible_entity(s, entity_id, principal)
    return {"id": e.id, "kind": e.kind, "label": e.label, "sensitivity": e.sensitivity} if e else None


def count_visible(s: Session, kind: str, principal: Principal) -> int:
    cls = KIND_CLASSES[kind]
    return s.scalar(visible(select(func.count()).select_from(cls), cls, principal)) or 0


def list_page(s: Session, kind: str, principal: Principal, *, offset: int = 0, limit: int = 50,
              sort: str = "label") -> tuple[list[Entity], int]:
    cls = KIND_CLASSES[kind]
    total = count_visible(s, kind, principal)
    order = [cls.label]
    if kind == "event" and sort == "date":
        order = [Event.date_low.is_(None), Event.date_low, Event.label]
    stmt = visible(select(cls), cls, principal).order_by(*order).offset(max(offset, 0)).limit(limit)
    return list(s.scalars(stmt)), total


def summary(e: Entity) -> dict:
    """A row in a list of entities."""
    d: dict[str, Any] = {"id": e.id, "kind": e.kind, "label": e.label, "sensitivity": e.sensitivity}
    if isinstance(e, Person):
        d.update(birth=_date(e.birth), death=_date(e.death))
    elif isinstance(e, Organization):
        d.update(org_type=e.org_type)
    elif isinstance(e, Place):
        d.update(place_type=e.place_type, latitude=e.latitude, longitude=e.longitude)
    elif isinstance(e, Event):
        d.update(event_type=e.event_type, date=_date(e.date), place_id=e.place_id)
    elif isinstance(e, Source):
        d.update(source_type=e.source_type, title=e.title, author=e.author, grade=e.grade, date=_date(e.date))
    return d


def _date(d) -> dict | None:
    return d.to_dict() if d is not None else None


def entity_view(s: Session, entity: Entity, principal: Principal) -> dict:
    """Everything the principal may see about one entity, with its claims and related records."""
    from dadkhah.records import entity_to_dict

    d = entity_to_dict(s, entity, principal)
    for key in ("place_id", "parent_id", "organization_id", "event_id", "member_id", "participant_id"):
        if key in d:
            d[key.removesuffix("_id")] = ref(s, d[key], principal)
    if "roles" in d:
        d["roles"] = [dict(r, event=ref(s, r["event_id"], principal)) for r in d["roles"]]
        d["roles"] = [r for r in d["roles"] if r["event"]]
    if "positions" in d:
        d["positions"] = [dict(p, organization=ref(s, p["organization_id"], principal)) for p in d["positions"]]
        d["positions"] = [p for p in d["positions"] if p["organization"]]
    if isinstance(entity, Organization):
        d["members"] = _members(s, entity.id, principal)
        d["units"] = [summary(o) for o in s.scalars(visible(select(Organization), Organization, principal)
                                                     .where(Organization.parent_id == entity.id)
                                                     .order_by(Organization.label))]
    if isinstance(entity, Event):
        d["participants"] = _participants(s, entity.id, principal)
        d["sub_events"] = [summary(e) for e in s.scalars(visible(select(Event), Event, principal)
                                                          .where(Event.parent_id == entity.id)
                                                          .order_by(Event.date_low, Event.label))]
    if isinstance(entity, Place):
        d["events"] = [summary(e) for e in s.scalars(visible(select(Event), Event, principal)
                                                      .where(Event.place_id == entity.id)
                                                      .order_by(Event.date_low, Event.label))]
        d["organizations"] = [summary(o) for o in s.scalars(visible(select(Organization), Organization, principal)
                                                             .where(Organization.place_id == entity.id)
                                                             .order_by(Organization.label))]
        d["sub_places"] = [summary(p) for p in s.scalars(visible(select(Place), Place, principal)
                                                          .where(Place.parent_id == entity.id)
                                                          .order_by(Place.label))]
    if isinstance(entity, Source):
        d["cited_by"] = _claims_citing(s, entity.id, principal)
    return d


def _members(s: Session, org_id: str, principal: Principal) -> list[dict]:
    rows = []
    for m in s.scalars(visible(select(Membership), Membership, principal)
                       .where(Membership.organization_id == org_id)):
        who = ref(s, m.member_id, principal)
        if who:
            rows.append({"id": m.id, "member": who, "role": m.role, "title": m.title, "start": _date(m.start),
                         "end": _date(m.end), "sensitivity": m.sensitivity})
    return sorted(rows, key=lambda r: r["member"]["label"])


def _participants(s: Session, event_id: str, principal: Principal) -> list[dict]:
    rows = []
    for p in s.scalars(visible(select(Participation), Participation, principal)
                       .where(Participation.event_id == event_id)):
        who = ref(s, p.participant_id, principal)
        if who:
            rows.append({"id": p.id, "participant": who, "role": p.role, "sensitivity": p.sensitivity})
    return sorted(rows, key=lambda r: (r["role"], r["participant"]["label"]))


def _claims_citing(s: Session, source_id: str, principal: Principal) -> list[dict]:
    from dadkhah.claims.service import claim_to_dict, list_claims

    ids = set(s.scalars(select(Citation.claim_id).where(Citation.source_id == source_id)))
    if not ids:
        return []
    return [claim_to_dict(c, principal) for c in list_claims(s, principal=principal) if c.id in ids]


def claim_view(s: Session, claim_id: str, principal: Principal) -> dict:
    from dadkhah.claims.service import claim_to_dict, list_claims

    claim = s.get(Claim, claim_id)
    if claim is None or not can_see(principal, claim):
        raise NotFound(f"no claim with id {claim_id!r}")
    visible_claims = list_claims(s, principal=principal, subject_id=claim.subject_id)
    if claim.id not in {c.id for c in visible_claims}:
        raise NotFound(f"no claim with id {claim_id!r}")
    d = claim_to_dict(claim, principal)
    d["subject"] = ref(s, claim.subject_id, principal)
    d["object"] = ref(s, claim.object_id, principal) if claim.object_id else None
    return d


def dashboard(s: Session, principal: Principal) -> dict:
    from dadkhah.claims.service import list_claims

    counts = {k: count_visible(s, k, principal) for k in PAGE_KINDS}
    claims = list_claims(s, principal=principal)
    counts["claim"] = len(claims)
    by_status: dict[str, int] = {}
    for c in claims:
        by_status[c.status] = by_status.get(c.status, 0) + 1
    contested = [c for c in claims if c.status == "contested"][:8]
    recent = sorted(claims, key=lambda c: c.updated_at or c.created_at, reverse=True)[:8]
    return {"counts": counts, "by_status": by_status,
            "contested": [_claim_line(s, c, principal) for c in contested],
            "recent": [_claim_line(s, c, principal) for c in recent]}


def _claim_line(s: Session, claim: Claim, principal: Principal) -> dict:
    subject = ref(s, claim.subject_id, principal)
    return {"id": claim.id, "predicate": claim.predicate, "value": claim.value_display(), "status": claim.status,
            "subject": subject, "statement": claim.statement}
