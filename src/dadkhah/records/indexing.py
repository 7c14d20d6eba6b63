"""What the search index holds for entities, sources and claims (registered on import)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from dadkhah.model import Claim, Entity, Membership, Participation, Source
from dadkhah.store.search import Doc, register_indexer

RANK = {"public": 0, "restricted": 1, "confidential": 2}
LEVEL = {v: k for k, v in RANK.items()}


def _stricter(a: str, b: str) -> str:
    return LEVEL[max(RANK[a or "public"], RANK[b or "public"])]


def _text_keys(text: str) -> list[str]:
    from dadkhah.names import token_keys

    return token_keys(text) if text else []


def entity_docs(session: Session, entity: Entity) -> list[Doc]:
    from dadkhah.names import name_keys, normalize

    docs: list[Doc] = []
    facets = entity_facets(session, entity)
    by_level: dict[str, list] = defaultdict(list)
    for n in entity.names:
        by_level[_stricter(entity.sensitivity, n.sensitivity)].append(n)
    for level, forms in by_level.items():
        keys: list[str] = []
        for n in forms:
            if n.kind == "honorific":
                continue
            keys += name_keys(n.text) + _text_keys(n.text)
        docs.append(Doc(kind=entity.kind, record_id=entity.id, part=f"name:{level}", label=entity.label,
                        body=" | ".join(normalize(n.text) for n in forms), keys=keys, sensitivity=level,
                        entity_id=entity.id, facets=facets))
    if not entity.names and entity.label:
        docs.append(Doc(kind=entity.kind, record_id=entity.id, part="name:label", label=entity.label,
                        body=normalize(entity.label), keys=_text_keys(entity.label),
                        sensitivity=entity.sensitivity, entity_id=entity.id, facets=facets))
    text = " ".join(filter(None, [entity.description, *(_source_text(entity) if isinstance(entity, Source)
                                                         else [])]))
    if text:
        docs.append(Doc(kind=entity.kind, record_id=entity.id, part="text", label=entity.label,
                        body=normalize(text), keys=_text_keys(text), sensitivity=entity.sensitivity,
                        entity_id=entity.id, facets=facets))
    return docs


def _source_text(source: Source) -> list[str]:
    return [source.title, source.author or "", source.publisher or ""]


def entity_facets(session: Session, entity: Entity) -> dict:
    facets: dict[str, list] = {}
    if entity.kind in ("person", "organization"):
        parts = session.scalars(select(Participation).where(Participation.participant_id == entity.id)).all()
        facets["role"] = sorted({p.role for p in parts if p.sensitivity == "public"})
        mems = session.scalars(select(Membership).where(Membership.member_id == entity.id)).all()
        facets["organization"] = sorted({m.organization_id for m in mems if m.sensitivity == "public"})
    if entity.kind == "event":
        facets["event_type"] = [entity.event_type]
        if entity.place_id:
            facets["place"] = [entity.place_id]
        if entity.date_low:
            facets["period"] = sorted({str(y) for y in range(entity.date_low.year, entity.date_high.year + 1)})
    return facets


def claim_docs(session: Session, claim: Claim) -> list[Doc]:
    from dadkhah.names import normalize

    subject = claim.subject.label if claim.subject else claim.subject_id
    label = f"{subject}: {claim.predicate}" + (f" = {claim.value_display()}" if claim.value_display() else "")
    quotes = " ".join(c.quotation or "" for c in claim.citations)
    text = " ".join(filter(None, [claim.statement, claim.value_text, quotes]))
    level = _stricter(claim.sensitivity, claim.subject.sensitivity if claim.subject else "public")  # label names it
    return [Doc(kind="claim", record_id=claim.id, part="text", label=label, body=normalize(text),
                keys=_text_keys(text), sensitivity=level, entity_id=claim.subject_id,
                facets={"predicate": [claim.predicate], "status": [claim.status]})]


register_indexer(Entity, entity_docs)
register_indexer(Claim, claim_docs)
