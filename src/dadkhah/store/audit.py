"""The tamper-evident audit chain.

Every write through an ORM session appends one entry per changed record: who, when, what
(``insert``/``update``/``delete``), and the record's values before and after. Each entry carries the
SHA-256 of its own canonical content and of the previous entry, so editing, deleting or reordering a
row behind the tool's back breaks the chain; :func:`verify_chain` names the first broken entry.

The entries of a transaction are collected at each flush (when the values before and after are known)
and appended to the chain as the transaction commits, so concurrent writers wait for the chain only
for that moment, not for their whole transaction. A savepoint that rolls back takes its entries with it.

Bulk writes that bypass the ORM call :func:`append` themselves with a digest of what they wrote; given
the session, it first appends the session's own pending entries, so the chain keeps the order of writes.
Tables listed in ``UNAUDITED`` hold derived data (the search index) or the chain itself.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Integer, String, event, insert, inspect, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from dadkhah.model.base import Base, utcnow

GENESIS = "0" * 64
UNAUDITED = {"audit_log", "search_doc"}
_LOCK_KEY = 0x64616468  # "dadh": the PostgreSQL advisory lock serialising appends


class AuditEntry(Base):
    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                     autoincrement=False)
    ts: Mapped[dt.datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    table_name: Mapped[str] = mapped_column(String(80))
    record_id: Mapped[str] = mapped_column(String(200))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        return {"sha256": hashlib.sha256(value).hexdigest(), "bytes": len(value)}
    return value


def canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_plain)


def entry_hash(seq: int, ts: str, actor: str, action: str, table: str, record_id: str,
               before: Any, after: Any, prev_hash: str) -> str:
    body = canonical([seq, ts, actor, action, table, record_id, before, after, prev_hash])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _ts(value: dt.datetime) -> str:
    return value.replace(microsecond=value.microsecond).isoformat(timespec="microseconds")


def _lock_and_head(conn) -> tuple[int, str]:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    row = conn.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    return (row[0], row[1]) if row else (0, GENESIS)


def append(conn, *, actor: str, action: str, table: str, record_id: str,
           before: Any = None, after: Any = None) -> str:
    """Append one entry on ``conn`` — a session or a connection — inside the caller's transaction;
    returns its hash. With a session, its pending entries are appended first."""
    return append_many(conn, [(actor, action, table, record_id, before, after)])


def append_many(conn, entries: list[tuple]) -> str:
    if isinstance(conn, Session):
        entries = _take_pending(conn) + list(entries)
        conn = conn.connection()
    seq, prev = _lock_and_head(conn)
    rows = []
    for actor, action, table, record_id, before, after in entries:
        seq += 1
        now = utcnow()
        before_j = json.loads(canonical(before)) if before is not None else None
        after_j = json.loads(canonical(after)) if after is not None else None
        h = entry_hash(seq, _ts(now), actor, action, table, str(record_id), before_j, after_j, prev)
        rows.append(dict(seq=seq, ts=now, actor=actor, action=action, table_name=table,
                         record_id=str(record_id), before=before_j, after=after_j, prev_hash=prev, hash=h))
        prev = h
    if rows:
        conn.execute(insert(AuditEntry), rows)
    return prev


# --- automatic entries for every ORM flush ------------------------------------------------------

def _row_values(obj, *, only: set[str] | None = None, old: bool = False) -> dict:
    state = inspect(obj)
    values: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if only is not None and key not in only:
            continue
        hist = state.attrs[key].history
        if old:
            values[key] = hist.deleted[0] if hist.deleted else (hist.unchanged[0] if hist.unchanged else None)
        else:
            values[key] = getattr(obj, key, None)
    return values


def _identity(obj) -> str:
    state = inspect(obj)
    ident = state.identity or state.mapper.primary_key_from_instance(obj)
    if not ident or all(p is None for p in ident):
        return "?"
    return str(ident[0]) if len(ident) == 1 else "/".join(str(p) for p in ident)


def _table_of(obj) -> str:
    return inspect(obj).mapper.local_table.name


_PENDING = "audit_pending"      # session.info: [(savepoint or None, entries)], flushed but not yet chained
_COMMITTING = "audit_committing"  # session.info: pending entries written; later flushes append at once


@event.listens_for(Session, "after_flush")
def _audit_after_flush(session: Session, _flush_context) -> None:
    if session.info.get("audit_disabled"):
        return
    actor = session.info.get("actor") or "system"
    entries: list[tuple] = []
    for obj in session.new:
        if _table_of(obj) in UNAUDITED:
            continue
        entries.append((actor, "insert", _table_of(obj), _identity(obj), None, _row_values(obj)))
    for obj in session.dirty:
        if _table_of(obj) in UNAUDITED or not session.is_modified(obj, include_collections=False):
            continue
        state = inspect(obj)
        changed = {a.key for a in state.mapper.column_attrs if state.attrs[a.key].history.has_changes()}
        if not changed:
            continue
        entries.append((actor, "update", _table_of(obj), _identity(obj),
                        _row_values(obj, only=changed, old=True), _row_values(obj, only=changed)))
    for obj in session.deleted:
        if _table_of(obj) in UNAUDITED:
            continue
        entries.append((actor, "delete", _table_of(obj), _identity(obj), _row_values(obj, old=True), None))
    if not entries:
        return
    if session.info.get(_COMMITTING):
        append_many(session.connection(), entries)
    else:
        session.info.setdefault(_PENDING, []).append((session.get_nested_transaction(), entries))


def _take_pending(session: Session) -> list[tuple]:
    return [e for _savepoint, entries in session.info.pop(_PENDING, []) for e in entries]


def write_pending(session: Session) -> None:
    """Append the session's flushed-but-unchained entries now (the chain head then includes them)."""
    session.flush()
    entries = _take_pending(session)
    if entries:
        append_many(session.connection(), entries)


