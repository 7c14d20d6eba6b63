"""Prove the content of a case, not only its history: replay the audit chain and compare every live row.

:func:`scan` reads the audit log once, raw (so a damaged value is reported, never raised), and

1. recomputes the chain: every entry whose content no longer matches its hash, that no longer links to
   the entry before it, or that is missing, is reported — and the scan goes on past it;
2. replays the entries into the state they imply: an ``insert`` gives every value of a row, an
   ``update`` the changed values (and ``"$row"``, the digest of the whole row after it), a bulk write
   the digest of every row it wrote (``"$rows"``), a ``delete`` removes the row — with the database's
   own ``ON DELETE CASCADE`` / ``SET NULL`` rules applied, as the engine applies them;
3. reads every live row of every audited table, raw, and compares: a row whose values differ from the
   state the chain implies is *altered* (naming the columns), a row the chain never wrote is
   *unaudited*, a row the chain wrote that is gone is *vanished*. Each names its table, its key and
   the last audit entry that wrote it.

Problems are ``{"severity": "tampered" | "unreadable", ...}``: *tampered* is proven (content differs from
what the chain records), *unreadable* means part of the case could not be read at all (so it could not be
checked). Rows written by an old-style bulk entry without row digests are counted as ``unprovable``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import JSON, Table

from dadkhah.model import Base, load_all_tables
from dadkhah.store.audit import (
    GENESIS,
    ROW_KEY,
    ROWS_KEY,
    UNAUDITED,
    Unreadable,
    _ts,
    entry_hash,
    mapper_columns,
    normalize,
    row_digest,
    row_key,
)

MAX_LISTED = 2000  # problems listed per check (all are counted)


@dataclass
class Expect:
    seq: int
    values: dict | None = None  # column -> value (JSON form), when known
    digest: str | None = None   # digest of the whole row, when only that is known
    fk: dict = field(default_factory=dict)  # cascading FK columns of a digest-only row


@dataclass
class ScanReport:
    entries: int = 0
    head: str = GENESIS
    chain_problems: list[dict] = field(default_factory=list)
    row_problems: list[dict] = field(default_factory=list)
    counts: dict = field(default_factory=dict)


# --- raw reading -----------------------------------------------------------------------------------

class _RawText:
    """While active, SQLite text that is not valid UTF-8 is returned as :class:`Unreadable`."""

    def __init__(self, conn):
        self.dbapi = None
        if conn.dialect.name == "sqlite":
            self.dbapi = conn.connection.dbapi_connection

    def __enter__(self):
        if self.dbapi is not None:
            self.old = self.dbapi.text_factory

            def decode(b: bytes):
                try:
                    return b.decode("utf-8")
                except UnicodeDecodeError as exc:
                    return Unreadable(b, f"not valid UTF-8 text ({exc.reason} at byte {exc.start})")
            self.dbapi.text_factory = decode
        return self

    def __exit__(self, *exc):
        if self.dbapi is not None:
            self.dbapi.text_factory = self.old


def _quote(conn, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def raw_rows(conn, table, *, batch: int = 5000):
    """Every row of ``table`` as the driver returns it (no type processing), in primary-key order."""
    cols = [c.name for c in table.columns]
    pk = [c.name for c in table.primary_key.columns]
    q = _quote
    sql = (f"SELECT {', '.join(q(conn, c) for c in cols)} FROM {q(conn, table.name)} "
           f"ORDER BY {', '.join(q(conn, c) for c in pk)}")
    with _RawText(conn):
        result = conn.exec_driver_sql(sql)
        while True:
            chunk = result.fetchmany(batch)
            if not chunk:
                return
            for r in chunk:
                yield dict(zip(cols, r, strict=True))


def _json_value(v: Any) -> Any:
    """A JSON column read raw: text on SQLite, already decoded on PostgreSQL."""
    if isinstance(v, Unreadable):
        raise ValueError(v.why)
    if isinstance(v, (str, bytes)):
        return json.loads(v)
    return v


def _decode_raw(table, raw: dict) -> dict:
    """JSON columns decoded; a column that cannot be decoded becomes :class:`Unreadable`."""
    out = dict(raw)
    for col in table.columns:
        if isinstance(col.type, JSON) and out.get(col.name) is not None:
            try:
                out[col.name] = _json_value(out[col.name])
            except (ValueError, RecursionError) as exc:
                out[col.name] = Unreadable(raw[col.name], f"not valid JSON ({str(exc)[:80]})")
    return out


def typed_row(table, raw: dict) -> dict:
    """A raw row with each value as its column's Python type (dates, booleans, JSON decoded); a value
    that cannot be converted becomes :class:`Unreadable`."""
    from sqlalchemy import Boolean, Date, DateTime

    out = _decode_raw(table, raw)
    for col in table.columns:
        v = out.get(col.name)
        if v is None or isinstance(v, Unreadable):
            continue
        try:
            if isinstance(col.type, DateTime) and isinstance(v, str):
                out[col.name] = dt.datetime.fromisoformat(v)
            elif isinstance(col.type, Date) and isinstance(v, str):
                out[col.name] = dt.date.fromisoformat(v)
            elif isinstance(col.type, Boolean) and not isinstance(v, bool) and v in (0, 1):
                out[col.name] = bool(v)
        except ValueError as exc:
            out[col.name] = Unreadable(v, str(exc))
    return out


def read_table(conn, table) -> list[dict]:
    """Every row of ``table``, typed (see :func:`typed_row`)."""
    return [typed_row(table, r) for r in raw_rows(conn, table)]


# --- the chain ----------------------------------------------------------------------------------

def _entry_ts(v: Any) -> str:
    if isinstance(v, str):
        v = dt.datetime.fromisoformat(v)
    if not isinstance(v, dt.datetime):
        raise ValueError(f"not a timestamp: {v!r}")
    return _ts(v)


def _chain_problem(report: ScanReport, seq, problem: str, kind: str = "tampered") -> None:
    report.counts["chain_problems"] = report.counts.get("chain_problems", 0) + 1
    if len(report.chain_problems) < MAX_LISTED:
        report.chain_problems.append({"severity": kind, "entry": seq, "problem": problem})


def iter_entries(conn, report: ScanReport, *, batch: int = 5000):
    """Yield each readable audit entry (decoded) while checking the chain; problems go to ``report``."""
    from dadkhah.store.audit import AuditEntry

    table = cast(Table, AuditEntry.__table__)
    prev, expected, last = GENESIS, 1, 0
    cols = [c.name for c in table.columns]
    q = _quote
    while True:
        sql = (f"SELECT {', '.join(q(conn, c) for c in cols)} FROM {q(conn, table.name)} "
               f"WHERE seq > {int(last)} ORDER BY seq LIMIT {int(batch)}")
        with _RawText(conn):
            rows = [dict(zip(cols, r, strict=True)) for r in conn.exec_driver_sql(sql).fetchall()]
        if not rows:
            break
        for r in rows:
            seq = r["seq"]
            last = seq
            report.entries += 1
            if seq != expected:
                _chain_problem(report, expected, f"entry {expected} is missing (next present is {seq})"
                               if seq > expected else f"entry {seq} is out of order")
            try:
                before, after = _json_value(r["before"]), _json_value(r["after"])
                ts = _entry_ts(r["ts"])
                fields = [r[k] for k in ("actor", "action", "table_name", "record_id", "prev_hash", "hash")]
                for name, v in zip(("actor", "action", "table_name", "record_id", "prev_hash", "hash"), fields,
                                   strict=True):
                    if not isinstance(v, str):
                        raise ValueError(f"{name} is not text" + (f": {v.why}" if isinstance(v, Unreadable) else ""))
            except (ValueError, RecursionError) as exc:
                _chain_problem(report, seq, f"entry {seq} was altered: it cannot be read ({str(exc)[:120]})")
                prev = r["hash"] if isinstance(r["hash"], str) else prev
                expected = seq + 1
                continue
            if r["prev_hash"] != prev:
                _chain_problem(report, seq, f"entry {seq} does not link to entry {seq - 1}")
            h = entry_hash(seq, ts, r["actor"], r["action"], r["table_name"], r["record_id"], before, after,
                           r["prev_hash"])
            if h != r["hash"]:
                _chain_problem(report, seq, f"entry {seq} ({r['action']} {r['table_name']} {r['record_id']}) "
                                            "was altered: its content no longer matches its hash")
            prev, expected = r["hash"], seq + 1
            yield {**r, "before": before, "after": after}
    report.head = prev


# --- replay --------------------------------------------------------------------------------------

class _Schema:
    def __init__(self):
        load_all_tables()
        self.tables = {t.name: t for t in Base.metadata.sorted_tables if t.name not in UNAUDITED}
        self.mappers: dict[str, list] = {}
        for m in Base.registry.mappers:
            self.mappers.setdefault(m.local_table.name, []).append(m)
        # (child table, column, parent table, parent column, rule)
        self.cascades = [(t.name, fk.parent.name, fk.column.table.name, fk.column.name, fk.ondelete.upper())
                         for t in self.tables.values() for fk in t.foreign_keys if fk.ondelete]

    def split(self, entry_table: str, values: dict) -> dict[str, dict]:
        """An ORM entry's values (by attribute) → {table: {column: value}}."""
        mappers = self.mappers.get(entry_table)
        if not mappers:
            t = self.tables.get(entry_table)
            return {entry_table: dict(values)} if t is not None else {}
        out: dict[str, dict] = {}
        for m in mappers:
            for key, table, col in mapper_columns(m):
                if key in values and table.name in self.tables:
                    out.setdefault(table.name, {})[col.name] = values[key]
        return out

    def tables_of(self, entry_table: str) -> list[str]:
        mappers = self.mappers.get(entry_table)
        if not mappers:
            return [entry_table] if entry_table in self.tables else []
        return sorted({t.name for m in mappers for t in m.tables if t.name in self.tables})


