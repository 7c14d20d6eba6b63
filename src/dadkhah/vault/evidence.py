"""Service functions for evidence items: find, describe, link, annotate, transfer, view and export them.

Every action on an item is appended to its custody log (:mod:`dadkhah.vault.custody`). Reads go
through :mod:`dadkhah.access`: a principal sees an item only at or below its sensitivity ceiling.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from dadkhah.access import SYSTEM, Principal, allowed_sensitivities, can_see, need, require
from dadkhah.errors import InputError, NotFound
from dadkhah.model import Claim, Entity, Person
from dadkhah.model.base import SENSITIVITY_VALUES
from dadkhah.vault import custody
from dadkhah.vault.tables import DERIVED_KINDS, DerivedFile, EvidenceItem, EvidenceLink

ITEM_PREFIX = "item-"


def item_id_for(sha256: str) -> str:
    """Items are named after their content: ``item-`` + the first 16 hex digits of the SHA-256."""
    return f"{ITEM_PREFIX}{sha256[:16]}"


def get_item(session: Session, ref: str, principal: Principal) -> EvidenceItem:
    """An item by id (``item-…``), full SHA-256, or a unique SHA-256 prefix of at least 8 digits."""
    ref = ref.strip().lower()
    item = session.get(EvidenceItem, ref)
    if item is None and len(ref) == 64:
        item = session.scalar(select(EvidenceItem).where(EvidenceItem.sha256 == ref))
    if item is None and len(ref) >= 8 and all(c in "0123456789abcdef" for c in ref):
        found = session.scalars(select(EvidenceItem).where(EvidenceItem.sha256.startswith(ref)).limit(2)).all()
        if len(found) > 1:
            raise NotFound(f"{ref!r} matches more than one item: give more digits")
        item = found[0] if found else None
    if item is None or (not can_see(principal, item)):
        raise NotFound(f"no evidence item {ref!r}")
    return item


def list_items(session: Session, principal: Principal, *, limit: int | None = None) -> list[EvidenceItem]:
    stmt = select(EvidenceItem).order_by(EvidenceItem.created_at, EvidenceItem.id)
    stmt = stmt.where(EvidenceItem.sensitivity.in_(allowed_sensitivities(principal)))
    if limit:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def supplier_label(session: Session, supplied_by: str | None) -> str | None:
    """``supplied_by`` is an entity id (shown by its label, a pseudonym for a protected witness) or a name."""
    if not supplied_by:
        return None
    entity = session.get(Entity, supplied_by)
    return f"{entity.label} ({entity.id})" if entity is not None else supplied_by


def item_to_dict(session: Session, item: EvidenceItem, principal: Principal, *,
                 with_custody: bool = False) -> dict:
    d = {
        "id": item.id, "sha256": item.sha256, "size": item.size, "media_type": item.media_type,
        "filename": item.filename, "title": item.title, "description": item.description,
        "sensitivity": item.sensitivity, "source_id": item.source_id,
        "supplied_by": supplier_label(session, item.supplied_by), "captured_at": item.captured_at,
        "latitude": item.latitude, "longitude": item.longitude, "metadata": item.meta,
        "text_method": item.text_method, "text_chars": item.text_chars, "problems": item.problems,
        "ingested_by": item.ingested_by, "ingested_at": item.created_at.isoformat() if item.created_at else None,
        "derived": [{"kind": f.kind, "sha256": f.sha256, "size": f.size, "media_type": f.media_type,
                     "generator": f.generator} for f in item.derived],
        "links": [link_to_dict(session, link, principal) for link in links_of(session, item.id, principal)],
    }
    if with_custody:
        d["custody"] = [custody.event_to_dict(e) for e in custody.custody_log(session, item.id)]
    return d


# --- derived files --------------------------------------------------------------------------------

def add_derived(session: Session, item: EvidenceItem, kind: str, data: bytes, *, media_type: str,
                generator: str, blobs=None, note: str | None = None) -> DerivedFile:
    """Store a file made from ``item`` (text, OCR, thumbnail…) apart from originals and link it."""
    if kind not in DERIVED_KINDS:
        raise InputError(f"unknown derived kind {kind!r} (use one of {', '.join(DERIVED_KINDS)})", field="kind")
    blobs = blobs or session.info["case"].blobs
    stored = blobs.put_bytes(data, namespace="derived")
    existing = session.scalar(select(DerivedFile).where(DerivedFile.item_id == item.id, DerivedFile.kind == kind,
                                                        DerivedFile.sha256 == stored.sha256))
    if existing is not None:
        return existing
    f = DerivedFile(item_id=item.id, kind=kind, sha256=stored.sha256, size=stored.size, media_type=media_type,
                    generator=generator[:200])
    item.derived.append(f)
    session.add(f)
    custody.record(session, item.id, "derive", {"kind": kind, "sha256": stored.sha256, "generator": generator,
                                                **({"note": note} if note else {})})
    return f


def item_text(session: Session, item: EvidenceItem, blobs=None) -> str:
    """The newest extracted text of an item (text layer / OCR), or ``""`` — with protected witnesses'
    names masked when ``session`` is bound to a reader who may not read them (:mod:`dadkhah.access.screen`)."""
    from dadkhah.access.screen import mask_text, masking

    cached = getattr(item, "_text_cache", None)
    if cached is None:
        texts = [f for f in item.derived if f.kind in ("text", "ocr", "transcript")]
        if not texts:
            return ""
        blobs = blobs or session.info["case"].blobs
        cached = blobs.read_bytes(texts[-1].sha256, "derived").decode("utf-8", errors="replace")
    screen = masking(session)
    return mask_text(cached, screen)[0] if screen else cached


# --- links ----------------------------------------------------------------------------------------

def link_item(session: Session, item_id: str, *, entity_id: str | None = None, claim_id: str | None = None,
              relation: str = "about", locator: str = "", note: str | None = None) -> EvidenceLink:
    """Link an item to an entity (source, person, event, place, organisation) or to a claim."""
    item = get_item(session, item_id, SYSTEM)  # a write: the caller was authorised
    if (entity_id is None) == (claim_id is None):
        raise InputError("link an item to exactly one entity or one claim", field="target")
    if entity_id is not None and session.get(Entity, entity_id) is None:
        raise InputError(f"no entity with id {entity_id!r}", field="entity_id")
    if claim_id is not None and session.get(Claim, claim_id) is None:
        raise InputError(f"no claim with id {claim_id!r}", field="claim_id")
    existing = session.scalar(select(EvidenceLink).where(
        EvidenceLink.item_id == item.id, EvidenceLink.entity_id.is_(None) if entity_id is None
        else EvidenceLink.entity_id == entity_id, EvidenceLink.claim_id.is_(None) if claim_id is None
        else EvidenceLink.claim_id == claim_id, EvidenceLink.relation == relation))
    if existing is not None:
        return existing
    link = EvidenceLink(item_id=item.id, entity_id=entity_id, claim_id=claim_id, relation=relation,
                        locator=locator or "", note=note)
    session.add(link)
    custody.record(session, item.id, "link", {"entity_id": entity_id, "claim_id": claim_id, "relation": relation,
                                              "locator": locator or ""})
    return link


def links_of(session: Session, item_id: str, principal: Principal) -> list[EvidenceLink]:
    links = list(session.scalars(select(EvidenceLink).where(EvidenceLink.item_id == item_id)
                                 .order_by(EvidenceLink.id)))
    need(principal, "reading an item's links")
    out = []
    for link in links:
        target = session.get(Entity, link.entity_id) if link.entity_id else session.get(Claim, link.claim_id)
        if target is not None and can_see(principal, target):
            out.append(link)
    return out


def link_to_dict(session: Session, link: EvidenceLink, principal: Principal) -> dict:
    if link.entity_id:
        e = session.get(Entity, link.entity_id)
        target = {"kind": e.kind if e else None, "id": link.entity_id, "label": e.label if e else None}
    else:
        target = {"kind": "claim", "id": link.claim_id}
    return {"target": target, "relation": link.relation, "locator": link.locator, "note": link.note}


# --- custody actions ------------------------------------------------------------------------------

def annotate(session: Session, item_id: str, note: str) -> None:
    if not note.strip():
        raise InputError("an annotation cannot be empty", field="note")
    custody.record(session, get_item(session, item_id, SYSTEM).id, "annotate", {"note": note})


def transfer(session: Session, item_id: str, *, to: str, note: str | None = None) -> None:
    """Record that custody of (a copy of) the item passed to someone else."""
    if not to.strip():
        raise InputError("say to whom the item was transferred", field="to")
    custody.record(session, get_item(session, item_id, SYSTEM).id, "transfer",
                   {"to": to, **({"note": note} if note else {})})


def reclassify(session: Session, item_id: str, sensitivity: str, *, reason: str | None = None) -> None:
    if sensitivity not in SENSITIVITY_VALUES:
        raise InputError(f"sensitivity must be one of {', '.join(SENSITIVITY_VALUES)}", field="sensitivity")
    item = get_item(session, item_id, SYSTEM)  # a write: the caller was authorised
    old, item.sensitivity = item.sensitivity, sensitivity
    custody.record(session, item.id, "reclassify", {"from": old, "to": sensitivity,
                                                     **({"reason": reason} if reason else {})})


def export_original(session: Session, item_id: str, dest: str | Path, *, principal: Principal,
                    purpose: str | None = None) -> Path:
    """Copy an original out of the vault (recorded as an export in its custody log)."""
    require(principal, "export")
    item = get_item(session, item_id, principal)
    blobs = session.info["case"].blobs
    dest = Path(dest)
    if dest.is_dir():
        dest = dest / (Path(item.filename).name or item.sha256)
    with blobs.open(item.sha256) as src, open(dest, "xb") as out:
        shutil.copyfileobj(src, out, 1 << 20)
    custody.record(session, item.id, "export", {"to": str(dest), "by": principal.name,
                                                **({"purpose": purpose} if purpose else {})})
    return dest


def view_original(session: Session, item_id: str, *, principal: Principal, purpose: str | None = None) -> str:
    """Where to open the original read-only; the viewing is recorded in the custody log."""
    item = get_item(session, item_id, principal)
    blobs = session.info["case"].blobs
    custody.record(session, item.id, "view", {"by": principal.name, **({"purpose": purpose} if purpose else {})})
    return blobs.location(item.sha256)


# --- what belongs in a bundle ---------------------------------------------------------------------

def items_for(session: Session, *, persons=(), events=(), claims=(), entities=(), items=(),
              principal: Principal) -> tuple[list[EvidenceItem], list[Claim]]:
    """Items linked to the given persons/events/claims (directly, through the claims about them, or
    through the sources those claims cite), and the claims they support; visible to ``principal``."""
    from dadkhah.claims.service import claims_about

    entity_ids = [*persons, *events, *entities]
    for eid in entity_ids:
        e = session.get(Entity, eid)
        if e is None or (not can_see(principal, e)):
            raise NotFound(f"no entity with id {eid!r}")
        if persons and eid in persons and not isinstance(e, Person):
            raise InputError(f"{eid!r} is a {e.kind}, not a person", field="person")
        if events and eid in events and e.kind != "event":
            raise InputError(f"{eid!r} is a {e.kind}, not an event", field="event")
    claim_objs: dict[str, Claim] = {}
    for cid in claims:
        c = session.get(Claim, cid)
        if c is None or (not can_see(principal, c)):
            raise NotFound(f"no claim with id {cid!r}")
        claim_objs[c.id] = c
    for eid in entity_ids:
        for c in claims_about(session, eid, principal):
            claim_objs[c.id] = c
    allowed = set(allowed_sensitivities(principal))
    source_ids = {ci.source_id for c in claim_objs.values() for ci in c.citations
                  if ci.source.sensitivity in allowed}
    targets = [EvidenceLink.entity_id.in_(entity_ids + sorted(source_ids)), EvidenceLink.claim_id.in_(claim_objs)]
    found = set(session.scalars(select(EvidenceLink.item_id).where(or_(*targets))))
    found |= set(session.scalars(select(EvidenceItem.id).where(EvidenceItem.source_id.in_(source_ids))))
    for ref in items:
        found.add(get_item(session, ref, principal).id)
    stmt = select(EvidenceItem).where(EvidenceItem.id.in_(found)).order_by(EvidenceItem.id)
    result = [i for i in session.scalars(stmt) if can_see(principal, i)]
    return result, sorted(claim_objs.values(), key=lambda c: c.id)
