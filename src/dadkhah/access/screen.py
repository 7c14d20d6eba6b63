"""Protected witnesses' names in any text: found in every script and spelling, shown as the pseudonym.

A protected witness's identity is sealed (:mod:`dadkhah.vault.witness`), but a documenter may still type
the witness's real name into someone else's testimony, a note, an evidence item's text, a claim's
quotation, a list row or an ordinary person's name. This module finds such mentions and replaces them by
the witness's pseudonym (``Witness W-7F3K``) for every reader who may not read witness identities
(:func:`dadkhah.access.may_read_identities`).

How a name is found without the witness key. When a witness is added (and after the key is rotated, or
the identity changed), :func:`set_witness_forms` stores, for each of the witness's real name forms, the
cross-script name keys of :mod:`dadkhah.names` (so "Canaryzad Quxbeh", "CANARYZAD QUXBEH" and
"کناری‌زاد کوکسبه" share a key) — never the names themselves, only HMAC-SHA256 digests of the keys
under a random per-case salt (table ``witness_screen``). Reading a text, :func:`mask_text` keys its
words and runs of words the same way and replaces every run whose digest is a witness's by the
pseudonym. The digests stop a casual reader of a database dump; they do not stop someone who holds the
database and guesses names (a dictionary of candidate names can be keyed and hashed with the salt):
the case database stays confidential.

Where it applies — at read time, so a witness added today also masks texts written before:

- every ORM row read in a session bound to a reader with :func:`read_as` (``Case.reader`` does it):
  the free-text columns of every table (strings and JSON values; ids, codes and the vault's own key
  tables excepted), and the derived text of evidence items (``vault.evidence.item_text``);
- the search index (:mod:`dadkhah.store.search`): a document below ``confidential`` that names a witness
  is stored twice — masked at its own level, the original at ``confidential`` — so the full-text index
  never holds the real name for a reader below; snippets and labels are masked again when read;
- when written: :func:`warnings_for` (a ``before_flush`` hook) notes each new or changed text that names
  a witness, and ``Case.session`` reports them to the writer (CLI: stderr; web: a flash; API: the
  ``warnings`` field).

What is screened: the full name forms recorded in the identity, and for a name of three or more words
its first and last word together ("Mohammad Ali Rezaei" → "Mohammad Rezaei"), with one word more around
them (so honorifics and affixes do not hide a name). A single given or family name alone is not screened
(too common to mask without hiding other people).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field

from sqlalchemy import ForeignKey, Integer, String, delete, event, inspect, select
from sqlalchemy.orm import Mapped, Session, attributes, mapped_column
from sqlalchemy.types import JSON, Text
from sqlalchemy.types import String as StringType

from dadkhah.model.base import Base

SALT_KIND = "salt"
# Tables whose columns are never masked: the vault's sealed identities and keys, this table, the audit
# chain (read only by principals who may read identities), accounts, and the search index (screened when
# written, see dadkhah.store.search).
UNMASKED_TABLES = frozenset({"witness_identity", "witness_key", "witness_screen", "audit_log", "search_doc",
                             "web_user", "web_session", "web_token", "link_run", "alembic_version",
                             "vocab_term"})
# Columns holding codes, identifiers, digests — never free text.
UNMASKED_COLUMNS = frozenset({"id", "kind", "sensitivity", "status", "sha256", "media_type", "name_key",
                              "role", "stance", "predicate", "language", "script", "text_method",
                              "consent_scope", "protection_level", "event_type", "org_type", "place_type",
                              "grade", "reliability", "credibility", "unit", "date_text", "valid_text",
                              "created_by", "ingested_by", "decided_by", "asserted_status"})
MIN_TEXT_LENGTH = 3
_WORD = re.compile(r"\w+", re.UNICODE)


def tokenize(text: str) -> list[tuple[int, int]]:
    """Word boundaries ``(start, end)`` in ``text``."""
    return [(m.start(), m.end()) for m in _WORD.finditer(text or "")]


class WitnessScreen(Base):
    """The keyed digests of a protected witness's name forms (see the module text); one ``salt`` row."""

    __tablename__ = "witness_screen"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[str | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # name | token | salt
    digest: Mapped[str] = mapped_column(String(64), index=True)
    words: Mapped[int] = mapped_column(Integer, default=0)
    replacement: Mapped[str] = mapped_column(String(80), default="")


@dataclass(frozen=True)
class Screen:
    """What a reader's session masks: name digests → replacement, and the word digests that start a look."""

    salt: bytes = b""
    names: dict[str, str] = field(default_factory=dict)
    tokens: frozenset[str] = frozenset()
    width: int = 0

    def __bool__(self) -> bool:
        return bool(self.names)

    def digest(self, key: str) -> str:
        return _digest(self.salt, key)


EMPTY = Screen()


@functools.lru_cache(maxsize=200_000)
def _digest(salt: bytes, key: str) -> str:
    return hmac.new(salt, key.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


@functools.lru_cache(maxsize=200_000)
def _key(text: str) -> str:
    from dadkhah.names import name_key

    try:
        return name_key(text) or ""
    except Exception:  # noqa: BLE001 - a word the name keyer cannot handle is not a name
        return ""


@functools.lru_cache(maxsize=200_000)
def _span_keys(text: str) -> tuple[str, ...]:
    """The keys of a run of words: as written given-first, and regardless of the order of its words."""
    from dadkhah.names import name_keys

    try:
        return tuple(name_keys(text))
    except Exception:  # noqa: BLE001
        return ()


@functools.lru_cache(maxsize=200_000)
def _word_keys(word: str) -> tuple[str, ...]:
    from dadkhah.names import token_keys

    try:
        return tuple(dict.fromkeys([_key(word), *token_keys(word)]))
    except Exception:  # noqa: BLE001
        return ()


# --- the stored digests --------------------------------------------------------------------------

def _salt(session, *, create: bool = False) -> bytes | None:
    value = session.execute(select(WitnessScreen.digest).where(WitnessScreen.kind == SALT_KIND)
                            .order_by(WitnessScreen.id.desc()).limit(1)).scalar()
    if value is None:
        if not create:
            return None
        value = secrets.token_hex(32)
        session.add(WitnessScreen(person_id=None, kind=SALT_KIND, digest=value, words=0))
        session.flush()
    return bytes.fromhex(value)


def _variants(form: str) -> list[tuple[str, int]]:
    """The keys screened for one real name form, each with its number of words."""
    from dadkhah.names import name_keys

    words = [form[a:b] for a, b in tokenize(form)]
    out: list[tuple[str, int]] = [(k, len(words)) for k in name_keys(form)]
    if len(words) >= 3:
        pair = f"{words[0]} {words[-1]}"
        out += [(k, 2) for k in name_keys(pair)]
    return [(k, n) for k, n in dict.fromkeys(out) if k and len(k) >= 4]


def set_witness_forms(session: Session, person_id: str, pseudonym: str, names: list[str]) -> int:
    """Store the digests of a witness's real name forms (replacing earlier ones); returns how many."""
    salt = _salt(session, create=True)
    session.execute(delete(WitnessScreen).where(WitnessScreen.person_id == person_id,
                                                WitnessScreen.kind != SALT_KIND))
    replacement = f"Witness {pseudonym}"
    rows: dict[tuple[str, str], int] = {}
    for form in names:
        form = (form or "").strip()
        if not form:
            continue
        for key, n in _variants(form):
            rows[("name", _digest(salt, key))] = max(n, rows.get(("name", _digest(salt, key)), 0))
        for a, b in tokenize(form):
            for k in _word_keys(form[a:b]):
                if k and len(k) >= 2:
                    rows[("token", _digest(salt, k))] = 1
    for (kind, digest), n in rows.items():
        session.add(WitnessScreen(person_id=person_id, kind=kind, digest=digest, words=n,
                                  replacement=replacement))
    session.flush()
    session.info.pop("screen", None)
    return sum(1 for kind, _ in rows if kind == "name")


def reset_salt(session: Session) -> None:
    """A new salt (after a key rotation): every witness's digests must then be stored again."""
    session.execute(delete(WitnessScreen))
    session.flush()
    session.info.pop("screen", None)
    _salt(session, create=True)


def load_screen(session) -> Screen:
    """The case's screen (cached in the session); ``session`` may also be a connection."""
    import contextlib

    info = getattr(session, "info", {}) if isinstance(session, Session) else {}
    cached = info.get("screen")
    if cached is not None:
        return cached
    with session.no_autoflush if isinstance(session, Session) else contextlib.nullcontext():
        salt = _salt(session)
        if salt is None:
            screen = EMPTY
        else:
            names, tokens, width = {}, set(), 0
            for kind, digest, words, replacement in session.execute(
                    select(WitnessScreen.kind, WitnessScreen.digest, WitnessScreen.words,
                           WitnessScreen.replacement).where(WitnessScreen.kind != SALT_KIND)):
                if kind == "name":
                    names[digest] = replacement
                    width = max(width, words)
                else:
                    tokens.add(digest)
            screen = Screen(salt=salt, names=names, tokens=frozenset(tokens), width=width)
    if isinstance(session, Session):
        session.info["screen"] = screen
    return screen


# --- masking -------------------------------------------------------------------------------------

def find_names(text: str, screen: Screen) -> list[tuple[int, int, str]]:
    """``(start, end, replacement)`` for each run of words in ``text`` that is a witness's name."""
    if not screen or not text or len(text) < MIN_TEXT_LENGTH:
        return []
    tokens = tokenize(text)
    hot = [i for i, (a, b) in enumerate(tokens)
           if any(screen.digest(k) in screen.tokens for k in _word_keys(text[a:b]))]
    if not hot:
        return []
    width = screen.width + 1
    found: list[tuple[int, int, str]] = []
    hot_set = set(hot)
    i = 0
    while i < len(tokens):
        if not any(j in hot_set for j in range(i, min(i + width, len(tokens)))):
            i += 1
            continue
        match = None
        for n in range(min(width, len(tokens) - i), 0, -1):  # the longest run first
            start, end = tokens[i][0], tokens[i + n - 1][1]
            for key in _span_keys(text[start:end]):
                if (rep := screen.names.get(screen.digest(key))) is not None:
                    match = (start, end, rep, n)
                    break
            if match:
                break
        if match:
            found.append(match[:3])
            i += match[3]
        else:
            i += 1
    return found


def mask_text(text: str | None, screen: Screen) -> tuple[str | None, list[str]]:
    """``text`` with every witness name replaced by the pseudonym, and the pseudonyms it named."""
    if not text or not screen or not isinstance(text, str):
        return text, []
    spans = find_names(text, screen)
    if not spans:
        return text, []
    out, pos = [], 0
    for start, end, rep in spans:
        out += [text[pos:start], rep]
        pos = end
    out.append(text[pos:])
    return "".join(out), list(dict.fromkeys(rep for _, _, rep in spans))


def _mask_value(value, screen: Screen):
    """(masked value, names found) for a string or a JSON value."""
    if isinstance(value, str):
        return mask_text(value, screen)
    if isinstance(value, dict):
        hits: list[str] = []
        out = {}
        for k, v in value.items():
            out[k], h = _mask_value(v, screen)
            hits += h
        hits += _mask_across(out, screen)
        return (out if hits else value), hits
    if isinstance(value, list):
        hits = []
        items = []
        for v in value:
            m, h = _mask_value(v, screen)
            items.append(m)
            hits += h
        return (items if hits else value), hits
    return value, []


def _mask_across(d: dict, screen: Screen) -> list[str]:
    """A name split over the values of one mapping (a list row's ``given`` and ``family`` fields): the
    values it spans are replaced in place (the first by the pseudonym, the rest emptied)."""
    keys = [k for k, v in d.items() if isinstance(v, str) and v.strip()]
    if len(keys) < 2:
        return []
    parts, offsets, pos = [], [], 0
    for k in keys:
        offsets.append((pos, pos + len(d[k]), k))
        parts.append(d[k])
        pos += len(d[k]) + 1
    joined = " ".join(parts)
    hits = []
    for start, end, rep in find_names(joined, screen):
        touched = [k for a, b, k in offsets if a < end and b > start]
        if len(touched) < 2:
            continue  # inside one value: masked already
        d[touched[0]] = rep
        for k in touched[1:]:
            d[k] = ""
        hits.append(rep)
    return hits


def mask_for(session: Session, principal, text: str | None) -> str | None:
    """``text`` as ``principal`` may read it."""
    from dadkhah.access import may_read_identities

    if may_read_identities(principal):
        return text
    return mask_text(text, load_screen(session))[0]


def _is_text(col) -> bool:
    if col.name in UNMASKED_COLUMNS or col.primary_key or col.foreign_keys or col.name.endswith("_id"):
        return False
    return isinstance(col.type, (Text, JSON)) or (isinstance(col.type, StringType)
                                                  and (col.type.length or 1000) >= 100)


def text_columns(table) -> tuple[str, ...]:
    """The free-text columns of a table (what masking reads): every string of 100 characters or more,
    every text and JSON column, except identifiers and codes; none in :data:`UNMASKED_TABLES`."""
    if table is None or table.name in UNMASKED_TABLES:
        return ()
    return tuple(c.name for c in table.columns if _is_text(c))


@functools.cache
def _text_columns(mapper) -> tuple[str, ...]:
    return tuple(prop.key for prop in mapper.column_attrs
                 if getattr(prop.columns[0], "table", None) is not None
                 and prop.columns[0].table.name not in UNMASKED_TABLES and _is_text(prop.columns[0]))


def mask_row(table, row: dict, screen: Screen) -> dict:
    """A table row (column → value) with the free text masked."""
    if not screen:
        return row
    out = dict(row)
    for name in text_columns(table):
        if name in out:
            out[name] = _mask_value(out[name], screen)[0]
    return out


def mask_instance(obj, screen: Screen, only=None) -> list[str]:
    """Mask the free-text attributes of one loaded row in place (as committed values: never written)."""
    state = inspect(obj)
    hits: list[str] = []
    for key in _text_columns(state.mapper):
        if key not in state.dict or (only is not None and key not in only):
            continue
        masked, h = _mask_value(state.dict[key], screen)
        if h:
            attributes.set_committed_value(obj, key, masked)
            hits += h
    return hits


def read_as(session: Session, principal) -> Session:
    """Bind ``session`` to a reader: from now on every row it loads is masked for ``principal`` (nothing
    when the principal may read witness identities). Rows already loaded are masked now."""
    from dadkhah.access import may_read_identities

    if may_read_identities(principal):
        return session
    screen = load_screen(session)
    session.info["mask"] = screen
    if screen:
        for obj in list(session.identity_map.values()):
            mask_instance(obj, screen)
    return session


def masking(session: Session) -> Screen | None:
    """The screen a reader-bound session masks with (``None``: this session reads real names)."""
    return session.info.get("mask")


@event.listens_for(Base, "load", propagate=True)
def _on_load(target, context) -> None:
    screen = context.session.info.get("mask") if context.session is not None else None
    if screen:
        mask_instance(target, screen)


@event.listens_for(Base, "refresh", propagate=True)
def _on_refresh(target, context, attrs) -> None:
    screen = context.session.info.get("mask") if context.session is not None else None
    if screen:
        mask_instance(target, screen, only=set(attrs) if attrs else None)


# --- warning the writer --------------------------------------------------------------------------

def _changed_hits(obj, screen: Screen, new: bool) -> list[tuple[str, str]]:
    state = inspect(obj)
    out = []
    for key in _text_columns(state.mapper):
        if key not in state.dict:
            continue
        if not new and not state.attrs[key].history.has_changes():
            continue
        for rep in _mask_value(state.dict[key], screen)[1]:
            out.append((key, rep))
    return out


@event.listens_for(Session, "before_flush")
def _screen_writes(session: Session, _ctx, _instances) -> None:
    if "case" not in session.info or session.info.get("indexing"):
        return
    candidates = [(o, True) for o in session.new] + [(o, False) for o in session.dirty]
    if not candidates:
        return
    screen = load_screen(session)
    if not screen:
        return
    warnings: list[str] = session.info.setdefault("screen_warnings", [])
    for obj, new in candidates:
        hits = _changed_hits(obj, screen, new)
        if not hits:
            continue
        table = inspect(obj).mapper.local_table.name
        ident = getattr(obj, "id", None)
        fields = ", ".join(dict.fromkeys(k for k, _ in hits))
        names = ", ".join(dict.fromkeys(r for _, r in hits))
        msg = (f"{table} {ident or ''} ({fields}) names a protected witness: readers who may not see "
               f"witness identities read '{names}' in its place").replace("  ", " ")
        if msg not in warnings:
            warnings.append(msg)


def take_warnings(session: Session) -> list[str]:
    """The writer's warnings gathered so far in ``session`` (and forget them)."""
    return session.info.pop("screen_warnings", [])
