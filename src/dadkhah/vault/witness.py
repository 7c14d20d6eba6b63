"""Protected witnesses: identities encrypted at rest, a pseudonym everywhere else.

A protected witness is an ordinary :class:`~dadkhah.model.Person` whose only name is a pseudonym
(``Witness W-7F3K``, name kind ``pseudonym``). Everything that identifies them — names in any script,
birth date, father's name, address, contacts, notes — is one JSON document encrypted with AES-256-GCM
into :class:`~dadkhah.vault.tables.WitnessIdentity`; the database, its dumps, exports and the audit log
hold only ciphertext (the audit log records a digest of it). Opening it needs both a principal allowed
to ``unmask_witness`` and the witness key; every opening is written to the audit log.

Keys (envelope encryption):

- a random 256-bit *data key* encrypts identities;
- it is stored wrapped (AES-GCM) by a *key-encryption key* derived from a passphrase with Argon2id
  (memory-hard; salt and costs stored in the case) or from a key file (HKDF-SHA256);
- it is also wrapped by a one-time *recovery code* printed when the key is made, to be kept offline;
- :func:`rotate_key` makes a new data key, re-encrypts every identity and destroys the old wrapped key.

The secret comes from ``DADKHAH_WITNESS_KEY_FILE`` (a file of at least 32 random bytes, raw, hex or
base64) or ``DADKHAH_WITNESS_PASSPHRASE``. See docs/vault.md for the recovery procedure.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select
from sqlalchemy.orm import Session

from dadkhah.access import Forbidden, Principal, screen
from dadkhah.errors import DadkhahError, InputError, NotFound
from dadkhah.model import Person
from dadkhah.model.base import utcnow
from dadkhah.store import audit
from dadkhah.vault.tables import WitnessIdentity, WitnessKey

ENV_KEY_FILE = "DADKHAH_WITNESS_KEY_FILE"
ENV_PASSPHRASE = "DADKHAH_WITNESS_PASSPHRASE"
# RFC 9106's second recommended option (64 MiB, 3 passes), with 4 lanes.
DEFAULT_KDF = {"time_cost": 3, "memory_cost": 64 * 1024, "parallelism": 4}
PSEUDONYM_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
IDENTITY_FIELDS = ("names", "birth", "father_name", "gender", "nationality", "address", "contact", "notes",
                   "documents", "relatives")


class WitnessKeyError(DadkhahError, RuntimeError):
    """The witness key is missing, wrong, or cannot be made (the message says what to do)."""


@dataclass(frozen=True)
class Secret:
    """What the operator holds: a passphrase or the bytes of a key file."""

    kind: str  # passphrase | keyfile
    value: bytes

    @classmethod
    def passphrase(cls, text: str) -> Secret:
        if len(text) < 12:
            raise WitnessKeyError("a witness passphrase must have at least 12 characters")
        return cls("passphrase", unicodedata.normalize("NFC", text).encode("utf-8"))

    @classmethod
    def key_file(cls, path: str | Path) -> Secret:
        try:
            raw = Path(path).read_bytes()
        except OSError as exc:
            raise WitnessKeyError(f"cannot read the witness key file {path}: {exc.strerror or exc}") from None
        return cls("keyfile", _key_file_bytes(raw, str(path)))


def _key_file_bytes(raw: bytes, where: str) -> bytes:
    text = raw.strip()
    for decode in (bytes.fromhex, base64.b64decode):
        try:
            value = decode(text.decode("ascii"))
        except (ValueError, UnicodeDecodeError):
            continue
        if len(value) >= 32:
            return value
    if len(raw) >= 32:
        return raw
    raise WitnessKeyError(f"the witness key file {where} holds fewer than 32 bytes of key "
                          "(make one with: openssl rand -hex 32 > witness.key)")


def secret_from_env(env: dict | None = None) -> Secret | None:
    env = os.environ if env is None else env
    if env.get(ENV_KEY_FILE):
        return Secret.key_file(env[ENV_KEY_FILE])
    if env.get(ENV_PASSPHRASE):
        return Secret.passphrase(env[ENV_PASSPHRASE])
    return None


def _kdf_params(secret: Secret, params: dict | None) -> dict:
    salt = secrets.token_bytes(16).hex()
    if secret.kind == "keyfile":
        return {"kind": "hkdf-sha256", "salt": salt}
    return {"kind": "argon2id", "salt": salt, **DEFAULT_KDF, **(params or {})}


def derive_kek(secret: Secret, kdf: dict) -> bytes:
    salt = bytes.fromhex(kdf["salt"])
    if kdf["kind"] == "argon2id":
        if secret.kind != "passphrase":
            raise WitnessKeyError("this witness key is opened by a passphrase (set DADKHAH_WITNESS_PASSPHRASE), "
                                  "not a key file")
        from argon2.low_level import Type, hash_secret_raw

        return hash_secret_raw(secret.value, salt, time_cost=int(kdf["time_cost"]),
                               memory_cost=int(kdf["memory_cost"]), parallelism=int(kdf["parallelism"]),
                               hash_len=32, type=Type.ID)
    if kdf["kind"] == "hkdf-sha256":
        if secret.kind != "keyfile":
            raise WitnessKeyError("this witness key is opened by a key file (set DADKHAH_WITNESS_KEY_FILE), "
                                  "not a passphrase")
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"dadkhah witness kek").derive(secret.value)
    raise WitnessKeyError(f"unknown key derivation {kdf['kind']!r}")


def _wrap(kek: bytes, dek: bytes, aad: str) -> bytes:
    nonce = secrets.token_bytes(12)
    return nonce + AESGCM(kek).encrypt(nonce, dek, aad.encode())


def _unwrap(kek: bytes, blob: bytes, aad: str) -> bytes:
    return AESGCM(kek).decrypt(blob[:12], blob[12:], aad.encode())


def _recovery_kek(code: str, key_id: str) -> bytes:
    raw = base64.b32decode(code.replace("-", "").replace(" ", "").upper())
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=key_id.encode(), info=b"dadkhah witness recovery"
                ).derive(raw)


def _new_recovery_code() -> str:
    code = base64.b32encode(secrets.token_bytes(20)).decode()
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


@dataclass(frozen=True)
class Keyring:
    """An unlocked witness key (kept in memory only)."""

    key_id: str
    dek: bytes

    def __repr__(self) -> str:  # never print key material
        return f"<Keyring {self.key_id}>"


def active_key(session: Session) -> WitnessKey | None:
    return session.scalar(select(WitnessKey).where(WitnessKey.retired_at.is_(None)).order_by(WitnessKey.id.desc()))


def _next_key_id(session: Session) -> str:
    ids = session.scalars(select(WitnessKey.id)).all()
    n = max((int(i[1:]) for i in ids if i[1:].isdigit()), default=0) + 1
    return f"k{n}"


def init_key(session: Session, secret: Secret, *, kdf_params: dict | None = None) -> tuple[Keyring, str]:
    """Make the case's first witness key; returns it and the one-time recovery code (print it once)."""
    if active_key(session) is not None:
        raise WitnessKeyError("this case already has a witness key (use `dadkhah witness rotate-key`)")
    return _make_key(session, secret, kdf_params)