def replay(entries, schema: _Schema) -> tuple[dict[str, dict[str, Expect]], set[str], dict]:
    state: dict[str, dict[str, Expect]] = {name: {} for name in schema.tables}
    legacy: set[str] = set()   # tables written by bulk entries without row digests
    deleted: dict[tuple[str, str], dict[Any, int]] = {}  # (table, column) -> value -> seq of its delete
    for e in entries:
        seq, action, tname, rid = e["seq"], e["action"], e["table_name"], e["record_id"]
        after = e["after"] if isinstance(e["after"], dict) else {}
        rows = after.get(ROWS_KEY)
        if isinstance(rows, dict) and rows.get("table") in state:
            t = rows["table"]
            if rows.get("replace"):
                for key, exp in state[t].items():
                    _note_delete(schema, deleted, t, key, exp, seq)
                state[t] = {}
            for key in rows.get("deleted") or ():
                was = state[t].pop(str(key)) if str(key) in state[t] else None
                _note_delete(schema, deleted, t, str(key), was, seq)
            fks = rows.get("fk") or {}
            for key, digest in (rows.get("digests") or {}).items():
                state[t][str(key)] = Expect(seq, digest=digest, fk=fks.get(key) or {})
            continue
        if action == "insert":
            for t, values in schema.split(tname, after).items():
                state[t][row_key(schema.tables[t], values)] = Expect(seq, values=values)
        elif action == "update":
            whole: dict = after[ROW_KEY] if isinstance(after.get(ROW_KEY), dict) else {}
            changes = schema.split(tname, {k: v for k, v in after.items() if k != ROW_KEY})
            for t in set(changes) | set(whole):
                if t not in state:
                    continue
                known = state[t].get(rid)
                if known is not None and known.values is not None:
                    known.values.update(changes.get(t, {}))
                    known.seq = seq
                elif t in whole:
                    state[t][rid] = Expect(seq, digest=whole[t])
                else:
                    state[t][rid] = Expect(seq)  # a row known only by a digest, updated without one
        elif action == "delete":
            for t in schema.tables_of(tname):
                gone = state[t].pop(rid) if rid in state[t] else None
                _note_delete(schema, deleted, t, rid, gone, seq)
        elif tname in state and action.startswith(("bulk", "replace")):
            legacy.add(tname)
        elif action == "import" and tname == "*" and not after.get("row_digests"):
            legacy.update(t for t in ((after.get("rows") or {}) if isinstance(after.get("rows"), dict) else {})
                          if t in state)
    _apply_cascades(schema, state, deleted)
    return state, legacy, deleted


