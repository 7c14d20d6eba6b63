"""One search over a case: names across scripts and spellings, and full text over claims, sources,
documents and transcripts.

Each searchable thing becomes one or more :class:`SearchDoc` rows: ``body`` holds the
Persian-normalised text, ``keys`` the cross-script name keys (ASCII, see :mod:`dadkhah.names`), and
``sensitivity`` the level needed to see it. SQLite searches them with FTS5 (``search_fts``),
PostgreSQL with its full-text search over the ``simple`` configuration. Results are always filtered
by the caller's :class:`dadkhah.access.Principal` *in the query*, so a snippet of a document the
caller may not see is never produced.

Capabilities register an indexer for their own records with :func:`register_indexer`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, delete, func, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from dadkhah.model.base import Base, Sensitivity


class SearchDoc(Base):
    __tablename__ = "search_doc"
    __table_args__ = (
        UniqueConstraint("kind", "record_id", "part"),
        Index("ix_search_doc_record", "record_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(40))  # person, claim, source, evidence, testimony…
    record_id: Mapped[str] = mapped_column(String(200))
    part: Mapped[str] = mapped_column(String(80), default="")  # e.g. "name:3", "text", "page:2"
    entity_id: Mapped[str | None] = mapped_column(ForeignKey("entity.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(500), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    keys: Mapped[str] = mapped_column(Text, default="")
    sensitivity: Mapped[str] = mapped_column(String(12), default=Sensitivity.public.value)
    facets: Mapped[dict] = mapped_column(default=dict)  # role, place, period, organisation…
    # the build of the indexing rules that wrote this row (see index_rules): `verify` tells an index left
    # stale by an upgrade (another build) from one changed behind the tool's back (this build)
    rules: Mapped[str] = mapped_column(String(16), default="", server_default="")


@dataclass
class Doc:
    """What an indexer returns for one part of a record."""

    kind: str
    record_id: str
    part: str
    label: str
    body: str
    keys: Iterable[str] = ()
    sensitivity: str = "public"
    entity_id: str | None = None
    facets: dict = field(default_factory=dict)


Indexer = Callable[[Session, Any], list[Doc]]
_INDEXERS: dict[type, Indexer] = {}


def register_indexer(cls: type, indexer: Indexer) -> None:
    _INDEXERS[cls] = indexer


def indexed_classes() -> list[type]:
    """The classes with an indexer, most general first (a subclass of one is covered by it)."""
    classes = list(_INDEXERS)
    return [c for c in classes if not any(c is not o and issubclass(c, o) for o in classes)]


def indexer_for(obj) -> Indexer | None:
    for cls in type(obj).__mro__:
        if cls in _INDEXERS:
            return _INDEXERS[cls]
    return None


MASKED, SEALED = "#masked", "#sealed"


def screen_docs(session: Session, docs: list[Doc]) -> list[Doc]:
    """Documents below ``confidential`` that name a protected witness become two: the text with the
    pseudonym in the name's place at the document's own level, and the original at ``confidential``
    (readable only by principals who may read witness identities). So the full-text index never holds
    a witness's real name for a reader below (see :mod:`dadkhah.access.screen`)."""
    from dataclasses import replace

    from dadkhah.access import rank
    from dadkhah.access.screen import load_screen, mask_text

    screen = load_screen(session)
    if not screen:
        return docs
    out: list[Doc] = []
    for d in docs:
        if rank(d.sensitivity) >= rank("confidential"):
            out.append(d)
            continue
        body, in_body = mask_text(d.body, screen)
        label, in_label = mask_text(d.label, screen)
        if not (in_body or in_label):
            out.append(d)
            continue
        if d.kind == "evidence" and "case" in session.info:  # its text lives in the blob store: warn here
            message = (f"evidence {d.record_id} (text) names a protected witness: readers who may not see "
                       f"witness identities read '{', '.join(in_body or in_label)}' in its place")
            warnings = session.info.setdefault("screen_warnings", [])
            if message not in warnings:
                warnings.append(message)
        out.append(replace(d, body=body or "", label=label or "", part=d.part + MASKED,
                           keys=_masked_keys(d, body or "", label or "")))
        out.append(replace(d, sensitivity="confidential", part=d.part + SEALED))
    return out


