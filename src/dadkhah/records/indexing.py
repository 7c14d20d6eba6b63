"""What the search index holds for entities, sources and claims (registered on import)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from dadkhah.access import audience, rank
from dadkhah.access import stricter as _stricter
from dadkhah.model import Claim, Entity, Event, Membership, Participation, Source
from dadkhah.records.population import FACET as POPULATION_FACET
from dadkhah.records.population import FACET_VALUE as POPULATION_VALUE
from dadkhah.records.population import is_documented_victim
from dadkhah.store.search import Doc, register_indexer

PUBLIC = audience("public")


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
    """Search facets of an entity, from public records only (facets are offered to every reader).

    A person or organisation: the roles it played in events, the places and years (``period``) of those
    events, and the organisations it belonged to. An event: its type, place and years."""
    facets: dict[str, list] = {}
    if entity.kind in ("person", "organization"):
        event = aliased(Event)
        roles, places, years = set(), set(), set()
        for role, place_id, low, high in session.execute(
                select(Participation.role, event.place_id, event.date_low, event.date_high)
                .join(event, event.id == Participation.event_id)
                .where(Participation.participant_id == entity.id, Participation.sensitivity == "public",
                       event.sensitivity == "public")):
            roles.add(role)
            if place_id:
                places.add(place_id)
            years |= _years(low, high)
        facets["role"] = sorted(roles)
        if places:
            facets["place"] = sorted(places)
        if years:
            facets["period"] = sorted(years)
        if entity.kind == "person" and is_documented_victim(session, entity.id, PUBLIC):
            facets[POPULATION_FACET] = [POPULATION_VALUE]  # the case's population, as every count defines it
        facets["organization"] = sorted(set(session.scalars(
            select(Membership.organization_id).where(Membership.member_id == entity.id,
                                                     Membership.sensitivity == "public"))))
    if isinstance(entity, Event):
        facets["event_type"] = [entity.event_type]
        if entity.place_id:
            facets["place"] = [entity.place_id]
        if entity.date_low:
            facets["period"] = sorted(_years(entity.date_low, entity.date_high))
    return facets


def _years(low, high) -> set[str]:
    """The years a date interval touches (at most a century: an open-ended interval is not a period)."""
    if low is None:
        return set()
    high = high or low
    if high.year - low.year > 100:
        return set()
    return {str(y) for y in range(low.year, high.year + 1)}


def claim_docs(session: Session, claim: Claim) -> list[Doc]:
    from dadkhah.names import normalize

    subject = claim.subject.label if claim.subject else claim.subject_id
    label = f"{subject}: {claim.predicate}" + (f" = {claim.value_display()}" if claim.value_display() else "")
    # the claim is seen only with one of its sources (dadkhah.access.claim_visible): its text needs the
    # level of the least sensitive source; each quotation needs its own source's level too
    base = _stricter(claim.sensitivity, claim.subject.sensitivity if claim.subject else "public")  # label names it
    source_levels = [c.source.sensitivity if c.source is not None else "confidential" for c in claim.citations]
    level = _stricter(base, min(source_levels, key=rank, default="confidential"))
    # no status facet: the stored status counts every source, and a search row is read by readers who may
    # see only some of them (a reader's status is dadkhah.claims.status.status_for)
    facets = {"predicate": [claim.predicate]}
    text = " ".join(filter(None, [claim.statement, claim.value_text]))
    docs = [Doc(kind="claim", record_id=claim.id, part="text", label=label, body=normalize(text),
                keys=_text_keys(text), sensitivity=level, entity_id=claim.subject_id, facets=facets)]
    quotes: dict[str, list[str]] = defaultdict(list)
    for c, source_level in zip(claim.citations, source_levels, strict=True):
        if c.quotation:
            quotes[_stricter(base, source_level)].append(c.quotation)
    for lv, texts in sorted(quotes.items(), key=lambda kv: rank(kv[0])):
        quote = " ".join(texts)
        docs.append(Doc(kind="claim", record_id=claim.id, part=f"quote:{lv}", label=label, body=normalize(quote),
                        keys=_text_keys(quote), sensitivity=lv, entity_id=claim.subject_id, facets=facets))
    return docs


register_indexer(Entity, entity_docs)
register_indexer(Claim, claim_docs)
