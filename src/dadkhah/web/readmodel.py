"""What pages and the API show about records, assembled from the core services.

Every query here passes the caller's principal to the core service functions or through
:func:`dadkhah.access.visible`, so a record above the caller's level is never loaded into a view.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dadkhah.access import Principal, allowed_sensitivities, can_see, visible
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
    """``{"id", "kind", "label", "sensitivity"}`` of a visible entity, else None."""
    return refs(s, [entity_id], principal).get(entity_id) if entity_id else None


def refs(s: Session, ids, principal: Principal) -> dict[str, dict]:
    """:func:`ref` for many ids in one query: id → reference, for the visible ones only."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    stmt = visible(select(Entity.id, Entity.kind, Entity.label, Entity.sensitivity), Entity, principal)
    return {r.id: {"id": r.id, "kind": r.kind, "label": r.label, "sensitivity": r.sensitivity}
            for r in s.execute(stmt.where(Entity.id.in_(sorted(wanted))))}


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


TYPE_FIELD = {"organization": ("org_type", "organization_type"), "place": ("place_type", "place_type"),
              "event": ("event_type", "event_type"), "source": ("source_type", "source_type")}
SORTED_IN_MEMORY = 20_000  # lists up to this size are ordered as a reader expects (sort_key) in Python


def filtered_list(s: Session, kind: str, principal: Principal, *, lang: str, q: str = "", type_: str = "",
                  sensitivity: str = "", sort: str = "label", offset: int = 0, limit: int = 50) -> dict:
    """One page of a list of records with its filters and facets: ``q`` (a name or label, any script, letter
    case or Arabic letter variant), ``type_`` (the kind's type vocabulary), ``sensitivity``; facet counts for
    both; ordered by the name in the reader's script (case- and variant-insensitive), or by date for events.
    Returns {"items", "total", "facets"}."""
    from dadkhah.model import NameForm
    from dadkhah.names.normalize import normalize

    cls = KIND_CLASSES[kind]
    base = visible(select(cls.id), cls, principal)

    def _ids(stmt):  # a list of ids to test membership in, not correlated with the outer query
        return select(stmt.subquery().c.id)

    if q.strip():
        needle = f"%{normalize(q.strip())}%"
        named = select(NameForm.entity_id).where(NameForm.normalized.like(needle),
                                                 NameForm.sensitivity.in_(list(allowed_sensitivities(principal))))
        base = base.where(cls.id.in_(named) | func.lower(cls.label).like(f"%{q.strip().lower()}%"))
    type_col = getattr(cls, TYPE_FIELD[kind][0]) if kind in TYPE_FIELD else None
    facets: dict[str, list[tuple[str, int]]] = {}
    if type_col is not None:
        sub = base.where(cls.sensitivity == sensitivity) if sensitivity else base
        facets["type"] = [(v, n) for v, n in s.execute(select(type_col, func.count()).where(cls.id.in_(_ids(sub)))
                                                      .group_by(type_col).order_by(func.count().desc())) if v]
        if type_:
            base = base.where(type_col == type_)
    facets["sensitivity"] = [(v, n) for v, n in s.execute(select(cls.sensitivity, func.count())
                                                          .where(cls.id.in_(_ids(base))).group_by(cls.sensitivity))]
    if sensitivity:
        base = base.where(cls.sensitivity == sensitivity)
    total = s.scalar(select(func.count()).select_from(base.subquery())) or 0
    if kind == "event" and sort == "date":
        stmt = select(cls).where(cls.id.in_(_ids(base))).order_by(Event.date_low.is_(None), Event.date_low, Event.label)
        rows = list(s.scalars(stmt.offset(max(offset, 0)).limit(limit)))
    elif total <= SORTED_IN_MEMORY:
        pairs = list(s.execute(select(cls.id, cls.label).where(cls.id.in_(_ids(base)))))
        names = reader_labels(s, [i for i, _ in pairs], principal, lang)
        ordered = sorted(pairs, key=lambda r: (sort_key(names.get(r[0], r[1])), r[0]))
        wanted = [i for i, _ in ordered[max(offset, 0):max(offset, 0) + limit]]
        by_id = {e.id: e for e in s.scalars(select(cls).where(cls.id.in_(wanted)))}
        rows = [by_id[i] for i in wanted if i in by_id]
    else:
        stmt = select(cls).where(cls.id.in_(_ids(base))).order_by(func.lower(cls.label), cls.id)
        rows = list(s.scalars(stmt.offset(max(offset, 0)).limit(limit)))
    return {"items": [summary(e) for e in rows], "total": total, "facets": facets}


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
    keys = ("place_id", "parent_id", "organization_id", "event_id", "member_id", "participant_id")
    known = refs(s, [d.get(k) for k in keys] + [r["event_id"] for r in d.get("roles", [])]
                 + [p["organization_id"] for p in d.get("positions", [])], principal)
    for key in keys:
        if key in d:
            d[key.removesuffix("_id")] = known.get(d[key])
    if "roles" in d:
        d["roles"] = [dict(r, event=known[r["event_id"]]) for r in d["roles"] if r["event_id"] in known]
    if "positions" in d:
        d["positions"] = [dict(p, organization=known[p["organization_id"]]) for p in d["positions"]
                          if p["organization_id"] in known]
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
    mems = list(s.scalars(visible(select(Membership), Membership, principal)
                          .where(Membership.organization_id == org_id)))
    who = refs(s, [m.member_id for m in mems], principal)
    rows = [{"id": m.id, "member": who[m.member_id], "role": m.role, "title": m.title, "start": _date(m.start),
             "end": _date(m.end), "sensitivity": m.sensitivity} for m in mems if m.member_id in who]
    return sorted(rows, key=lambda r: r["member"]["label"])