@event.listens_for(Session, "before_commit")
def _chain_at_commit(session: Session) -> None:
    if session.info.get("audit_disabled") or session.get_nested_transaction() is not None:
        return  # a savepoint's entries wait for the outer commit
    write_pending(session)
    session.info[_COMMITTING] = True


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, previous_transaction) -> None:
    if not previous_transaction.nested:
        return  # the whole transaction: see _transaction_ended

    def inside(savepoint) -> bool:
        while savepoint is not None:
            if savepoint is previous_transaction:
                return True
            savepoint = savepoint.parent
        return False

    kept = [(sp, entries) for sp, entries in session.info.get(_PENDING, []) if not inside(sp)]
    session.info[_PENDING] = kept


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session: Session, transaction) -> None:
    if transaction.parent is None:  # committed (entries chained) or rolled back or closed (entries void)
        session.info.pop(_PENDING, None)
        session.info.pop(_COMMITTING, None)


# --- verification --------------------------------------------------------------------------------

@dataclass
class ChainReport:
    ok: bool
    entries: int
    head: str
    first_broken: int | None = None
    problem: str | None = None

    def to_dict(self) -> dict:
        return {"ok": self.ok, "entries": self.entries, "head": self.head,
                "first_broken": self.first_broken, "problem": self.problem}


def verify_chain(conn, *, batch: int = 5000) -> ChainReport:
    """Recompute every hash; report the first entry whose content, link or sequence is wrong."""
    if isinstance(conn, Session):
        conn = conn.connection()
    table = AuditEntry.__table__
    prev, expected_seq, count = GENESIS, 1, 0
    while True:
        rows = conn.execute(
            select(table).where(table.c.seq >= expected_seq).order_by(table.c.seq).limit(batch)
        ).mappings().all()
        if not rows:
            return ChainReport(True, count, prev)
        for r in rows:
            seq = r["seq"]
            if seq != expected_seq:
                return ChainReport(False, count, prev, first_broken=expected_seq,
                                   problem=f"entry {expected_seq} is missing (next present is {seq})")
            if r["prev_hash"] != prev:
                return ChainReport(False, count, prev, first_broken=seq,
                                   problem=f"entry {seq} does not link to entry {seq - 1}")
            h = entry_hash(seq, _ts(r["ts"]), r["actor"], r["action"], r["table_name"], r["record_id"],
                           r["before"], r["after"], r["prev_hash"])
            if h != r["hash"]:
                return ChainReport(False, count, prev, first_broken=seq,
                                   problem=f"entry {seq} ({r['action']} {r['table_name']} {r['record_id']}) "
                                           "was altered: its content no longer matches its hash")
            prev, expected_seq, count = r["hash"], seq + 1, count + 1