def _note_delete(schema: _Schema, deleted: dict, table: str, key: str, exp: Expect | None, seq: int) -> None:
    for _child, _col, parent, pcol, _rule in schema.cascades:
        if parent != table:
            continue
        pk = [c.name for c in schema.tables[table].primary_key.columns]
        if pk == [pcol]:
            value = key
        elif exp is not None and exp.values is not None and pcol in exp.values:
            value = str(exp.values[pcol])
        else:
            continue
        deleted.setdefault((parent, pcol), {})[value] = seq


def _apply_cascades(schema: _Schema, state: dict, deleted: dict) -> None:
    changed = True
    while changed:  # a cascade can delete rows that other rows cascade from
        changed = False
        for child, col, parent, pcol, rule in schema.cascades:
            gone = deleted.get((parent, pcol))
            if not gone:
                continue
            for key, exp in list(state[child].items()):
                value = exp.values.get(col) if exp.values is not None else exp.fk.get(col)
                if value is None or gone.get(str(value), -1) <= exp.seq:
                    continue
                if rule == "CASCADE":
                    del state[child][key]
                    _note_delete(schema, deleted, child, key, exp, gone[str(value)])
                    changed = True
                elif rule == "SET NULL":
                    if exp.values is not None:
                        exp.values[col] = None
                    else:
                        state[child][key] = Expect(exp.seq)
            if changed:
                break