def _participants(s: Session, event_id: str, principal: Principal) -> list[dict]:
    parts = list(s.scalars(visible(select(Participation), Participation, principal)
                           .where(Participation.event_id == event_id)))
    who = refs(s, [p.participant_id for p in parts], principal)
    rows = [{"id": p.id, "participant": who[p.participant_id], "role": p.role, "sensitivity": p.sensitivity}
            for p in parts if p.participant_id in who]
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
    """Counts of what the principal may see, contested and recent claims (a few queries, any case size).
    Claims are counted and labelled with the status the reader may know
    (:func:`dadkhah.claims.status.status_for`): a claim corroborated only by a source above the reader is
    not "corroborated" for them, and a claim whose every source is hidden is not counted at all."""
    from dadkhah.claims.status import count_by_status

    counts = {k: count_visible(s, k, principal) for k in PAGE_KINDS}
    by_status = count_by_status(s, principal)
    counts["claim"] = sum(by_status.values())
    contested, recent = _latest_claims(s, principal, status="contested"), _latest_claims(s, principal)
    subjects = refs(s, [c.subject_id for c, _ in contested + recent], principal)
    return {"counts": counts, "by_status": by_status,
            "contested": [_claim_line(c, st, subjects) for c, st in contested],
            "recent": [_claim_line(c, st, subjects) for c, st in recent]}


def _latest_claims(s: Session, principal: Principal, *, status: str | None = None, n: int = 8
                   ) -> list[tuple[Claim, str]]:
    """The ``n`` most recently changed claims the principal may see (the one rule,
    :func:`dadkhah.access.claim_visible`), each with its status as they may know it; ``status`` filters on
    that status."""
    from sqlalchemy.orm import selectinload

    from dadkhah.access import claim_visible
    from dadkhah.claims.status import status_for

    stmt = visible(select(Claim), Claim, principal).options(selectinload(Claim.citations).selectinload(Citation.source))
    if status == "contested":
        stmt = stmt.where(Claim.status == "contested")  # contested for a reader ⇒ contested over everything
    out: list[tuple[Claim, str]] = []
    offset, page = 0, n * 4
    while len(out) < n:
        batch = s.scalars(stmt.order_by(Claim.updated_at.desc(), Claim.id).offset(offset).limit(page)).all()
        for claim in batch:
            if not claim_visible(principal, claim):
                continue
            known = status_for(s, claim, principal)
            if status and known != status:
                continue
            out.append((claim, known))
            if len(out) == n:
                break
        if len(batch) < page:
            break
        offset += page
    return out


def _claim_line(claim: Claim, status: str, subjects: dict[str, dict]) -> dict:
    return {"id": claim.id, "predicate": claim.predicate, "value": claim.value_display(), "status": status,
            "value_low": claim.value_low, "value_high": claim.value_high, "unit": claim.unit,
            "subject": subjects.get(claim.subject_id), "statement": claim.statement}


# --- labels in the reader's language -------------------------------------------------------------------

_WANTED_SCRIPT = {"fa": "fa", "en": "latin"}
_NAME_KIND_ORDER = {"full": 0, "given": 3, "family": 3}


