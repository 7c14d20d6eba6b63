"""YAML case files: a readable way to write down a case by hand (the demo case is one).

Top-level keys, each a list, loaded in this order: ``sources``, ``places``, ``organizations``,
``persons``, ``events``, ``memberships``, ``participations``, ``claims``. Memberships and
participations may carry ``claims:`` of their own (the relation is then the claim's subject, the
organisation or event its object). Every claim needs ``cite:`` — a list of
``{source, quote, locator, stance}``. Errors name the file and the record.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from dadkhah.claims.service import add_claim
from dadkhah.errors import InputError
from dadkhah.records import service as records

ORDER = ("sources", "places", "organizations", "persons", "events", "memberships", "participations", "claims")


def _citations(spec: dict) -> list[dict]:
    cites = spec.get("cite") or []
    if isinstance(cites, dict):
        cites = [cites]
    return [{"source_id": c["source"], "quotation": c.get("quote"), "locator": c.get("locator", ""),
             "stance": c.get("stance", "supports")} for c in cites]


def _claim(session, spec: dict, *, subject_id: str, object_id: str | None, predicate: str) -> None:
    spec = dict(spec)
    add_claim(session, subject_id=spec.pop("subject", subject_id), object_id=spec.pop("object", object_id),
              predicate=spec.pop("predicate", predicate), statement=spec.pop("statement", ""),
              value_text=spec.pop("value", None), value_low=spec.pop("low", None), value_high=spec.pop("high", None),
              unit=spec.pop("unit", None), valid=spec.pop("valid", None),
              sensitivity=spec.pop("sensitivity", "public"), status_note=spec.pop("note", None),
              asserted_status=spec.pop("asserted_status", None), citations=_citations(spec), id=spec.pop("id", None))


def load_casefile(session, path: Path | str) -> dict[str, int]:
    path = Path(path)
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    unknown = set(data) - set(ORDER)
    if unknown:
        raise InputError(f"unknown section(s): {', '.join(sorted(unknown))}", file=path.name)
    counts = {k: 0 for k in ORDER}
    for section in ORDER:
        for i, spec in enumerate(data.get(section) or [], 1):
            try:
                _load_one(session, section, dict(spec))
            except InputError as exc:
                raise InputError(f"{section} #{i} ({spec.get('id', '?')}): {exc.message}", file=path.name,
                                 field=exc.field) from None
            counts[section] += 1
    return counts


def _load_one(session, section: str, spec: dict) -> None:
    claims = spec.pop("claims", [])
    if section == "sources":
        records.add_source(session, **spec)
    elif section == "places":
        records.add_place(session, **spec)
    elif section == "organizations":
        records.add_organization(session, **spec)
    elif section == "persons":
        records.add_person(session, **spec)
    elif section == "events":
        records.add_event(session, **spec)
    elif section == "memberships":
        m = records.add_membership(session, **spec)
        for n, c in enumerate(claims, 1):
            c = {"id": f"claim-{m.id}-{n}", **c}
            _claim(session, c, subject_id=m.member_id, object_id=m.id, predicate="held_position")
        claims = []
    elif section == "participations":
        p = records.add_participation(session, **spec)
        for n, c in enumerate(claims, 1):
            c = {"id": f"claim-{p.id}-{n}", **c}
            _claim(session, c, subject_id=p.participant_id, object_id=p.id, predicate="participated")
        claims = []
    elif section == "claims":
        _claim(session, spec, subject_id=spec.get("subject"), object_id=None, predicate=spec.get("predicate"))
    for n, c in enumerate(claims, 1):  # claims attached to an entity
        c = {"id": f"claim-{spec['id']}-{n}", **c}
        _claim(session, c, subject_id=spec["id"], object_id=None, predicate=c.get("predicate", "statement"))
