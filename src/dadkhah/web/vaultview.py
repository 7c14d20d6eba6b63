"""The web's adapter to the evidence vault (:mod:`dadkhah.vault`): evidence items, uploads, testimony,
protected witnesses. Every read passes the caller's principal to the vault's service functions;
related records are shown through :func:`dadkhah.web.readmodel.ref`, which asks the access layer."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from dadkhah.access import Principal
from dadkhah.errors import InputError, NotFound
from dadkhah.web import readmodel
from dadkhah.web.peers import available


def evidence_available() -> bool:
    return available("dadkhah.vault.evidence", "list_items", "get_item", "item_to_dict")


def upload_available() -> bool:
    return evidence_available() and available("dadkhah.ingest.pipeline", "ingest_paths", "IngestOptions")


def testimony_available() -> bool:
    return available("dadkhah.vault.testimony", "add_testimony", "list_testimony", "get_testimony",
                     "testimony_to_dict")


def witness_available() -> bool:
    return available("dadkhah.vault.witness", "unmask", "is_protected", "unlock")


# --- evidence -----------------------------------------------------------------------------------------

def items_linked_to(s: Session, entity_id: str, principal: Principal) -> list[dict]:
    from dadkhah.vault.evidence import get_item
    from dadkhah.vault.tables import EvidenceLink

    out = []
    for item_id in dict.fromkeys(s.scalars(select(EvidenceLink.item_id).where(EvidenceLink.entity_id == entity_id))):
        try:
            item = get_item(s, item_id, principal)
        except NotFound:
            continue
        out.append({"id": item.id, "label": item.title or item.filename or item.id, "sensitivity": item.sensitivity})
    return out


def list_items(s: Session, principal: Principal, *, offset: int = 0, limit: int = 50) -> tuple[list[dict], int]:
    from dadkhah.vault.evidence import list_items as vault_list

    items = vault_list(s, principal)
    rows = [{"id": i.id, "title": i.title, "filename": i.filename, "media_type": i.media_type, "size": i.size,
             "sensitivity": i.sensitivity, "ingested_at": i.created_at.isoformat() if i.created_at else None,
             "text_chars": i.text_chars} for i in items[offset:offset + limit]]
    return rows, len(items)


def item_view(s: Session, item_id: str, principal: Principal) -> dict:
    from dadkhah.vault.evidence import get_item, item_to_dict

    item = get_item(s, item_id, principal)
    d = item_to_dict(s, item, principal, with_custody=True)
    d["source"] = readmodel.ref(s, item.source_id, principal)
    d["supplied_by"] = _supplier(s, item.supplied_by, principal)
    return d


def _supplier(s: Session, supplied_by: str | None, principal: Principal) -> str | None:
    """A supplier that is a record is shown only if the caller may see it; a free-text name as written."""
    if not supplied_by:
        return None
    from dadkhah.model import Entity

    if s.get(Entity, supplied_by) is not None:
        r = readmodel.ref(s, supplied_by, principal)
        return r["label"] if r else None
    return supplied_by


def item_text(s: Session, item_id: str, principal: Principal) -> str:
    from dadkhah.vault.evidence import get_item
    from dadkhah.vault.evidence import item_text as vault_text

    return vault_text(s, get_item(s, item_id, principal))


def open_original(s: Session, item_id: str, principal: Principal):
    """``(item, file object)`` of an original, for a principal with the export right; the download is
    recorded in the item's custody log."""
    from dadkhah.access import require
    from dadkhah.vault import custody
    from dadkhah.vault.evidence import get_item

    require(principal, "export")
    item = get_item(s, item_id, principal)
    custody.record(s, item.id, "export", {"to": "web download", "by": principal.name})
    return item, s.info["case"].blobs.open(item.sha256)


_UNSAFE = re.compile(r"[^\w.\- ]+", re.UNICODE)


def safe_filename(name: str | None) -> str:
    """A plain file name from what a browser sent (no folders, no control characters)."""
    base = os.path.basename((name or "").replace("\\", "/")).strip().replace("\x00", "")
    base = _UNSAFE.sub("_", base).strip(" .")[:200]
    return base or "upload.bin"