def _make_key(session: Session, secret: Secret, kdf_params: dict | None) -> tuple[Keyring, str]:
    key_id = _next_key_id(session)
    kdf = _kdf_params(secret, kdf_params)
    dek = secrets.token_bytes(32)
    code = _new_recovery_code()
    row = WitnessKey(id=key_id, kdf=kdf, wrapped_key=_wrap(derive_kek(secret, kdf), dek, f"dadkhah-dek:{key_id}"),
                     recovery_wrapped=_wrap(_recovery_kek(code, key_id), dek, f"dadkhah-dek:{key_id}"))
    session.add(row)
    session.flush()
    return Keyring(key_id, dek), code


def unlock(session: Session, secret: Secret | None = None) -> Keyring:
    """Open the case's witness key with ``secret`` (default: from the environment)."""
    secret = secret or secret_from_env()
    row = active_key(session)
    if row is None:
        raise WitnessKeyError("this case has no witness key yet: run `dadkhah witness init-key`")
    if secret is None:
        raise WitnessKeyError(f"the witness key is locked: set {ENV_KEY_FILE} or {ENV_PASSPHRASE}")
    try:
        dek = _unwrap(derive_kek(secret, row.kdf), row.wrapped_key, f"dadkhah-dek:{row.id}")
    except InvalidTag:
        raise WitnessKeyError(f"wrong passphrase or key file for witness key {row.id}") from None
    return Keyring(row.id, dek)