# --- comparison ----------------------------------------------------------------------------------

def _row_problem(report: ScanReport, problem: dict) -> None:
    key = "unreadable" if problem["severity"] == "unreadable" else "tampered_rows"
    report.counts[key] = report.counts.get(key, 0) + 1
    if len(report.row_problems) < MAX_LISTED:
        report.row_problems.append(problem)


def _norm_or_mark(col, value):
    try:
        return normalize(col, value)
    except (ValueError, TypeError, OverflowError) as exc:
        return {"$unreadable": str(exc)[:100]}


def compare_table(conn, table, expected: dict[str, Expect], legacy: bool, report: ScanReport) -> None:
    counts = report.counts
    pk_names = [c.name for c in table.primary_key.columns]
    try:
        for raw in raw_rows(conn, table):
            counts["rows"] = counts.get("rows", 0) + 1
            try:
                key = "/".join(str(_norm_pk(table, raw[c])) for c in pk_names)
            except ValueError as exc:
                _row_problem(report, {"severity": "tampered", "table": table.name, "record": repr(raw.get(pk_names[0])),
                                      "problem": f"its key cannot be read: {exc}"})
                continue
            where = {"table": table.name, "record": key}
            exp = expected.pop(key, None)
            row = _decode_raw(table, raw)
            if exp is None:
                if legacy:
                    counts["unprovable"] = counts.get("unprovable", 0) + 1
                else:
                    _row_problem(report, {"severity": "tampered", **where, "problem": "unaudited: no audit entry "
                                          "wrote this row (inserted behind the tool's back?)"})
                continue
            where["entry"] = exp.seq
            if exp.values is not None:
                diff = []
                for col in table.columns:
                    if col.name not in exp.values:
                        continue
                    if _norm_or_mark(col, row.get(col.name)) != _norm_or_mark(col, exp.values[col.name]):
                        diff.append(col.name)
                if diff:
                    _row_problem(report, {"severity": "tampered", **where, "columns": diff,
                                          "problem": f"altered: {', '.join(diff)} differ from the audit log "
                                                     f"(last written by entry {exp.seq})"})
            elif exp.digest is not None:
                try:
                    digest = row_digest(table, row)
                except (ValueError, TypeError, OverflowError) as exc:
                    digest = f"unreadable ({exc})"
                if digest != exp.digest:
                    _row_problem(report, {"severity": "tampered", **where,
                                          "problem": f"altered: its content no longer matches the digest "
                                                     f"recorded by audit entry {exp.seq}"})
            else:
                counts["unprovable"] = counts.get("unprovable", 0) + 1
    except Exception as exc:  # noqa: BLE001 - a damaged table or database: report it and go on
        _row_problem(report, {"severity": "unreadable", "table": table.name,
                              "problem": f"the table could not be read to the end: {type(exc).__name__}: "
                                         f"{str(exc)[:200]}"})
        expected.clear()
        return
    for key, exp in expected.items():
        _row_problem(report, {"severity": "tampered", "table": table.name, "record": key, "entry": exp.seq,
                              "problem": f"vanished: audit entry {exp.seq} wrote this row, but it is no longer "
                                         "in the case (deleted behind the tool's back?)"})


def _norm_pk(table, value):
    if isinstance(value, Unreadable):
        raise ValueError(value.why)
    return value


def scan(conn, *, rows: bool = True) -> ScanReport:
    """Check the chain and (with ``rows``) every live row against it; never raises for damaged data."""
    report = ScanReport()
    schema = _Schema() if rows else None
    try:
        entries = iter_entries(conn, report)
        if schema is not None:
            state, legacy, _ = replay(entries, schema)
        else:
            for _ in entries:
                pass
    except Exception as exc:  # noqa: BLE001
        _chain_problem(report, None, f"the audit log could not be read to the end: {type(exc).__name__}: "
                                     f"{str(exc)[:200]}", kind="unreadable")
        if schema is None:
            return report
        state, legacy = {name: {} for name in schema.tables}, set(schema.tables)
    if schema is not None:
        report.counts.setdefault("rows", 0)
        for name, table in schema.tables.items():
            compare_table(conn, table, state.get(name, {}), name in legacy, report)
    return report