def ingest_upload(case, stream, filename: str, *, actor: str, sensitivity: str = "restricted",
                  source_id: str | None = None, link_entities: list[str] | None = None,
                  supplied_by: str | None = None, note: str | None = None, max_bytes: int | None = None) -> dict:
    """Store one uploaded file as an evidence item (through the vault's ingest pipeline)."""
    from dadkhah.ingest.pipeline import IngestOptions, ingest_paths

    folder = Path(tempfile.mkdtemp(prefix="dadkhah-upload-"))
    try:
        path = folder / safe_filename(filename)
        written = 0
        with open(path, "wb") as out:
            while chunk := stream.read(1 << 20):
                written += len(chunk)
                if max_bytes is not None and written > max_bytes:
                    raise InputError(f"the file is larger than the upload limit ({max_bytes // (1 << 20)} MiB)",
                                     field="file")
                out.write(chunk)
        options = IngestOptions(sensitivity=sensitivity, source_id=source_id or None,
                                link_entities=list(link_entities or []), supplied_by=supplied_by or None,
                                note=note or None)
        report = ingest_paths(case, [path], options=options, actor=actor)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    result = report.results[0].to_dict() if report.results else {"status": "failed", "error": "nothing stored"}
    result["path"] = path.name
    return result


# --- testimony ----------------------------------------------------------------------------------------

def testimony_of(s: Session, entity_id: str, principal: Principal) -> list[dict]:
    from dadkhah.vault.testimony import list_testimony

    return [{"id": t.id, "label": _testimony_label(s, t, principal), "sensitivity": t.sensitivity}
            for t in list_testimony(s, principal, witness_id=entity_id)]


def _testimony_label(s: Session, t, principal: Principal) -> str:
    witness = readmodel.ref(s, t.witness_id, principal)
    when = t.date_text or (t.created_at.date().isoformat() if t.created_at else "")
    return " — ".join(x for x in ((witness or {}).get("label"), when) if x) or t.id


def list_testimony(s: Session, principal: Principal) -> list[dict]:
    from dadkhah.vault.testimony import list_testimony as vault_list

    rows = []
    for t in vault_list(s, principal):
        rows.append({"id": t.id, "witness": readmodel.ref(s, t.witness_id, principal),
                     "date": t.date.to_dict() if t.date_text else None, "language": t.language,
                     "protection_level": t.protection_level, "sensitivity": t.sensitivity,
                     "excerpt": (t.transcript or "")[:200]})
    return rows


def testimony_view(s: Session, testimony_id: str, principal: Principal) -> dict:
    from dadkhah.vault.testimony import get_testimony, testimony_to_dict

    t = get_testimony(s, testimony_id, principal)
    d = testimony_to_dict(s, t, principal)
    d["witness"] = readmodel.ref(s, t.witness_id, principal)
    d["place"] = readmodel.ref(s, t.place_id, principal)
    for m in d.get("mentions", []):
        m["entity"] = readmodel.ref(s, m["entity"]["id"], principal)
    d["mentions"] = [m for m in d.get("mentions", []) if m["entity"]]
    return d


def add_testimony(s: Session, *, witness_id: str | None, witness_name: str | None, transcript: str,
                  interviewer: str | None, date: str | None, place_id: str | None, language: str | None,
                  consent_scope: str, sensitivity: str | None, notes: str | None) -> str:
    """Record a testimony; with ``witness_name`` and no ``witness_id`` the witness is added as a person.
    Mentions of known people, places and organisations are suggested for review. Returns its id."""
    from dadkhah.records import add_person
    from dadkhah.vault.testimony import add_testimony as vault_add
    from dadkhah.vault.testimony import suggest_mentions

    if not witness_id:
        if not (witness_name or "").strip():
            raise InputError("choose the witness, or write their name", field="witness")
        level = sensitivity or "restricted"
        witness_id = add_person(s, names=[witness_name.strip()], sensitivity=level).id
    t = vault_add(s, witness_id=witness_id, transcript=transcript or "", interviewer=interviewer or None,
                  date=date or None, place_id=place_id or None, language=language or None,
                  consent_scope=consent_scope or "unspecified", sensitivity=sensitivity or None, notes=notes or None,
                  keyring=_keyring_from_env(s))
    suggest_mentions(s, t.id)
    return t.id


