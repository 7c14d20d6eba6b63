"""Export a case as FollowTheMoney entities, so it can be loaded into Aleph (``ftm`` / ``alephclient``).

Mapping (every record read through :mod:`dadkhah.access` for one audience):

============================  =====================================================================
dadkhah                       FollowTheMoney
============================  =====================================================================
Person                        ``Person`` (name, alias, firstName/lastName/fatherName, gender, dates)
Organization                  ``PublicBody`` for state bodies, else ``Organization``; ``parent``
Place                         ``Address`` (full, country, latitude/longitude)
Event                         ``Event`` (date or startDate/endDate, addressEntity, involved)
Membership                    ``Membership`` (member, organization, role, startDate/endDate)
Participation                 ``UnknownLink`` (subject: participant, object: event, role)
Source                        ``Article`` / ``Document`` / ``Video`` / ``Image`` (title, author…)
Claim                         ``Note`` on its subject (statement, status) and one ``Documentation``
                              per citation (document: the source, entity: the subject, role: stance)
Evidence item (vault)         ``Document`` (fileName, mimeType, fileSize; SHA-256 in ``notes``)
============================  =====================================================================

FollowTheMoney dates are prefixes ("1988", "1988-08"): a fuzzy date becomes the longest prefix its
low and high bounds share, or a start and end date for events and positions.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

from followthemoney import model
from followthemoney.proxy import EntityProxy
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dadkhah.access import Principal, allowed_sensitivities, visible_names
from dadkhah.claims.status import status_for
from dadkhah.model import (
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
from dadkhah.records.naming import display_name
from dadkhah.vault.tables import EvidenceItem, EvidenceLink

PUBLIC_BODY_TYPES = {"prison", "commission", "ministry", "judiciary", "security_unit", "armed_force", "government",
                     "parliament"}
SOURCE_SCHEMA = {"article": "Article", "video": "Video", "photograph": "Image"}
LANGUAGES = {"en": "eng", "fa": "fas", "ar": "ara", "sv": "swe", "fr": "fra", "de": "deu", "ku": "kur", "tr": "tur"}
GENDERS = {"male": "male", "female": "female", "m": "male", "f": "female"}


def date_prefix(low: dt.date | None, high: dt.date | None) -> str | None:
    """The FollowTheMoney date for a span: a day, a month or a year, or ``None`` if they differ."""
    if low is None or high is None:
        return None
    if low == high:
        return low.isoformat()
    if (low.year, low.month) == (high.year, high.month) and low.day == 1 and (high + dt.timedelta(days=1)).day == 1:
        return f"{low.year:04d}-{low.month:02d}"
    if low.year == high.year and (low.month, low.day) == (1, 1) and (high.month, high.day) == (12, 31):
        return f"{low.year:04d}"
    return None


def _span(obj, prefix: str) -> tuple[dt.date | None, dt.date | None]:
    return getattr(obj, f"{prefix}_low", None), getattr(obj, f"{prefix}_high", None)


def _set_date(proxy: EntityProxy, prop: str, obj, prefix: str, *, start: str | None = None,
              end: str | None = None) -> None:
    low, high = _span(obj, prefix)
    exact = date_prefix(low, high)
    if exact:
        proxy.add(prop, exact)
    elif low is not None and start and end:
        proxy.add(start, low.isoformat())
        proxy.add(end, high.isoformat())


def _names(proxy: EntityProxy, entity: Entity, principal: Principal) -> None:
    name = display_name(entity, principal)
    proxy.add("name", name.main)
    for n in visible_names(entity, principal):
        if n.text == name.main or n.kind == "honorific":
            continue
        if n.kind in ("full", "official") and proxy.schema.get("alias") is not None:
            proxy.add("alias", n.text)
        elif n.kind in ("alias", "pseudonym") and proxy.schema.get("alias") is not None:
            proxy.add("alias", n.text)
        elif n.kind == "given" and proxy.schema.get("firstName") is not None:
            proxy.add("firstName", n.text)
        elif n.kind == "family" and proxy.schema.get("lastName") is not None:
            proxy.add("lastName", n.text)
        elif n.kind == "father" and proxy.schema.get("fatherName") is not None:
            proxy.add("fatherName", n.text)


def _make(schema: str, id: str) -> EntityProxy:
    proxy = model.make_entity(schema)
    proxy.id = id
    return proxy


def export_entities(session: Session, principal: Principal) -> Iterator[EntityProxy]:
    """Every record ``principal`` may see, as FollowTheMoney entity proxies (references are consistent:
    an entity is only pointed at when it is exported too)."""
    allowed = allowed_sensitivities(principal)

    def rows(cls):
        return session.scalars(select(cls).where(cls.sensitivity.in_(allowed)).order_by(cls.id)).all()

    places = {p.id: p for p in rows(Place)}
    orgs = {o.id: o for o in rows(Organization)}
    persons = {p.id: p for p in rows(Person)}
    events = {e.id: e for e in rows(Event)}
    sources = {s.id: s for s in rows(Source)}
    exported: set[str] = set()

    for p in places.values():
        proxy = _make("Address", p.id)
        _names(proxy, p, principal)
        proxy.add("full", display_name(p, principal).both)
        if p.country:
            proxy.add("country", p.country.lower())
        if p.latitude is not None:
            proxy.add("latitude", p.latitude)
            proxy.add("longitude", p.longitude)
        proxy.add("description", p.description)
        exported.add(p.id)
        yield proxy
    for o in orgs.values():
        proxy = _make("PublicBody" if o.org_type in PUBLIC_BODY_TYPES else "Organization", o.id)
        _names(proxy, o, principal)
        proxy.add("classification", o.org_type)
        if o.parent_id in orgs:
            proxy.add("parent", o.parent_id)
        if o.place_id in places:
            proxy.add("addressEntity", o.place_id)
        proxy.add("description", o.description)
        exported.add(o.id)
        yield proxy
    for p in persons.values():
        proxy = _make("Person", p.id)
        _names(proxy, p, principal)
        if p.gender and p.gender.lower() in GENDERS:
            proxy.add("gender", GENDERS[p.gender.lower()])
        _set_date(proxy, "birthDate", p, "birth")
        _set_date(proxy, "deathDate", p, "death")
        if p.father_name:
            proxy.add("fatherName", p.father_name)
        if p.nationality and len(p.nationality) == 2:
            proxy.add("nationality", p.nationality.lower())
        proxy.add("description", p.description)
        exported.add(p.id)
        yield proxy
    for s in sources.values():
        proxy = _make(SOURCE_SCHEMA.get(s.source_type, "Document"), s.id)
        proxy.add("title", s.title)
        proxy.add("author", s.author)
        proxy.add("publisher", s.publisher)
        _set_date(proxy, "publishedAt", s, "date")
        if s.language:
            proxy.add("language", LANGUAGES.get(s.language, s.language), quiet=True)
        if s.locator and s.locator.startswith(("http://", "https://")):
            proxy.add("sourceUrl", s.locator)
        proxy.add("summary", f"Admiralty grade {s.grade}" + (f"; origin: {s.origin}" if s.origin else ""))
        exported.add(s.id)
        yield proxy

    things = set(exported) | set(events)
    links: dict[str, str] = {}  # participation / membership id -> the person or organisation it concerns
    parts_by_event: dict[str, list[Participation]] = {}
    for part in rows(Participation):
        if part.event_id in events and part.participant_id in exported:
            parts_by_event.setdefault(part.event_id, []).append(part)
    for e in events.values():
        proxy = _make("Event", e.id)
        proxy.add("name", display_name(e, principal).main)
        _set_date(proxy, "date", e, "date", start="startDate", end="endDate")
        if e.place_id in places:
            proxy.add("addressEntity", e.place_id)
            proxy.add("location", display_name(places[e.place_id], principal).main)
        proxy.add("keywords", e.event_type)
        for part in parts_by_event.get(e.id, []):
            if part.participant_id in persons or part.participant_id in orgs:
                proxy.add("involved", part.participant_id)
        proxy.add("description", e.description)
        exported.add(e.id)
        yield proxy
    for plist in parts_by_event.values():
        for part in plist:
            proxy = _make("UnknownLink", part.id)
            proxy.add("subject", part.participant_id)
            proxy.add("object", part.event_id)
            proxy.add("role", part.role)
            links[part.id] = part.participant_id
            yield proxy
    for m in rows(Membership):
        if m.member_id not in exported or m.organization_id not in orgs:
            continue
        if m.member_id not in persons and m.member_id not in orgs:
            continue
        proxy = _make("Membership", m.id)
        proxy.add("member", m.member_id)
        proxy.add("organization", m.organization_id)
        proxy.add("role", m.title or m.role)
        _set_date(proxy, "startDate", m, "start")
        _set_date(proxy, "endDate", m, "end")
        links[m.id] = m.member_id
        yield proxy

    yield from _claims(session, principal, things, links, sources)
    yield from _evidence(session, principal, things)


def _claims(session: Session, principal: Principal, things: set[str], links: dict[str, str],
            sources: dict) -> Iterator[EntityProxy]:
    allowed = allowed_sensitivities(principal)
    stmt = (select(Claim).options(selectinload(Claim.citations).selectinload(Citation.source))
            .where(Claim.sensitivity.in_(allowed)).order_by(Claim.id))
    for claim in session.scalars(stmt):
        cites = [c for c in claim.citations if c.source_id in sources]
        # Notes and Documentation point at "Thing" entities: a claim about a position or a role is
        # filed on the person it concerns.
        about = claim.subject_id if claim.subject_id in things else (
            claim.object_id if claim.object_id in things else links.get(claim.subject_id))
        if not cites or about is None:
            continue
        note = _make("Note", claim.id)
        note.add("entity", about)
        note.add("name", claim.predicate)
        note.add("description", claim.statement or claim.value_display())
        note.add("summary", f"status: {status_for(session, claim, principal)}" + (f"; value: {claim.value_display()}"
                                                          if claim.value_display() else ""))
        yield note
        for c in cites:
            doc = _make("Documentation", f"{claim.id}-cite-{c.id}")
            doc.add("document", c.source_id)
            doc.add("entity", about)
            doc.add("role", c.stance)
            doc.add("summary", c.quotation)
            doc.add("description", c.locator or None)
            yield doc


def _evidence(session: Session, principal: Principal, things: set[str]) -> Iterator[EntityProxy]:
    allowed = allowed_sensitivities(principal)
    for item in session.scalars(select(EvidenceItem).where(EvidenceItem.sensitivity.in_(allowed))
                                .order_by(EvidenceItem.id)):
        proxy = _make("Document", item.id)
        proxy.add("title", item.title or item.filename)
        proxy.add("fileName", item.filename)
        proxy.add("mimeType", item.media_type)
        proxy.add("fileSize", item.size)
        proxy.add("notes", f"sha256:{item.sha256}")
        yield proxy
        links = session.scalars(select(EvidenceLink).where(EvidenceLink.item_id == item.id,
                                                           EvidenceLink.entity_id.is_not(None))).all()
        for link in links:
            if link.entity_id in things:
                doc = _make("Documentation", f"{item.id}-link-{link.id}")
                doc.add("document", item.id)
                doc.add("entity", link.entity_id)
                doc.add("role", link.relation)
                yield doc


def validate(proxy: EntityProxy) -> None:
    """Raise :class:`followthemoney.exc.InvalidData` unless the entity is valid for its schema."""
    proxy.schema.validate(proxy.to_dict())


def write_ftm(session: Session, principal: Principal, out) -> int:
    """Write the entities as line-delimited JSON (the format ``ftm`` and ``alephclient`` read); returns
    how many were written. Each is validated against its FollowTheMoney schema first."""
    n = 0
    for proxy in export_entities(session, principal):
        validate(proxy)
        out.write(json.dumps(proxy.to_dict(), ensure_ascii=False) + "\n")
        n += 1
    return n
