"""Changing an existing record from a form or the API, with the same validation as creating one.

(The core ``dadkhah.records`` has ``add_*`` functions only; :func:`update_entity` is the edit
counterpart the web needs. It validates through the same vocabulary, date and reference checks.)
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from dadkhah.access import rank
from dadkhah.errors import InputError
from dadkhah.model import Entity, Event, NameForm, Organization, Person, Place, Source
from dadkhah.model.base import SENSITIVITY_VALUES

EDITABLE: dict[str, tuple[str, ...]] = {
    "person": ("description", "sensitivity", "gender", "birth", "death", "father_name", "nationality"),
    "organization": ("description", "sensitivity", "org_type", "parent_id", "place_id"),
    "place": ("description", "sensitivity", "place_type", "parent_id", "country", "latitude", "longitude"),
    "event": ("label", "description", "sensitivity", "event_type", "date", "place_id", "parent_id"),
    "source": ("description", "sensitivity", "source_type", "title", "author", "publisher", "date", "language",
               "locator", "reliability", "credibility", "origin"),
}
VOCAB_FIELDS = {"org_type": "organization_type", "place_type": "place_type", "event_type": "event_type",
                "source_type": "source_type"}
REF_FIELDS = {("organization", "parent_id"): Organization, ("organization", "place_id"): Place,
              ("place", "parent_id"): Place, ("event", "place_id"): Place, ("event", "parent_id"): Event}
DATE_FIELDS = {"birth", "death", "date"}
LIMITS = {"label": 500, "title": 1000, "author": 500, "publisher": 500, "locator": 2000, "origin": 200,
          "father_name": 200, "nationality": 100, "gender": 20, "country": 2, "language": 10}


def update_entity(session: Session, entity: Entity, changes: dict[str, Any]) -> Entity:
    """Apply ``changes`` (field → new value; None or "" clears an optional field) to ``entity``."""
    from dadkhah.model.vocab import UnknownTerm, check_term

    allowed = EDITABLE.get(entity.kind, ())
    for key, value in changes.items():
        if key not in allowed:
            raise InputError(f"{entity.kind} has no editable field {key!r}", field=key)
        if isinstance(value, str):
            value = value.strip()
            if key in LIMITS and len(value) > LIMITS[key]:
                raise InputError(f"at most {LIMITS[key]} characters", field=key)
        if key == "sensitivity":
            if value not in SENSITIVITY_VALUES:
                raise InputError(f"must be one of {', '.join(SENSITIVITY_VALUES)}", field=key)
        elif key in VOCAB_FIELDS:
            try:
                check_term(VOCAB_FIELDS[key], value, session)
            except UnknownTerm as exc:
                raise InputError(str(exc), field=key) from None
        elif (entity.kind, key) in REF_FIELDS and value:
            target = session.get(REF_FIELDS[(entity.kind, key)], value)
            if target is None:
                raise InputError(f"no {REF_FIELDS[(entity.kind, key)].__name__.lower()} with id {value!r}",
                                 field=key)
            if key == "parent_id" and value == entity.id:
                raise InputError("a record cannot be its own parent", field=key)
        elif key in DATE_FIELDS:
            from dadkhah.dates import DateParseError

            try:
                setattr(entity, key, value or None)
            except DateParseError as exc:
                raise InputError(str(exc), field=key) from None
            continue
        elif key in ("latitude", "longitude") and value not in (None, ""):
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise InputError("must be a number", field=key) from None
            bound = 90 if key == "latitude" else 180
            if not -bound <= value <= bound:
                raise InputError(f"must be between -{bound} and {bound}", field=key)
        elif key == "reliability":
            if value not in tuple("ABCDEF"):
                raise InputError("reliability must be one letter A–F", field=key)
        elif key == "credibility":
            try:
                value = int(value)
            except (TypeError, ValueError):
                raise InputError("credibility must be a number 1–6", field=key) from None
            if not 1 <= value <= 6:
                raise InputError("credibility must be 1–6", field=key)
        elif key in ("label", "title") and not value:
            raise InputError("cannot be empty", field=key)
        setattr(entity, key, None if value == "" else value)
    if isinstance(entity, Source) and "title" in changes:
        entity.label = entity.title
    _relabel(entity)
    session.flush()
    return entity


def remove_names(session: Session, entity: Entity, name_ids: list[int]) -> None:
    """Remove some name forms of ``entity`` (at least one name must remain when it had any)."""
    doomed = [n for n in entity.names if n.id in set(name_ids)]
    if doomed and len(doomed) == len(entity.names) and isinstance(entity, (Person, Organization, Place)):
        raise InputError("keep at least one name", field="names")
    removed = {n.text for n in doomed}
    for n in doomed:
        entity.names.remove(n)
    if entity.label in removed and entity.label not in {n.text for n in entity.names}:
        entity.label = ""  # a removed name must not live on as the label
    for i, n in enumerate(entity.names):
        n.position = i
    _relabel(entity)


def _relabel(entity: Entity) -> None:
    """Keep the label a name no more sensitive than the entity, so the label never leaks a name."""
    if isinstance(entity, (Event, Source)) or not entity.names:
        return
    from dadkhah.records.service import refresh_label

    if entity.label and entity.label not in {n.text for n in entity.names}:
        return  # a label given explicitly stays (see refresh_label)
    level = rank(entity.sensitivity)
    safe = [n for n in entity.names if rank(n.sensitivity) <= level and n.kind in ("full", "official", "pseudonym",
                                                                                 "alias")]
    if not safe:
        raise InputError("no full name at this sensitivity or lower to show as its label: add one, or keep "
                         "the record at a higher sensitivity", field="sensitivity")
    refresh_label(entity)


def name_rows(entity: Entity) -> list[NameForm]:
    return list(entity.names)
