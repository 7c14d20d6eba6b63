"""Service functions for entities and name forms (see package docstring)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dadkhah.access import Principal, can_see, rank, stricter, visible_names
from dadkhah.errors import InputError, NotFound
from dadkhah.model import (
    KIND_CLASSES,
    Entity,
    Event,
    Membership,
    NameForm,
    Organization,
    Participation,
    Person,
    Place,
    Source,
    new_id,
)
from dadkhah.model.base import SENSITIVITY_VALUES
from dadkhah.model.vocab import UnknownTerm, check_term

NameSpec = str | dict


def _term(session: Session, vocabulary: str, term: str, field: str) -> str:
    try:
        return check_term(vocabulary, term, session)
    except UnknownTerm as exc:
        raise InputError(str(exc), field=field) from None


def _sensitivity(value: str, field: str = "sensitivity") -> str:
    if value not in SENSITIVITY_VALUES:
        raise InputError(f"must be one of {', '.join(SENSITIVITY_VALUES)}, not {value!r}", field=field)
    return value


def _set_date(obj, attr: str, value) -> None:
    if value is None:
        return
    from dadkhah.dates import DateParseError

    try:
        setattr(obj, attr, value)
    except DateParseError as exc:
        raise InputError(str(exc), field=attr) from None


def _ref(session: Session, cls: type, ref_id: str | None, field: str):
    if ref_id is None:
        return None
    obj = session.get(cls, ref_id)
    if obj is None:
        raise InputError(f"no {cls.__name__.lower()} with id {ref_id!r}", field=field)
    return obj


def name_form_keys(text: str, kind: str) -> tuple[str, str]:
    """(normalised text, cross-script key) that a name form stores (an honorific has no key)."""
    from dadkhah.names import name_key, normalize

    return normalize(text), name_key(text) if kind != "honorific" else ""


def add_name(session: Session, entity: Entity, text: str, *, kind: str = "full", lang: str | None = None,
             sensitivity: str | None = None, primary: bool = False, source_id: str | None = None) -> NameForm:
    """Add one written form of a name, computing its script, normalised text and cross-script key."""
    from dadkhah.names import detect_script

    text = (text or "").strip()
    if not text:
        raise InputError("a name form cannot be empty", field="names")
    _term(session, "name_kind", kind, "names.kind")
    script = detect_script(text)
    normalized, key = name_form_keys(text, kind)
    form = NameForm(
        text=text, kind=kind, script=script, lang=lang or ("fa" if script == "fa" else None),
        normalized=normalized, name_key=key,
        sensitivity=_sensitivity(sensitivity or entity.sensitivity or "public", "names.sensitivity"),
        is_primary=primary, position=len(entity.names), source_id=source_id,
    )
    entity.names.append(form)
    refresh_label(entity)
    return form


def refresh_label(entity: Entity) -> None:
    """The label is a name form no more sensitive than the entity itself (so it never leaks)."""
    level = rank(entity.sensitivity)
    safe = [n for n in entity.names if rank(n.sensitivity) <= level and n.kind in ("full", "official",
                                                                                     "pseudonym", "alias")]
    if not safe:
        return
    if entity.label and entity.label not in {n.text for n in entity.names}:
        return  # a label given explicitly (e.g. an event's title) stays
    safe.sort(key=lambda n: (not n.is_primary, n.script != "latin", n.position))
    entity.label = safe[0].text


def _add_names(session: Session, entity: Entity, names: Iterable[NameSpec]) -> None:
    for i, spec in enumerate(names):
        if isinstance(spec, str):
            add_name(session, entity, spec, primary=(i == 0))
        else:
            spec = dict(spec)
            add_name(session, entity, spec.pop("text", ""), primary=spec.pop("primary", i == 0), **spec)


def _entity(cls, session: Session, id: str | None, prefix: str, names: Iterable[NameSpec], label: str | None,
            sensitivity: str, description: str | None, extra: dict | None, **columns: Any):
    if id is not None and session.get(Entity, id) is not None:
        raise InputError(f"an entity with id {id!r} already exists", field="id")
    obj = cls(id=id or new_id(prefix), label=label or "", sensitivity=_sensitivity(sensitivity),
              description=description, extra=extra or {}, **columns)
    obj.names = []  # a new record has no names yet: nothing to load
    session.add(obj)
    with session.no_autoflush:  # inserted once, with its names and label, not inserted then updated
        _add_names(session, obj, names)
    if not obj.label:
        raise InputError("give at least one name (or a label)", field="names")
    return obj


def add_person(session: Session, *, names: Iterable[NameSpec] = (), id: str | None = None,
               label: str | None = None, gender: str | None = None, birth=None, death=None,
               father_name: str | None = None, nationality: str | None = None, sensitivity: str = "public",
               description: str | None = None, extra: dict | None = None) -> Person:
    p = _entity(Person, session, id, "person", names, label, sensitivity, description, extra, gender=gender,
                father_name=father_name, nationality=nationality)
    _set_date(p, "birth", birth)
    _set_date(p, "death", death)
    session.flush()
    return p


def add_organization(session: Session, *, org_type: str, names: Iterable[NameSpec] = (), id: str | None = None,
                     label: str | None = None, parent_id: str | None = None, place_id: str | None = None,
                     sensitivity: str = "public", description: str | None = None,
                     extra: dict | None = None) -> Organization:
    _term(session, "organization_type", org_type, "org_type")
    _ref(session, Organization, parent_id, "parent_id")
    _ref(session, Place, place_id, "place_id")
    o = _entity(Organization, session, id, "org", names, label, sensitivity, description, extra,
                org_type=org_type, parent_id=parent_id, place_id=place_id)
    session.flush()
    return o


def add_place(session: Session, *, place_type: str, names: Iterable[NameSpec] = (), id: str | None = None,
              label: str | None = None, parent_id: str | None = None, country: str | None = None,
              latitude: float | None = None, longitude: float | None = None, geometry: dict | None = None,
              sensitivity: str = "public", description: str | None = None, extra: dict | None = None) -> Place:
    _term(session, "place_type", place_type, "place_type")
    _ref(session, Place, parent_id, "parent_id")
    if latitude is not None and not -90 <= latitude <= 90:
        raise InputError("latitude must be between -90 and 90", field="latitude")
    if longitude is not None and not -180 <= longitude <= 180:
        raise InputError("longitude must be between -180 and 180", field="longitude")
    if geometry is not None and (not isinstance(geometry, dict) or "type" not in geometry):
        raise InputError("geometry must be a GeoJSON geometry object", field="geometry")
    p = _entity(Place, session, id, "place", names, label, sensitivity, description, extra,
                place_type=place_type, parent_id=parent_id, country=country, latitude=latitude,
                longitude=longitude, geometry=geometry)
    session.flush()
    return p


def add_event(session: Session, *, event_type: str, label: str, id: str | None = None, date=None,
              place_id: str | None = None, parent_id: str | None = None, names: Iterable[NameSpec] = (),
              sensitivity: str = "public", description: str | None = None, extra: dict | None = None) -> Event:
    _term(session, "event_type", event_type, "event_type")
    _ref(session, Place, place_id, "place_id")
    _ref(session, Event, parent_id, "parent_id")
    e = _entity(Event, session, id, "event", names, label, sensitivity, description, extra,
                event_type=event_type, place_id=place_id, parent_id=parent_id)
    _set_date(e, "date", date)
    session.flush()
    return e


GRADES_RELIABILITY = "ABCDEF"


def add_source(session: Session, *, source_type: str, title: str, id: str | None = None,
               author: str | None = None, publisher: str | None = None, date=None, language: str | None = None,
               locator: str | None = None, reliability: str = "F", credibility: int = 6,
               origin: str | None = None, sensitivity: str = "public", description: str | None = None,
               extra: dict | None = None) -> Source:
    """A source graded on the Admiralty scale: reliability A (reliable) – F (cannot be judged),
    credibility 1 (confirmed) – 6 (cannot be judged)."""
    _term(session, "source_type", source_type, "source_type")
    if reliability not in GRADES_RELIABILITY or len(reliability) != 1:
        raise InputError(f"reliability must be one letter A–F, not {reliability!r}", field="reliability")
    try:
        credibility = int(credibility)
    except (TypeError, ValueError):
        raise InputError(f"credibility must be a number 1–6, not {credibility!r}", field="credibility") from None
    if not 1 <= credibility <= 6:
        raise InputError(f"credibility must be 1–6, not {credibility}", field="credibility")
    if not title.strip():
        raise InputError("a source needs a title", field="title")
    s = _entity(Source, session, id, "source", (), title, sensitivity, description, extra,
                source_type=source_type, title=title, author=author, publisher=publisher, language=language,
                locator=locator, reliability=reliability, credibility=credibility, origin=origin)
    _set_date(s, "date", date)
    session.flush()
    return s


def add_membership(session: Session, *, member_id: str, organization_id: str, role: str = "member",
                   title: str | None = None, start=None, end=None, id: str | None = None,
                   sensitivity: str = "public", description: str | None = None) -> Membership:
    member = _ref(session, Entity, member_id, "member_id")
    org = _ref(session, Organization, organization_id, "organization_id")
    _term(session, "position_role", role, "role")
    # the label names both ends, so the position is at least as sensitive as either (else the label leaks)
    sensitivity = stricter(_sensitivity(sensitivity), member.sensitivity, org.sensitivity)
    label = f"{member.label} — {title or role} — {org.label}"
    m = _entity(Membership, session, id, "membership", (), label, sensitivity, description, None,
                member_id=member_id, organization_id=organization_id, role=role, title=title)
    _set_date(m, "start", start)
    _set_date(m, "end", end)
    session.flush()
    return m


def add_participation(session: Session, *, event_id: str, participant_id: str, role: str,
                      id: str | None = None, sensitivity: str = "public",
                      description: str | None = None) -> Participation:
    event = _ref(session, Event, event_id, "event_id")
    who = _ref(session, Entity, participant_id, "participant_id")
    _term(session, "participation_role", role, "role")
    # the label names both ends, so the role is at least as sensitive as either (else the label leaks)
    sensitivity = stricter(_sensitivity(sensitivity), who.sensitivity, event.sensitivity)
    label = f"{who.label} — {role} — {event.label}"
    p = _entity(Participation, session, id, "participation", (), label, sensitivity, description, None,
                event_id=event_id, participant_id=participant_id, role=role)
    session.flush()
    return p


def get_entity(session: Session, id: str, *, kind: str | None = None,
               principal: Principal) -> Entity:
    cls = KIND_CLASSES.get(kind, Entity) if kind else Entity
    if kind and kind not in KIND_CLASSES:
        raise NotFound(f"unknown kind {kind!r} (use one of {', '.join(KIND_CLASSES)})")
    obj = session.get(cls, id)
    if obj is None or (not can_see(principal, obj)):
        raise NotFound(f"no {kind or 'entity'} with id {id!r}")
    return obj


def list_entities(session: Session, kind: str, principal: Principal) -> list[Entity]:
    cls = KIND_CLASSES[kind]
    stmt = select(cls).order_by(cls.label)
    from dadkhah.access import visible

    return list(session.scalars(visible(stmt, cls, principal)))


def _date(d) -> dict | None:
    return d.to_dict() if d is not None else None


def entity_to_dict(session: Session, entity: Entity, principal: Principal, *,
                   with_claims: bool = True) -> dict:
    """Everything a principal may see about one entity, with the claims about it and their sources."""
    from dadkhah.claims.service import claim_to_dict, claims_about

    names = visible_names(entity, principal)
    d: dict[str, Any] = {
        "id": entity.id, "kind": entity.kind, "label": entity.label, "description": entity.description,
        "sensitivity": entity.sensitivity,
        "names": [{"text": n.text, "kind": n.kind, "script": n.script, "lang": n.lang, "key": n.name_key,
                   "primary": n.is_primary, "sensitivity": n.sensitivity} for n in names],
    }
    if isinstance(entity, Person):
        d.update(gender=entity.gender, father_name=entity.father_name, birth=_date(entity.birth),
                 death=_date(entity.death), nationality=entity.nationality)
    elif isinstance(entity, Organization):
        d.update(org_type=entity.org_type, parent_id=entity.parent_id, place_id=entity.place_id)
    elif isinstance(entity, Place):
        d.update(place_type=entity.place_type, parent_id=entity.parent_id, country=entity.country,
                 latitude=entity.latitude, longitude=entity.longitude, geometry=entity.geometry)
    elif isinstance(entity, Event):
        d.update(event_type=entity.event_type, date=_date(entity.date), place_id=entity.place_id,
                 parent_id=entity.parent_id)
    elif isinstance(entity, Source):
        d.update(source_type=entity.source_type, title=entity.title, author=entity.author,
                 publisher=entity.publisher, date=_date(entity.date), language=entity.language,
                 locator=entity.locator, reliability=entity.reliability, credibility=entity.credibility,
                 grade=entity.grade, origin=entity.origin)
    elif isinstance(entity, Membership):
        d.update(member_id=entity.member_id, organization_id=entity.organization_id, role=entity.role,
                 title=entity.title, start=_date(entity.start), end=_date(entity.end))
    elif isinstance(entity, Participation):
        d.update(event_id=entity.event_id, participant_id=entity.participant_id, role=entity.role)
    if with_claims:
        d["claims"] = [claim_to_dict(c, principal) for c in claims_about(session, entity.id, principal)]
    if isinstance(entity, (Person, Organization)):
        stmt = select(Participation).where(Participation.participant_id == entity.id)
        parts = [p for p in session.scalars(stmt) if can_see(principal, p)]
        d["roles"] = [{"id": p.id, "event_id": p.event_id, "role": p.role, "label": p.label} for p in parts]
        stmt = select(Membership).where(Membership.member_id == entity.id)
        mems = [m for m in session.scalars(stmt) if can_see(principal, m)]
        d["positions"] = [{"id": m.id, "organization_id": m.organization_id, "role": m.role, "title": m.title,
                           "start": _date(m.start), "end": _date(m.end)} for m in mems]
    return d