def reader_labels(s: Session, ids, principal: Principal, lang: str) -> dict[str, str]:
    """id → the entity's name in the reader's script (a visible name form: the primary one first, then full
    names, then the first written), for the ids that have one; entities without such a form keep their label."""
    from dadkhah.model import NameForm
    from dadkhah.names.script import detect_script

    script = _WANTED_SCRIPT.get(lang)
    wanted = sorted({i for i in ids if isinstance(i, str) and i})
    if not script or not wanted:
        return {}
    allowed = list(allowed_sensitivities(principal))
    best: dict[str, tuple] = {}
    for chunk in range(0, len(wanted), 500):
        rows = s.execute(select(NameForm.entity_id, NameForm.text, NameForm.kind, NameForm.is_primary,
                                NameForm.position, NameForm.script)
                         .where(NameForm.entity_id.in_(wanted[chunk:chunk + 500]),
                                NameForm.sensitivity.in_(allowed)))
        for r in rows:
            if (r.script or detect_script(r.text)) != script or not r.text.strip():
                continue
            rank = (not r.is_primary, _NAME_KIND_ORDER.get(r.kind, 1), r.position)
            if r.entity_id not in best or rank < best[r.entity_id][0]:
                best[r.entity_id] = (rank, r.text)
    return {i: text for i, (_, text) in best.items()}


def sort_key(label: str) -> tuple:
    """Order names as a reader expects: letter case, Arabic letter variants, diacritics and spacing ignored
    (``ABBAS`` sorts with ``Abbas``; ي with ی), Persian names before Latin ones."""
    import unicodedata

    from dadkhah.names.script import detect_script

    text = unicodedata.normalize("NFKD", label or "").casefold()
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.translate(_SORT_FOLD)
    text = " ".join(text.split())
    return (0 if detect_script(text) == "fa" else 1, text)


_SORT_FOLD = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "ۀ": "ه", "أ": "ا", "إ": "ا", "آ": "ا",
                            "\u200c": " ", "-": " ", "'": "", "’": "", "(": "", ")": ""})


def _walk_refs(value, found: list[dict], depth: int = 0) -> None:
    if depth > 8:
        return
    if isinstance(value, dict):
        if isinstance(value.get("id"), str) and isinstance(value.get("label"), str):
            found.append(value)
        for v in value.values():
            if isinstance(v, (dict, list, tuple)):
                _walk_refs(v, found, depth + 1)
    elif isinstance(value, (list, tuple)):
        for v in value:
            if isinstance(v, (dict, list, tuple)):
                _walk_refs(v, found, depth + 1)


def pending_labels(data, lang: str) -> list[dict]:
    """The record references inside ``data`` (dicts with ``id`` and ``label``, at any depth) whose label is
    not in the reader's script."""
    from dadkhah.names.script import detect_script

    found: list[dict] = []
    _walk_refs(data, found)
    script = _WANTED_SCRIPT.get(lang)
    return [d for d in found if d["label"] and (detect_script(d["label"]) != script or _COMPOSED.search(d["label"]))]


_COMPOSED = re.compile(r" — [a-z]+(?:_[a-z]+)* — ")  # a membership's or participation's stored label


def composed_labels(s: Session, ids, principal: Principal, lang: str) -> dict[str, str]:
    """id → "who — role — what" in the reader's language, for memberships and participations among ``ids``
    (their stored label carries the role's code)."""
    from dadkhah.model.vocab import label as term_label

    wanted = sorted({i for i in ids if i})
    rows = [(m.id, m.member_id, "position_role", m.role, m.organization_id) for m in
            s.scalars(visible(select(Membership), Membership, principal).where(Membership.id.in_(wanted)))]
    rows += [(p.id, p.participant_id, "participation_role", p.role, p.event_id) for p in
             s.scalars(visible(select(Participation), Participation, principal).where(Participation.id.in_(wanted)))]
    if not rows:
        return {}
    ends = {r[1] for r in rows} | {r[4] for r in rows}
    known = refs(s, ends, principal)
    names = reader_labels(s, ends, principal, lang)
    out = {}
    for rid, who, vocab, role, what in rows:
        parts = [names.get(who) or (known.get(who) or {}).get("label"),
                 term_label(vocab, role, lang, s) if role else None,
                 names.get(what) or (known.get(what) or {}).get("label")]
        out[rid] = " — ".join(p for p in parts if p)
    return out


def apply_labels(s: Session, refs_: list[dict], principal: Principal, lang: str) -> None:
    """Give each reference the label in the reader's script, when its record has a visible name form in it
    (in place; the label as stored stays under ``stored_label``)."""
    labels = reader_labels(s, [d["id"] for d in refs_], principal, lang)
    labels.update(composed_labels(s, [d["id"] for d in refs_ if d["id"] not in labels], principal, lang))
    for d in refs_:
        if d["id"] in labels and labels[d["id"]] != d["label"]:
            d.setdefault("stored_label", d["label"])
            d["label"] = labels[d["id"]]


def localize_labels(s: Session, data, principal: Principal, lang: str) -> None:
    """:func:`pending_labels` then :func:`apply_labels`."""
    todo = pending_labels(data, lang)
    if todo:
        apply_labels(s, todo, principal, lang)