def _masked_keys(d: Doc, body: str, label: str) -> list[str]:
    """The name keys of the masked text only (the keys of the original would find the real name)."""
    from dadkhah.names import name_keys, token_keys

    keys = token_keys(body) + token_keys(label)
    if d.part.startswith("name"):
        for form in body.split(" | "):
            keys += name_keys(form)
    return keys


def _record_for(session: Session, record_id: str):
    for cls in indexed_classes():
        obj = session.get(cls, record_id)
        if obj is not None:
            return obj
    return None


def rescreen(session: Session, names: Iterable[str]) -> int:
    """Index again the records whose indexed text may hold one of ``names`` (a witness just added, or
    whose names changed, or after a key rotation); returns how many records were indexed again."""
    from dadkhah.names import token_keys

    keys = {k for n in names for k in token_keys(n) if len(k) >= 3}
    if not keys:
        return 0
    session.flush()
    cond = [SearchDoc.keys.contains(k) for k in sorted(keys)]
    from sqlalchemy import or_

    ids = set(session.scalars(select(SearchDoc.record_id).where(or_(*cond), SearchDoc.sensitivity != "confidential")))
    done = 0
    for record_id in sorted(ids):
        obj = _record_for(session, record_id)
        if obj is not None:
            reindex(session, obj)
            done += 1
    session.flush()
    return done


_RULES: str | None = None


def index_rules() -> str:
    """A fingerprint of the code that derives the index: the SHA-256 (first 16 hex digits) of dadkhah's
    version and every source file of the package. The same build always derives the same entries from the
    same records, so a stored entry that this build would write differently, and that this build wrote, was
    changed behind the tool's back; one written by another build is stale (``dadkhah reindex``)."""
    global _RULES
    if _RULES is None:
        import hashlib
        from pathlib import Path

        import dadkhah

        h = hashlib.sha256(dadkhah.__version__.encode())
        root = Path(dadkhah.__file__).parent
        for f in sorted(root.rglob("*.py")):
            h.update(str(f.relative_to(root)).encode() + b"\0" + f.read_bytes())
        _RULES = h.hexdigest()[:16]
    return _RULES


def replace_docs(session: Session, kind: str, record_id: str, docs: list[Doc]) -> None:
    """Replace every search row of one record by ``docs`` (screened for protected witnesses' names)."""
    session.execute(delete(SearchDoc).where(SearchDoc.kind == kind, SearchDoc.record_id == record_id)
                    .execution_options(synchronize_session="fetch"))  # not "evaluate": O(identity map) per call
    rules = index_rules()
    for d in screen_docs(session, docs):
        session.add(SearchDoc(kind=d.kind, record_id=d.record_id, part=d.part, entity_id=d.entity_id,
                              label=d.label[:500], body=d.body, keys=" ".join(dict.fromkeys(d.keys)),
                              sensitivity=d.sensitivity, facets=d.facets or {}, rules=rules))


def reindex(session: Session, obj) -> None:
    indexer = indexer_for(obj)
    if indexer is None:
        return
    from sqlalchemy import inspect

    state = inspect(obj)
    kind = getattr(obj, "kind", None) or state.mapper.local_table.name
    record_id = str(state.identity[0]) if state.identity else str(obj.id)
    if state.was_deleted or state.deleted or state.transient:  # transient: its savepoint rolled back
        session.execute(delete(SearchDoc).where(SearchDoc.record_id == record_id))
        return
    replace_docs(session, kind, record_id, indexer(session, obj))


# --- querying -----------------------------------------------------------------------------------

@dataclass
class Hit:
    kind: str
    id: str
    label: str
    score: float
    snippet: str = ""
    part: str = ""
    entity_id: str | None = None
    facets: dict[str, list[str]] = field(default_factory=dict)  # union over the record's matching documents

    def to_dict(self) -> dict:
        return {"kind": self.kind, "id": self.id, "label": self.label, "score": round(self.score, 4),
                "snippet": self.snippet, "part": self.part}


_TOKEN = re.compile(r"\w+", re.UNICODE)


def _query_terms(q: str) -> tuple[list[str], list[str]]:
    from dadkhah.names import normalize, token_keys

    words = [w for w in _TOKEN.findall(normalize(q)) if w]
    keys = [k for k in token_keys(q) if k]
    return words, keys