def decide_mention(s: Session, testimony_id: str, mention_id: int, status: str, principal: Principal) -> None:
    from dadkhah.vault.tables import TestimonyMention
    from dadkhah.vault.testimony import decide_mention as vault_decide
    from dadkhah.vault.testimony import get_testimony

    get_testimony(s, testimony_id, principal)
    m = s.get(TestimonyMention, mention_id)
    if m is None or m.testimony_id != testimony_id:
        raise NotFound(f"no mention {mention_id} in this testimony")
    vault_decide(s, mention_id, status, actor=principal.name)


# --- protected witnesses -------------------------------------------------------------------------------

def _keyring_from_env(s: Session):
    """The witness key unlocked from the server's environment, or None when it is not configured."""
    if not witness_available():
        return None
    from dadkhah.vault.witness import WitnessKeyError, secret_from_env, unlock

    try:
        secret = secret_from_env()
        return unlock(s, secret) if secret is not None else None
    except WitnessKeyError:
        return None


def protection(s: Session, person_id: str, principal: Principal) -> dict | None:
    """``{"pseudonym", "history"}`` when the person is a protected witness, else None (no identity, ever);
    the unmask history (who, when, why) only for principals allowed to unmask."""
    if not witness_available():
        return None
    from dadkhah.vault.tables import WitnessIdentity
    from dadkhah.vault.witness import unmask_history

    row = s.get(WitnessIdentity, person_id)
    if row is None:
        return None
    history = unmask_history(s, person_id, principal) if principal.can_unmask else None
    return {"pseudonym": row.pseudonym, "history": history}


def register_witness(s: Session, *, names: list[str], pseudonym: str | None, passphrase: str | None,
                     sensitivity: str = "restricted", birth: str | None = None, father_name: str | None = None,
                     address: str | None = None, contact: str | None = None, notes: str | None = None) -> str:
    """Register a protected witness from the web: the identity sealed with the witness key (typed, or the
    server's), the pseudonym everywhere else. Returns the person id."""
    from dadkhah.vault.witness import Secret, WitnessKeyError, add_protected_witness, unlock

    names = [n.strip() for n in names if n and n.strip()]
    if not names:
        raise InputError("write at least one real name of the witness (it is sealed)", field="names")
    try:
        keyring = unlock(s, Secret.passphrase(passphrase)) if passphrase else _keyring_from_env(s)
    except WitnessKeyError as exc:
        raise InputError(str(exc), field="passphrase") from None
    if keyring is None:
        raise InputError("the witness key is locked: type its passphrase, or set it on the server",
                         field="passphrase")
    identity = {k: v for k, v in {"names": names, "birth": birth, "father_name": father_name, "address": address,
                                  "contact": contact, "notes": notes}.items() if v}
    try:
        person = add_protected_witness(s, keyring, identity=identity, pseudonym=pseudonym or None,
                                       sensitivity=sensitivity)
    except WitnessKeyError as exc:
        raise InputError(str(exc), field="passphrase") from None
    return person.id


def unmask(s: Session, person_id: str, principal: Principal, *, passphrase: str | None, purpose: str | None) -> dict:
    """The real identity of a protected witness, for a principal allowed to unmask (audited by the vault).

    The key comes from the passphrase typed by the user, else from the server's environment."""
    from dadkhah.vault.witness import Secret, WitnessKeyError, unlock
    from dadkhah.vault.witness import unmask as vault_unmask

    if readmodel.visible_entity(s, person_id, principal, kind="person") is None:
        raise NotFound(f"no person with id {person_id!r}")
    try:
        keyring = unlock(s, Secret.passphrase(passphrase)) if passphrase else _keyring_from_env(s)
    except WitnessKeyError as exc:
        raise InputError(str(exc), field="passphrase") from None
    try:
        return vault_unmask(s, person_id, principal, keyring, purpose=purpose)
    except WitnessKeyError as exc:
        raise InputError(str(exc), field="passphrase") from None
