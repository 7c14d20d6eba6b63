"""The vault's material as a case file shows it: exhibits (with SHA-256), a photo, witness statements.

This module is the one place where casework reads the evidence vault (:mod:`dadkhah.vault`). It reads
the vault's tables directly for listing and asks the vault's witness module for the name a principal
may see of a witness (a pseudonym unless the principal may unmask witnesses). Consent is honoured:
a testimony goes into a file for the prosecutor only with consent for prosecution or publication,
into a public file only with consent for publication.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from dadkhah.access import Principal, allowed_sensitivities, can_see
from dadkhah.model import Entity
from dadkhah.records.naming import display_name
from dadkhah.vault.bundle import build_bundle
from dadkhah.vault.tables import EvidenceItem, EvidenceLink, Testimony, TestimonyItem, TestimonyMention, WitnessIdentity

CONSENT_FOR_AUDIENCE = {
    "public": ("publication",),
    "restricted": ("prosecution", "publication"),
    "prosecutor": ("prosecution", "publication"),
}
PHOTO_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")


@dataclass
class Exhibit:
    number: str  # E1, E2… in order of first appearance
    item_id: str
    title: str
    filename: str
    media_type: str
    size: int
    sha256: str
    source_id: str | None
    links: list[str] = field(default_factory=list)  # what it is linked to in this file (ids)
    captured_at: str | None = None

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def exhibits_for(session: Session, principal: Principal, *, entity_ids=(), claim_ids=(),
                 source_ids=(), item_ids=()) -> list[Exhibit]:
    """Evidence items linked to any of the entities or claims, or made from any of the sources,
    that ``principal`` may see — numbered E1, E2… in the order asked: items linked to the entities
    (in the order given), then to the claims, then made from the sources, then ``item_ids``."""
    allowed = allowed_sensitivities(principal)
    entity_ids, claim_ids, source_ids = list(entity_ids), list(claim_ids), list(source_ids)
    found: dict[str, list[str]] = {}
    for column, wanted in ((EvidenceLink.entity_id, entity_ids), (EvidenceLink.claim_id, claim_ids)):
        if not wanted:
            continue
        order = {target: i for i, target in enumerate(wanted)}
        links = session.scalars(select(EvidenceLink).where(column.in_(wanted))).all()
        for link in sorted(links, key=lambda k: (order[k.entity_id or k.claim_id], k.id)):
            found.setdefault(link.item_id, []).append(link.entity_id or link.claim_id)
    if source_ids:
        for item_id, sid in session.execute(select(EvidenceItem.id, EvidenceItem.source_id)
                                            .where(EvidenceItem.source_id.in_(source_ids))
                                            .order_by(EvidenceItem.id)):
            found.setdefault(item_id, []).append(sid)
    for item_id in item_ids:
        found.setdefault(item_id, [])
    if not found:
        return []
    items = {i.id: i for i in session.scalars(select(EvidenceItem).where(EvidenceItem.id.in_(list(found)),
                                                                         EvidenceItem.sensitivity.in_(allowed)))}
    out = []
    for item_id, links in found.items():
        item = items.get(item_id)
        if item is None:
            continue
        out.append(Exhibit(number=f"E{len(out) + 1}", item_id=item.id, title=item.title or item.filename,
                           filename=item.filename, media_type=item.media_type, size=item.size, sha256=item.sha256,
                           source_id=item.source_id, links=list(dict.fromkeys(links)),
                           captured_at=item.captured_at))
    return out


def photo_of(session: Session, entity_id: str, principal: Principal, blobs) -> dict | None:
    """The first image linked to the entity that ``principal`` may see, as a data URI (or ``None``)."""
    if blobs is None:
        return None

    stmt = (select(EvidenceItem).join(EvidenceLink, EvidenceLink.item_id == EvidenceItem.id)
            .where(EvidenceLink.entity_id == entity_id, EvidenceItem.media_type.in_(PHOTO_TYPES),
                   EvidenceItem.sensitivity.in_(allowed_sensitivities(principal)))
            .order_by((EvidenceLink.relation == "depicts").desc(), EvidenceLink.id))
    item = session.scalars(stmt).first()
    if item is None:
        return None
    data = blobs.read_bytes(item.sha256)
    uri = f"data:{item.media_type};base64," + base64.b64encode(data).decode("ascii")
    return {"item_id": item.id, "sha256": item.sha256, "uri": uri, "title": item.title or item.filename}


@dataclass
class Statement:
    testimony_id: str
    witness: str  # what this audience may see: a pseudonym unless it may unmask
    date: object
    language: str | None
    excerpts: list[str]
    consent_scope: str
    protection_level: str
    item_ids: list[str]


def witness_name(session: Session, person_id: str, principal: Principal) -> str:
    """How a case file names a witness: a protected witness only ever by pseudonym (a file travels, so
    no identity is decrypted into it, whoever it is for); anyone else by the name the principal may see."""
    row = session.get(WitnessIdentity, person_id)
    if row is not None:
        return f"Witness {row.pseudonym}"
    person = session.get(Entity, person_id)
    if person is None or not can_see(principal, person):
        return "Witness (name withheld)"
    return display_name(person, principal).main


def _redact(text: str, spans: list[tuple[int, int]]) -> str:
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + "[redacted]" + text[end:]
    return text


def _excerpts(text: str, spans: list[tuple[int, int]], width: int = 240) -> list[str]:
    if not spans:
        return [text[: width * 2] + ("…" if len(text) > width * 2 else "")] if text else []
    out = []
    for start, end in spans[:5]:
        a, b = max(0, start - width // 2), min(len(text), end + width // 2)
        out.append(("…" if a else "") + text[a:b] + ("…" if b < len(text) else ""))
    return out


def statements_about(session: Session, entity_id: str, principal: Principal, audience: str) -> list[Statement]:
    """Witness statements that mention ``entity_id`` (mentions confirmed by a person), as this audience
    may read them: only with matching consent, the witness named as the principal may see, and the
    mentions of entities or protected witnesses the audience may not see replaced by "[redacted]"."""
    allowed = allowed_sensitivities(principal)
    consent = CONSENT_FOR_AUDIENCE.get(audience)
    ids = session.scalars(select(TestimonyMention.testimony_id).where(
        TestimonyMention.entity_id == entity_id, TestimonyMention.status == "confirmed").distinct()).all()
    if not ids:
        return []
    out = []
    stmt = select(Testimony).where(Testimony.id.in_(ids), Testimony.sensitivity.in_(allowed)).order_by(
        Testimony.date_low, Testimony.id)
    for t in session.scalars(stmt):
        if consent is not None and t.consent_scope not in consent:
            continue
        mentions = session.scalars(select(TestimonyMention).where(TestimonyMention.testimony_id == t.id,
                                                                  TestimonyMention.status != "rejected")).all()
        hide, keep = [], []
        for m in mentions:
            ent = session.get(Entity, m.entity_id)
            if ent is None or not can_see(principal, ent) or (
                    not principal.can_unmask and _is_protected_witness(session, m.entity_id)):
                hide.append((m.start, m.end))
        text = _redact(t.transcript or "", hide)
        # positions shift after redaction; find the mentions of the subject again in the redacted text
        for m in mentions:
            if m.entity_id == entity_id and (m.start, m.end) not in hide:
                for hit in re.finditer(re.escape(m.text), text):
                    keep.append((hit.start(), hit.end()))
                    break
        items = session.scalars(select(TestimonyItem.item_id).where(TestimonyItem.testimony_id == t.id)).all()
        out.append(Statement(testimony_id=t.id, witness=witness_name(session, t.witness_id, principal), date=t.date,
                             language=t.language, excerpts=_excerpts(text, sorted(set(keep))),
                             consent_scope=t.consent_scope, protection_level=t.protection_level,
                             item_ids=list(items)))
    return out


def _is_protected_witness(session: Session, person_id: str) -> bool:
    return session.get(WitnessIdentity, person_id) is not None


def sealed_bundle(case, out_path, *, exhibits: list[Exhibit], audience: str) -> dict | None:
    """Seal the file's exhibits into a bundle beside it (:func:`dadkhah.vault.bundle.build_bundle`), so the
    bundle holds exactly the originals the exhibit index lists. ``None`` when there is no exhibit to seal."""
    if not exhibits:
        return None

    return build_bundle(case, out_path, items=[e.item_id for e in exhibits], audience=audience)
