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

The chain also proves the *content* of the tables (see :mod:`dadkhah.store.replay`): an ORM insert records
every value; an update records the changed values and, under ``"$row"``, the digest of each whole row
after it; a bulk write records the digest of every row it wrote (:func:`append_rows`, ``"$rows"``);
ORM-enabled ``delete()``/``update()`` statements are audited row by row. Replaying the chain then gives
the state every live row must have.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import os
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Integer, String, event, insert, inspect, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from dadkhah.model.base import Base, utcnow

GENESIS = "0" * 64
UNAUDITED = {"audit_log", "search_doc"}
ROW_KEY = "$row"    # in an update entry's ``after``: {table: digest of the whole row after the update}
ROWS_KEY = "$rows"  # in a bulk entry's ``after``: {"table", "digests": {key: digest}, "replace", "deleted"}
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


# --- row digests ---------------------------------------------------------------------------------

class Unreadable:
    """A stored value that cannot be read as its column's type (reported by verify, never raised)."""

    def __init__(self, raw: Any, why: str):
        self.raw, self.why = raw, why

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Unreadable({self.why})"


def _norm_datetime(value: Any) -> Any:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day).isoformat(timespec="microseconds")
    raise ValueError(f"not a date and time: {value!r}")


def _norm_date(value: Any) -> Any:
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10]) if len(value) >= 10 else dt.date.fromisoformat(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    raise ValueError(f"not a date: {value!r}")


def normalize(column, value: Any) -> Any:
    """One canonical, JSON-able form of a column's value, the same whether it comes from the ORM, from
    an audit entry (already JSON) or raw from either database driver. Raises ValueError for a value
    its column cannot hold."""
    from sqlalchemy import Boolean, Date, Float, LargeBinary, Numeric

    if value is None:
        return None
    if isinstance(value, Unreadable):
        raise ValueError(value.why)
    t = column.type
    if isinstance(t, DateTime):
        return _norm_datetime(value)
    if isinstance(t, Date):
        return _norm_date(value)
    if isinstance(t, Boolean):
        if isinstance(value, bool) or value in (0, 1):
            return bool(value)
        raise ValueError(f"not true/false: {value!r}")
    if isinstance(t, Integer):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise ValueError(f"not an integer: {value!r}")
    if isinstance(t, Float):
        if isinstance(value, (int, float, decimal.Decimal)) and not isinstance(value, bool):
            return repr(float(value))
        raise ValueError(f"not a number: {value!r}")
    if isinstance(t, Numeric):
        return str(decimal.Decimal(str(value)).normalize())
    if isinstance(t, LargeBinary):
        if isinstance(value, memoryview):
            value = bytes(value)
        if isinstance(value, bytes):
            return _plain(value)
        if isinstance(value, dict) and set(value) == {"sha256", "bytes"}:
            return value
        raise ValueError(f"not binary data: {type(value).__name__}")
    if isinstance(t, JSON):
        return json.loads(canonical(value))
    if isinstance(value, bytes):
        raise ValueError("not valid UTF-8 text")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)  # SQLite's text affinity stores a number written to a text column as its text
    if not isinstance(value, str):
        raise ValueError(f"not text: {value!r}")
    return value


def row_key(table, values: dict) -> str:
    """The record id of a row, as the audit log writes it (primary-key values joined by ``/``)."""
    return "/".join(str(values.get(c.name)) for c in table.primary_key.columns)


def row_digest(table, values: dict, *, raw_json: bool = False) -> str:
    """SHA-256 (128 bits, hex) of a row's canonical content: every column of ``table``, by name.
    ``raw_json``: JSON columns hold undecoded JSON text (a raw SQLite read)."""
    body = {}
    for col in table.columns:
        v = values.get(col.name)
        if raw_json and isinstance(col.type, JSON) and isinstance(v, (str, bytes)):
            v = json.loads(v)
        body[col.name] = normalize(col, v)
    return hashlib.sha256(canonical([table.name, body]).encode("utf-8")).hexdigest()[:32]


def append_rows(conn, *, actor: str, action: str, table, record_id: str, rows: list, after: dict | None = None,
                replace: bool = False, deleted: list | None = None) -> str:
    """Append one entry for a bulk write to ``table`` that bypassed the ORM. ``rows``: every written row
    as stored (mappings with all columns: read them back with ``RETURNING`` or :func:`read_rows`);
    ``replace``: the write first emptied the table; ``deleted``: keys of rows it deleted."""
    digests = {row_key(table, dict(r)): row_digest(table, dict(r)) for r in rows}
    fks = _cascading_fk_columns(table)
    body: dict[str, Any] = {"table": table.name, "digests": digests}
    if fks:
        body["fk"] = {row_key(table, dict(r)): {c: _plain(dict(r).get(c)) for c in fks} for r in rows}
    if replace:
        body["replace"] = True
    if deleted:
        body["deleted"] = [str(k) for k in deleted]
    return append(conn, actor=actor, action=action, table=table.name, record_id=record_id,
                  after={**(after or {}), ROWS_KEY: body})


def read_rows(conn, table, keys: list) -> list[dict]:
    """Rows of a single-key ``table`` with these primary-key values, as stored."""
    if isinstance(conn, Session):
        conn = conn.connection()
    (pk,) = list(table.primary_key.columns)
    out: list[dict] = []
    for i in range(0, len(keys), 900):
        out += [dict(r) for r in conn.execute(select(table).where(pk.in_(keys[i:i + 900]))).mappings()]
    return out


def _cascading_fk_columns(table) -> list[str]:
    return sorted({fk.parent.name for fk in table.foreign_keys if fk.ondelete})


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