def _snippet(body: str, words: list[str], width: int = 160) -> str:
    if not body:
        return ""
    pos = -1
    for w in words:
        pos = body.find(w)
        if pos >= 0:
            break
    start = max(0, pos - width // 3) if pos >= 0 else 0
    frag = body[start:start + width]
    return ("…" if start > 0 else "") + frag + ("…" if start + width < len(body) else "")


KIND_BOOST = {"person": 3.0, "organization": 2.5, "place": 2.5, "event": 2.0}


def search(session: Session, q: str, *, principal, kinds: Iterable[str] | None = None,
           limit: int = 20, facets: dict | None = None) -> list[Hit]:
    """Search names and text; one hit per record, best first, visible to ``principal`` only (a reader who
    may not read witness identities never meets a protected witness's real name, in a label or a snippet)."""
    from dadkhah.access import allowed_sensitivities, may_read_identities, need
    from dadkhah.access.screen import load_screen, mask_text

    principal = need(principal, "search")
    allowed = allowed_sensitivities(principal)
    reads_identities = may_read_identities(principal)
    screen = None if reads_identities else load_screen(session)
    words, keys = _query_terms(q)
    if not words and not keys:
        return []
    dialect = session.get_bind().dialect.name
    rows = (_search_sqlite if dialect == "sqlite" else _search_postgres)(session, words, keys, allowed,
                                                                        limit * 10)
    best: dict[tuple[str, str], Hit] = {}
    facet_values: dict[tuple[str, str], dict[str, set]] = {}
    kinds = set(kinds) if kinds else None
    for r in rows:
        if kinds and r.kind not in kinds:
            continue
        if r.part.endswith(MASKED if reads_identities else SEALED):
            continue  # each reader reads one of the two copies of a screened document
        r.part = r.part.removesuffix(MASKED).removesuffix(SEALED)
        if facets and not _facets_match(r.facets, facets):
            continue
        is_name = r.part.startswith("name")
        score = float(r.score) * KIND_BOOST.get(r.kind, 1.0) * (2.0 if is_name else 1.0)
        key = (r.kind, r.record_id)
        slot = facet_values.setdefault(key, {})
        for name, values in (r.facets or {}).items():
            slot.setdefault(name, set()).update(str(v) for v in _as_list(values) if v is not None)
        if key not in best or best[key].score < score:
            snippet, label = _snippet(r.body, words), r.label
            if screen:
                snippet = mask_text(snippet, screen)[0] or snippet
                label = mask_text(label, screen)[0] or label
            best[key] = Hit(kind=r.kind, id=r.record_id, label=label, score=score,
                            snippet=snippet, part=r.part, entity_id=r.entity_id)
    for key, hit in best.items():
        hit.facets = {name: sorted(values) for name, values in facet_values[key].items()}
    return sorted(best.values(), key=lambda h: (-h.score, h.kind, h.id))[:limit]


def _as_list(v) -> list:
    return list(v) if isinstance(v, (list, set, tuple)) else [v]


def _facets_match(doc_facets: dict, wanted: dict) -> bool:
    """Every requested facet must share a value with the document's (facet values are lists)."""
    for key, want in wanted.items():
        if want in (None, "", []):
            continue
        if not set(map(str, _as_list(doc_facets.get(key, [])))) & set(map(str, _as_list(want))):
            return False
    return True


def _fts_quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _search_sqlite(session, words, keys, allowed, limit):
    clauses = []
    if words:
        clauses.append("body:(" + " OR ".join(_fts_quote(w) for w in words) + ")")
    if keys:
        clauses.append("keys:(" + " OR ".join(_fts_quote(k) for k in keys) + ")")
    match = " OR ".join(clauses)
    sens = ",".join(f"'{s}'" for s in allowed)
    sql = text(
        "SELECT d.id, d.kind, d.record_id, d.part, d.label, d.body, d.entity_id, d.facets, "
        "-bm25(search_fts, 1.0, 4.0) AS score FROM search_fts JOIN search_doc d ON d.id = search_fts.rowid "
        f"WHERE search_fts MATCH :m AND d.sensitivity IN ({sens}) ORDER BY score DESC LIMIT :lim"
    )
    return _rows(session.execute(sql, {"m": match, "lim": limit}).mappings())


def _search_postgres(session, words, keys, allowed, limit):
    terms = [re.sub(r"[^\w]", "", t) for t in [*words, *keys]]
    terms = [t for t in terms if t]
    if not terms:
        return []
    tsq = " | ".join(terms)
    sql = text(
        "SELECT d.id, d.kind, d.record_id, d.part, d.label, d.body, d.entity_id, d.facets, "
        "ts_rank(setweight(to_tsvector('simple', d.body), 'C') || setweight(to_tsvector('simple', d.keys), 'A'),"
        " to_tsquery('simple', :q)) * 10 AS score "
        "FROM search_doc d WHERE (to_tsvector('simple', d.body || ' ' || d.keys) @@ to_tsquery('simple', :q)) "
        "AND d.sensitivity = ANY(:allowed) ORDER BY score DESC LIMIT :lim"
    )
    return _rows(session.execute(sql, {"q": tsq, "allowed": list(allowed), "lim": limit}).mappings())


@dataclass
class _Row:
    kind: str
    record_id: str
    part: str
    label: str
    body: str
    entity_id: str | None
    facets: dict
    score: float


def _rows(mappings) -> list[_Row]:
    import json

    out = []
    for m in mappings:
        facets = m["facets"]
        if isinstance(facets, str):
            facets = json.loads(facets or "{}")
        out.append(_Row(m["kind"], m["record_id"], m["part"], m["label"], m["body"], m["entity_id"],
                        facets or {}, m["score"]))
    return out


# DDL run by the migration (kept here, beside the code that queries it).
SQLITE_FTS_DDL = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(body, keys, content='search_doc', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_doc_ai AFTER INSERT ON search_doc BEGIN "
    "INSERT INTO search_fts(rowid, body, keys) VALUES (new.id, new.body, new.keys); END",
    "CREATE TRIGGER search_doc_ad AFTER DELETE ON search_doc BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, body, keys) VALUES ('delete', old.id, old.body, old.keys); END",
    "CREATE TRIGGER search_doc_au AFTER UPDATE ON search_doc BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, body, keys) VALUES ('delete', old.id, old.body, old.keys); "
    "INSERT INTO search_fts(rowid, body, keys) VALUES (new.id, new.body, new.keys); END",
]
SQLITE_FTS_DROP = ["DROP TRIGGER IF EXISTS search_doc_au", "DROP TRIGGER IF EXISTS search_doc_ad",
                   "DROP TRIGGER IF EXISTS search_doc_ai", "DROP TABLE IF EXISTS search_fts"]
POSTGRES_FTS_DDL = [
    "CREATE INDEX ix_search_doc_fts ON search_doc USING gin (to_tsvector('simple', body || ' ' || keys))",
]
POSTGRES_FTS_DROP = ["DROP INDEX IF EXISTS ix_search_doc_fts"]


def create_fts(conn) -> None:
    for stmt in SQLITE_FTS_DDL if conn.dialect.name == "sqlite" else POSTGRES_FTS_DDL:
        conn.execute(text(stmt))


def drop_fts(conn) -> None:
    for stmt in SQLITE_FTS_DROP if conn.dialect.name == "sqlite" else POSTGRES_FTS_DROP:
        conn.execute(text(stmt))


def rebuild_index(session: Session, *, step=None) -> int:
    """Re-index every record of every class with a registered indexer (entities, claims, evidence…), in
    ``session``; ``step(done, total)`` is called as it goes. Returns the number of records indexed."""
    session.info["indexing"] = True  # the commit-time refresh of touched records is not needed
    try:
        classes = indexed_classes()
        total = sum(session.scalar(select(func.count()).select_from(cls)) or 0 for cls in classes)
        done = 0
        for cls in classes:
            obj: object
            for obj in session.scalars(select(cls)):
                reindex(session, obj)
                done += 1
                if step and (done % 500 == 0 or done == total):
                    step(done, total)
        session.flush()
    finally:
        session.info["indexing"] = False
    return done


__all__ = ["SearchDoc", "Doc", "Hit", "register_indexer", "reindex", "replace_docs", "rescreen", "search",
           "rebuild_index", "create_fts", "drop_fts", "select"]