def recover(session: Session, recovery_code: str, new_secret: Secret, *, kdf_params: dict | None = None) -> Keyring:
    """Open the key with its recovery code and protect it under a new passphrase or key file."""
    row = active_key(session)
    if row is None or row.recovery_wrapped is None:
        raise WitnessKeyError("this case has no recoverable witness key")
    try:
        dek = _unwrap(_recovery_kek(recovery_code, row.id), row.recovery_wrapped, f"dadkhah-dek:{row.id}")
    except (InvalidTag, ValueError, base64.binascii.Error):
        raise WitnessKeyError(f"that recovery code does not open witness key {row.id}") from None
    row.kdf = _kdf_params(new_secret, kdf_params)
    row.wrapped_key = _wrap(derive_kek(new_secret, row.kdf), dek, f"dadkhah-dek:{row.id}")
    return Keyring(row.id, dek)


def rotate_key(session: Session, old: Keyring, new_secret: Secret, *,
               kdf_params: dict | None = None) -> tuple[Keyring, str, int]:
    """A new data key: every identity re-encrypted, the old wrapped key destroyed. Returns the new key,
    its recovery code, and how many identities were re-encrypted."""
    old_row = session.get(WitnessKey, old.key_id)
    if old_row is None or old_row.retired_at is not None:
        raise WitnessKeyError(f"witness key {old.key_id} is not the active key")
    identities = session.scalars(select(WitnessIdentity)).all()
    plain = {w.person_id: _decrypt(old if w.key_id == old.key_id else None, w) for w in identities}
    old_row.retired_at = utcnow()
    old_row.wrapped_key, old_row.recovery_wrapped = b"", None
    session.flush()
    new, code = _make_key(session, new_secret, kdf_params)
    for w in identities:
        w.key_id = new.key_id
        w.nonce, w.ciphertext = _encrypt(new, w.person_id, plain[w.person_id])
    session.flush()
    # a new salt for the name screen, every witness's name forms keyed again, the index screened again
    screen.reset_salt(session)
    for w in identities:
        _screen_names(session, w.person_id, w.pseudonym, plain[w.person_id])
    session.flush()
    return new, code, len(identities)


# --- identities -------------------------------------------------------------------------------------

def _aad(person_id: str, key_id: str) -> bytes:
    return f"dadkhah-witness:{person_id}:{key_id}".encode()