# Called after entries are appended, with (session, first seq, last seq, head hash), when automatic anchors
# are configured (DADKHAH_ANCHOR_DIR). The store cannot import the vault's signing, so the composition root
# (dadkhah.case) installs dadkhah.vault.anchor.note_appended here.
_append_hook = None


def set_append_hook(hook) -> None:
    global _append_hook
    _append_hook = hook


def append_many(conn, entries: list[tuple], *, session: Session | None = None) -> str:
    if isinstance(conn, Session):
        session = conn
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
        if session is not None and os.environ.get("DADKHAH_ANCHOR_DIR"):
            if _append_hook is None:  # fail closed: automatic anchors asked for, nobody to write them
                raise RuntimeError("DADKHAH_ANCHOR_DIR is set but no anchor writer is installed "
                                   "(open the case through dadkhah.case.Case)")
            _append_hook(session, rows[0]["seq"], rows[-1]["seq"], prev)
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


_MAPPER_COLUMNS: dict = {}


def mapper_columns(mapper) -> list[tuple[str, Any, Any]]:
    """(attribute key, table, column) for every column of every table the mapper writes."""
    cols = _MAPPER_COLUMNS.get(mapper)
    if cols is None:
        cols = []
        tables = set(mapper.tables)
        for prop in mapper.column_attrs:
            for col in prop.columns:
                if getattr(col, "table", None) in tables:
                    cols.append((prop.key, col.table, col))
        _MAPPER_COLUMNS[mapper] = cols
    return cols


def _whole_rows(obj) -> dict[str, str] | None:
    """{table: digest} of the object's rows as they are now, or None when some value is not loaded
    (reading it would cost a round trip)."""
    state = inspect(obj)
    unloaded = state.unloaded
    per_table: dict[Any, dict] = {}
    for key, table, col in mapper_columns(state.mapper):
        if key in unloaded:
            return None
        per_table.setdefault(table, {})[col.name] = state.dict.get(key)
    try:
        return {t.name: row_digest(t, v) for t, v in per_table.items()}
    except ValueError:
        return None


def _onupdate_keys(mapper) -> set[str]:
    return {key for key, _t, col in mapper_columns(mapper) if col.onupdate is not None}


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
        after = _row_values(obj, only=changed | (_onupdate_keys(state.mapper) - state.unloaded))
        whole = _whole_rows(obj)
        if whole is not None:
            after[ROW_KEY] = whole
        entries.append((actor, "update", _table_of(obj), _identity(obj),
                        _row_values(obj, only=changed, old=True), after))
    for obj in session.deleted:
        if _table_of(obj) in UNAUDITED:
            continue
        entries.append((actor, "delete", _table_of(obj), _identity(obj), _row_values(obj, old=True), None))
    if not entries:
        return
    if session.info.get(_COMMITTING):
        append_many(session.connection(), entries, session=session)
    else:
        session.info.setdefault(_PENDING, []).append((session.get_nested_transaction(), entries))


@event.listens_for(Session, "do_orm_execute")
def _audit_statement(orm_state) -> Any:
    """An ORM-enabled ``delete()`` or ``update()`` statement: one audited entry per row it changes
    (the rows are read before, and for an update after, the statement)."""
    if not (orm_state.is_delete or orm_state.is_update):
        return None
    session = orm_state.session
    if session.info.get("audit_disabled"):
        return None
    stmt = orm_state.statement
    table = getattr(stmt, "table", None)
    if table is None or getattr(table, "name", None) in UNAUDITED or not hasattr(table, "primary_key"):
        return None
    conn = session.connection()
    where = stmt.whereclause
    sel = select(table) if where is None else select(table).where(where)
    before = [dict(r) for r in conn.execute(sel).mappings()]
    result = orm_state.invoke_statement()
    if not before:
        return result
    actor = session.info.get("actor") or "system"
    plain = lambda row: json.loads(canonical(row))  # noqa: E731
    entries: list[tuple] = []
    if orm_state.is_delete:
        entries = [(actor, "delete", table.name, row_key(table, r), plain(r), None) for r in before]
    else:
        after = {row_key(table, r): r for r in read_rows(conn, table, [r[table.primary_key.columns[0].name]
                                                                         for r in before])} \
            if len(table.primary_key.columns) == 1 else {}
        for old in before:
            key = row_key(table, old)
            new = after.get(key)
            if new is None:
                continue
            changed = sorted(c for c in new if plain({c: new[c]}) != plain({c: old.get(c)}))
            if changed:
                entries.append((actor, "update", table.name, key, plain({c: old.get(c) for c in changed}),
                                {**plain({c: new[c] for c in changed}), ROW_KEY: {table.name: row_digest(table, new)}}))
    if entries:
        if session.info.get(_COMMITTING):
            append_many(conn, entries, session=session)
        else:
            session.info.setdefault(_PENDING, []).append((session.get_nested_transaction(), entries))
    return result


def _take_pending(session: Session) -> list[tuple]:
    return [e for _savepoint, entries in session.info.pop(_PENDING, []) for e in entries]


def write_pending(session: Session) -> None:
    """Append the session's flushed-but-unchained entries now (the chain head then includes them)."""
    session.flush()
    entries = _take_pending(session)
    if entries:
        append_many(session.connection(), entries, session=session)


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
    """Recompute every hash; report the first entry whose content, link or sequence is wrong (the scan
    goes on past it: :func:`dadkhah.store.replay.scan` lists them all). Damaged entries are reported,
    never raised."""
    from dadkhah.store.replay import scan

    if isinstance(conn, Session):
        conn = conn.connection()
    report = scan(conn, rows=False)
    if report.chain_problems:
        first = report.chain_problems[0]
        return ChainReport(False, report.entries, report.head, first_broken=first["entry"], problem=first["problem"])
    return ChainReport(True, report.entries, report.head)
