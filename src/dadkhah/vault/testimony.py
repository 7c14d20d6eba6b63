"""Testimony: a structured record of a witness statement, and the mentions a person confirms in it.

``add_testimony`` records who spoke, to whom, when, where, in what language, under what consent and
protection, the transcript, and the audio/video/transcript items that are its evidence. The testimony
of a protected witness is confidential unless the transcript is shown (with the witness key) not to
name them.

``suggest_mentions`` proposes the known persons, organisations, places and events a transcript names —
matched on cross-script name keys (:mod:`dadkhah.vault.mentions`) — and a person confirms or rejects
each suggestion with ``decide_mention``. Rejected suggestions are kept, so they are not proposed again.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dadkhah.access import SYSTEM, Principal, can_see, rank
from dadkhah.errors import InputError, NotFound
from dadkhah.model import Entity, NameForm, Person, Place, new_id
from dadkhah.model.base import SENSITIVITY_VALUES, utcnow
from dadkhah.vault import custody
from dadkhah.vault.evidence import get_item
from dadkhah.vault.mentions import ngram_keys
from dadkhah.vault.tables import (
    CONSENT_SCOPES,
    MENTION_STATUSES,
    PROTECTION_LEVELS,
    TESTIMONY_ITEM_ROLES,
    Testimony,
    TestimonyItem,
    TestimonyMention,
)
from dadkhah.vault.witness import Keyring, is_protected, reveals

MENTION_KINDS = ("person", "organization", "place", "event")
SKIP_NAME_KINDS = ("honorific", "given", "father")  # too common alone to suggest anybody


def _choice(value: str, allowed: tuple[str, ...], field: str) -> str:
    if value not in allowed:
        raise InputError(f"must be one of {', '.join(allowed)}, not {value!r}", field=field)
    return value


def add_testimony(session: Session, *, witness_id: str, transcript: str = "", interviewer: str | None = None,
                  date: str | None = None, place_id: str | None = None, language: str | None = None,
                  consent_scope: str = "unspecified", protection_level: str | None = None,
                  sensitivity: str | None = None, notes: str | None = None,
                  items: list[tuple[str, str]] = (), keyring: Keyring | None = None,
                  id: str | None = None) -> Testimony:
    """Record a testimony. ``items`` are ``(item id, role)`` pairs: audio, video, transcript, consent, other."""
    witness = session.get(Person, witness_id)
    if witness is None:
        raise InputError(f"no person with id {witness_id!r}", field="witness")
    if place_id and session.get(Place, place_id) is None:
        raise InputError(f"no place with id {place_id!r}", field="place")
    protected = is_protected(session, witness_id)
    protection_level = _choice(protection_level or ("protected" if protected else "none"), PROTECTION_LEVELS,
                               "protection_level")
    if protected and protection_level == "none":
        raise InputError("the witness is protected: the testimony's protection level cannot be 'none'",
                         field="protection_level")
    sensitivity = sensitivity or ("confidential" if protection_level != "none" else "restricted")
    _choice(sensitivity, SENSITIVITY_VALUES, "sensitivity")
    if protected and sensitivity != "confidential":
        _check_not_revealing(session, witness_id, transcript, notes, keyring=keyring)
    t = Testimony(id=id or new_id("testimony"), witness_id=witness_id, interviewer=interviewer, place_id=place_id,
                  language=language, consent_scope=_choice(consent_scope, CONSENT_SCOPES, "consent_scope"),
                  protection_level=protection_level, transcript=transcript or "", notes=notes,
                  sensitivity=sensitivity)
    if date:
        from dadkhah.dates import DateParseError

        try:
            t.date = date
        except DateParseError as exc:
            raise InputError(str(exc), field="date") from None
    session.add(t)
    session.flush()
    for item_ref, role in items:
        attach_item(session, t.id, item_ref, role)
    return t


def _check_not_revealing(session: Session, witness_id: str, *texts: str | None, keyring: Keyring | None) -> None:
    from dadkhah.vault.witness import WitnessIdentity, _decrypt

    if keyring is None:
        raise InputError("the testimony of a protected witness is confidential unless the witness key is "
                         "available to check that it does not name them", field="sensitivity")
    identity = _decrypt(keyring, session.get(WitnessIdentity, witness_id))
    if any(reveals(t or "", identity) for t in texts):
        raise InputError("the transcript or notes name the protected witness: keep the testimony "
                         "confidential, or redact them first", field="transcript")


def attach_item(session: Session, testimony_id: str, item_ref: str, role: str = "other") -> TestimonyItem:
    t = get_testimony(session, testimony_id, SYSTEM)  # a write: the caller was authorised
    item = get_item(session, item_ref, SYSTEM)
    _choice(role, TESTIMONY_ITEM_ROLES, "role")
    row = session.get(TestimonyItem, (t.id, item.id))
    if row is None:
        row = TestimonyItem(testimony_id=t.id, item_id=item.id, role=role)
        session.add(row)
        custody.record(session, item.id, "link", {"testimony_id": t.id, "role": role})
    return row


def get_testimony(session: Session, testimony_id: str, principal: Principal) -> Testimony:
    t = session.get(Testimony, testimony_id)
    if t is None or (not can_see(principal, t)):
        raise NotFound(f"no testimony {testimony_id!r}")
    return t


def list_testimony(session: Session, principal: Principal,
                   witness_id: str | None = None) -> list[Testimony]:
    stmt = select(Testimony).order_by(Testimony.created_at, Testimony.id)
    if witness_id:
        stmt = stmt.where(Testimony.witness_id == witness_id)
    return [t for t in session.scalars(stmt) if can_see(principal, t)]


# --- mentions ---------------------------------------------------------------------------------------

def suggest_mentions(session: Session, testimony_id: str) -> list[TestimonyMention]:
    """Propose the known entities the transcript names; returns the new suggestions."""
    t = get_testimony(session, testimony_id, SYSTEM)
    spans_by_key = ngram_keys(t.transcript or "")
    if not spans_by_key:
        return []
    level = rank(t.sensitivity)
    keys = list(spans_by_key)
    forms: list[tuple[NameForm, Entity]] = []
    for i in range(0, len(keys), 500):
        stmt = (select(NameForm, Entity).join(Entity, Entity.id == NameForm.entity_id)
                .where(NameForm.name_key.in_(keys[i:i + 500]), Entity.kind.in_(MENTION_KINDS),
                       NameForm.kind.notin_(SKIP_NAME_KINDS)))
        forms += [(nf, e) for nf, e in session.execute(stmt).all()
                  if rank(nf.sensitivity) <= level and rank(e.sensitivity) <= level and e.id != t.witness_id]
    best: dict[tuple[str, int], tuple] = {}
    for nf, entity in forms:
        for span in spans_by_key[nf.name_key]:
            score = 1.0 if span.words > 1 else (0.6 if nf.kind == "family" else 0.8)
            key = (entity.id, span.start)
            if key not in best or (span.end - span.start, score) > (best[key][0].end - best[key][0].start,
                                                                   best[key][2]):
                best[key] = (span, nf, score)
    existing = {(m.entity_id, m.start) for m in
                session.scalars(select(TestimonyMention).where(TestimonyMention.testimony_id == t.id))}
    new = []
    for (entity_id, start), (span, nf, score) in sorted(best.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if (entity_id, start) in existing:
            continue
        m = TestimonyMention(testimony_id=t.id, entity_id=entity_id, name_form_id=nf.id, text=span.text[:500],
                             start=span.start, end=span.end, score=score, status="suggested")
        session.add(m)
        new.append(m)
    session.flush()
    return new


def decide_mention(session: Session, mention_id: int, status: str, *, actor: str | None = None) -> TestimonyMention:
    """A person confirms or rejects a suggested mention (or reopens it: ``suggested``)."""
    _choice(status, MENTION_STATUSES, "status")
    m = session.get(TestimonyMention, int(mention_id))
    if m is None:
        raise NotFound(f"no mention {mention_id!r}")
    m.status = status
    m.decided_by = None if status == "suggested" else (actor or session.info.get("actor"))
    m.decided_at = None if status == "suggested" else utcnow()
    return m


def mentions_of(session: Session, testimony_id: str, status: str | None = None) -> list[TestimonyMention]:
    stmt = select(TestimonyMention).where(TestimonyMention.testimony_id == testimony_id)
    if status:
        stmt = stmt.where(TestimonyMention.status == status)
    return list(session.scalars(stmt.order_by(TestimonyMention.start, TestimonyMention.id)))


def mention_to_dict(session: Session, m: TestimonyMention) -> dict:
    e = session.get(Entity, m.entity_id)
    return {"id": m.id, "entity": {"id": m.entity_id, "kind": e.kind if e else None, "label": e.label if e else None},
            "text": m.text, "start": m.start, "end": m.end, "score": m.score, "status": m.status,
            "decided_by": m.decided_by}


def testimony_to_dict(session: Session, t: Testimony, principal: Principal) -> dict:
    witness = session.get(Person, t.witness_id)
    if witness is not None and not can_see(principal, witness):
        witness = None  # the testimony may be readable while its witness's record is not: no label then
    items = session.scalars(select(TestimonyItem).where(TestimonyItem.testimony_id == t.id)).all()
    return {
        "id": t.id, "witness": {"id": t.witness_id, "label": witness.label if witness else None,
                                "protected": is_protected(session, t.witness_id)},
        "interviewer": t.interviewer, "date": t.date.to_dict() if t.date_text else None, "place_id": t.place_id,
        "language": t.language, "consent_scope": t.consent_scope, "protection_level": t.protection_level,
        "sensitivity": t.sensitivity, "transcript": t.transcript, "notes": t.notes,
        "items": [{"item_id": i.item_id, "role": i.role} for i in items
                  if can_see(principal, i.item)],
        "mentions": [mention_to_dict(session, m) for m in mentions_of(session, t.id)
                     if can_see(principal, session.get(Entity, m.entity_id))],
    }