def _encrypt(keyring: Keyring, person_id: str, identity: dict) -> tuple[bytes, bytes]:
    nonce = secrets.token_bytes(12)
    data = json.dumps(identity, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return nonce, AESGCM(keyring.dek).encrypt(nonce, data, _aad(person_id, keyring.key_id))


def _decrypt(keyring: Keyring | None, row: WitnessIdentity) -> dict:
    if keyring is None or keyring.key_id != row.key_id:
        raise WitnessKeyError(f"the identity of {row.person_id} is sealed with key {row.key_id}, "
                              f"not {keyring.key_id if keyring else 'the key given'}")
    try:
        data = AESGCM(keyring.dek).decrypt(row.nonce, row.ciphertext, _aad(row.person_id, row.key_id))
    except InvalidTag:
        raise WitnessKeyError(f"the sealed identity of {row.person_id} fails its integrity check "
                              "(altered ciphertext, or moved from another record)") from None
    return json.loads(data)


def _check_identity(identity: dict) -> dict:
    if not isinstance(identity, dict):
        raise InputError("a witness identity is a mapping of fields", field="identity")
    unknown = sorted(set(identity) - set(IDENTITY_FIELDS))
    if unknown:
        raise InputError(f"unknown identity fields {', '.join(unknown)} (use {', '.join(IDENTITY_FIELDS)})",
                         field="identity")
    names = identity.get("names")
    if isinstance(names, str):
        names = [names]
    if not names or not all(isinstance(n, (str, dict)) for n in names):
        raise InputError("a protected witness needs at least one real name (kept encrypted)", field="identity.names")
    out = dict(identity)
    out["names"] = [n if isinstance(n, dict) else {"text": n} for n in names]
    if not all(str(n.get("text", "")).strip() for n in out["names"]):
        raise InputError("a name cannot be empty", field="identity.names")
    return out


def new_pseudonym(session: Session) -> str:
    taken = set(session.scalars(select(WitnessIdentity.pseudonym)))
    while True:
        p = "W-" + "".join(secrets.choice(PSEUDONYM_ALPHABET) for _ in range(4))
        if p not in taken:
            return p


def add_protected_witness(session: Session, keyring: Keyring, *, identity: dict, pseudonym: str | None = None,
                          sensitivity: str = "restricted", description: str | None = None,
                          id: str | None = None) -> Person:
    """A person known to the case only by a pseudonym; their identity sealed with ``keyring``."""
    from dadkhah.records import add_person

    identity = _check_identity(identity)
    active = active_key(session)
    if active is None or active.id != keyring.key_id:
        raise WitnessKeyError(f"witness key {keyring.key_id} is not the case's active key")
    pseudonym = pseudonym or new_pseudonym(session)
    if session.scalar(select(WitnessIdentity).where(WitnessIdentity.pseudonym == pseudonym)) is not None:
        raise InputError(f"the pseudonym {pseudonym!r} is taken", field="pseudonym")
    person = add_person(session, names=[{"text": f"Witness {pseudonym}", "kind": "pseudonym"}], id=id,
                        sensitivity=sensitivity, description=description,
                        extra={"protected_witness": True, "pseudonym": pseudonym})
    nonce, ct = _encrypt(keyring, person.id, identity)
    session.add(WitnessIdentity(person_id=person.id, key_id=keyring.key_id, nonce=nonce, ciphertext=ct,
                                pseudonym=pseudonym))
    session.flush()
    _screen_names(session, person.id, pseudonym, identity)
    return person


def real_names(identity: dict) -> list[str]:
    return [str(n.get("text", "")) for n in identity.get("names", []) if isinstance(n, dict)]


def _screen_names(session: Session, person_id: str, pseudonym: str, identity: dict) -> int:
    """Key the witness's real names for the screen and re-screen the texts already indexed; returns how
    many records were indexed again."""
    from dadkhah.store.search import rescreen

    names = real_names(identity)
    screen.set_witness_forms(session, person_id, pseudonym, names)
    return rescreen(session, names)


def rescreen_all(session: Session, keyring: Keyring) -> dict:
    """Screen the whole case again (``dadkhah witness rescreen``): every witness's name forms keyed afresh
    under the current salt — for a case made, imported or restored before the screen existed, or whose
    screen rows were lost — and every indexed text that may name one indexed again, so the search index
    and its snippets hold the pseudonym. Rows read through a reader's session are masked when loaded, so
    pages, the API, exports and dossiers follow at once. Returns ``{"witnesses", "reindexed"}``."""
    rows = session.scalars(select(WitnessIdentity).order_by(WitnessIdentity.pseudonym)).all()
    plain = [(w, _decrypt(keyring, w)) for w in rows]  # every identity opens before anything is changed
    screen.reset_salt(session)  # stale digests (another salt, removed names) go with the old salt
    reindexed = 0
    for w, identity in plain:
        reindexed += _screen_names(session, w.person_id, w.pseudonym, identity)
    session.flush()
    return {"witnesses": len(rows), "reindexed": reindexed}


def is_protected(session: Session, person_id: str) -> bool:
    return session.get(WitnessIdentity, person_id) is not None


def protected_ids(session: Session) -> set[str]:
    return set(session.scalars(select(WitnessIdentity.person_id)))


MIN_PURPOSE = 8


def check_purpose(purpose: str | None) -> str:
    """The stated purpose of an unmasking, or an :class:`InputError`: every unmasking says why."""
    text = " ".join(str(purpose or "").split())
    if len(text) < MIN_PURPOSE:
        raise InputError(f"state the purpose of seeing this witness's identity (at least {MIN_PURPOSE} "
                         "characters): it is kept in the audit chain", field="purpose")
    return text[:1000]


def unmask(session: Session, person_id: str, principal: Principal, keyring: Keyring | None,
           *, purpose: str | None) -> dict:
    """The real identity of a protected witness, for a principal allowed to see it, for a stated purpose
    (recorded in the audit chain with who, when and why)."""
    row = session.get(WitnessIdentity, person_id)
    if row is None:
        raise NotFound(f"{person_id!r} is not a protected witness")
    purpose = check_purpose(purpose)
    if not principal.can_unmask:
        raise Forbidden(f"{principal.name} ({principal.role}) may not see the identity of protected witnesses")
    if keyring is None:
        raise WitnessKeyError(f"the witness key is locked: set {ENV_KEY_FILE} or {ENV_PASSPHRASE}")
    identity = _decrypt(keyring, row)
    audit.append(session, actor=principal.name, action="unmask", table="witness_identity",
                 record_id=person_id, after={"purpose": purpose, "role": str(principal.role)})
    return identity


def unmask_history(session: Session, person_id: str, principal: Principal) -> list[dict]:
    """Who unmasked this witness, when and why (from the audit chain), for principals who may unmask."""
    if not principal.can_unmask:
        raise Forbidden(f"{principal.name} ({principal.role}) may not see who unmasked protected witnesses")
    rows = session.scalars(select(audit.AuditEntry).where(
        audit.AuditEntry.table_name == "witness_identity", audit.AuditEntry.record_id == person_id,
        audit.AuditEntry.action == "unmask").order_by(audit.AuditEntry.seq.desc()))
    return [{"seq": e.seq, "at": e.ts.isoformat(timespec="seconds"), "actor": e.actor,
             "purpose": (e.after or {}).get("purpose")} for e in rows]


def update_identity(session: Session, keyring: Keyring, person_id: str, identity: dict) -> None:
    row = session.get(WitnessIdentity, person_id)
    if row is None:
        raise NotFound(f"{person_id!r} is not a protected witness")
    _decrypt(keyring, row)  # the caller must hold the key that sealed it
    identity = _check_identity(identity)
    row.nonce, row.ciphertext = _encrypt(keyring, person_id, identity)
    _screen_names(session, person_id, row.pseudonym, identity)


def witness_view(session: Session, person_id: str, principal: Principal, keyring: Keyring | None = None,
                 *, purpose: str | None = None) -> dict:
    """What ``principal`` may see of a witness: always the pseudonym; the identity only when authorised,
    the key is open and a purpose is stated."""
    person = session.get(Person, person_id)
    row = session.get(WitnessIdentity, person_id)
    if person is None or row is None:
        raise NotFound(f"{person_id!r} is not a protected witness")
    view = {"id": person.id, "pseudonym": row.pseudonym, "label": person.label, "protected": True,
            "key_id": row.key_id}
    if principal.can_unmask and keyring is not None and purpose:
        view["identity"] = unmask(session, person_id, principal, keyring, purpose=purpose)
    if principal.can_unmask:
        view["unmask_history"] = unmask_history(session, person_id, principal)
    return view


def identity_strings(identity: dict) -> list[str]:
    """Every text value of an identity (for checking that a text does not reveal it)."""
    out: list[str] = []

    def walk(v):
        if isinstance(v, str):
            if len(v.strip()) >= 3:
                out.append(v.strip())
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, (list, tuple)):
            for x in v:
                walk(x)

    walk({k: v for k, v in identity.items() if k != "notes"})
    return out


def reveals(text: str, identity: dict) -> bool:
    """Does ``text`` contain an identifying string of ``identity``: verbatim (Persian-normalised, any case),
    or a real name in another script or spelling (matched on cross-script name keys)?"""
    from dadkhah.names import normalize
    from dadkhah.vault.mentions import find_name

    haystack = normalize(text or "").casefold()
    for s in identity_strings(identity):
        needle = normalize(s).casefold()
        if needle and needle in haystack:
            return True
    return any(find_name(text or "", n.get("text", "")) for n in identity.get("names", []))
