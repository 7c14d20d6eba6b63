"""Lossless JSON Lines export and import of a whole case.

The file starts with a header line, then one line per table row in dependency order::

    {"dadkhah": "case", "format": 1, "tables": [...]}
    {"table": "entity", "row": {"id": "person-raisi", ...}}

Import checks every line before writing anything — JSON syntax, known table and columns, required
values, value types, dates, vocabulary terms and references (to rows earlier in the file or already
in the case) — and then writes everything in one transaction. Any problem raises
:class:`dadkhah.errors.InputError` naming the file, line and field, and the case is left unchanged.

Derived tables (the search index) are not exported; they are rebuilt on import. **This is not a backup**:
the stored files (originals, derived texts, list files) and the audit history are not in the file — use
``dadkhah backup`` (:mod:`dadkhah.backup`) for that. The import itself is audited, with the digest of
every row it wrote, so ``verify`` proves the imported content from then on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import json
import math
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from sqlalchemy import BigInteger, Boolean, Date, DateTime, Float, Integer, LargeBinary, String, Table, select, text
from sqlalchemy.exc import StatementError
from sqlalchemy.types import JSON

from dadkhah.access import SYSTEM, Principal, allowed_sensitivities
from dadkhah.errors import InputError
from dadkhah.model import Base, load_all_tables
from dadkhah.model.vocab import vocabulary
from dadkhah.store import audit
from dadkhah.store.search import rebuild_index

FORMAT = 1
SKIP_TABLES = {"audit_log", "search_doc", "alembic_version"}

# (table, column) -> vocabulary, checked on import
VOCAB_COLUMNS = {
    ("event", "event_type"): "event_type",
    ("organization", "org_type"): "organization_type",
    ("place", "place_type"): "place_type",
    ("source", "source_type"): "source_type",
    ("participation", "role"): "participation_role",
    ("membership", "role"): "position_role",
    ("name_form", "kind"): "name_kind",
    ("claim", "predicate"): "claim_predicate",
}


def case_tables() -> list[Table]:
    load_all_tables()
    return [t for t in Base.metadata.sorted_tables if t.name not in SKIP_TABLES]




def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        import base64

        return {"$base64": base64.b64encode(value).decode()}
    return value


def _self_refs(table: Table) -> list[str]:
    return [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]


def _order_rows(table: Table, rows: list[dict]) -> list[dict]:
    """Rows of a self-referencing table (e.g. organisation → parent) with parents first."""
    refs = _self_refs(table)
    if not refs:
        return rows
    pk = table.primary_key.columns.keys()[0]
    by_id = {r[pk]: r for r in rows}
    done: set = set()
    out: list[dict] = []

    def visit(r: dict, depth: int = 0) -> None:
        if r[pk] in done or depth > len(rows):
            return
        for c in refs:
            parent = by_id.get(r.get(c))
            if parent is not None and parent is not r:
                visit(parent, depth + 1)
        done.add(r[pk])
        out.append(r)

    for r in rows:
        visit(r)
    return out


def iter_export(case, principal: Principal, *, web: bool = False) -> Iterator[dict]:
    """Yield the header and one record per row, only what ``principal`` may see under the export policy
    of :mod:`dadkhah.access.export` (``SYSTEM`` for a whole backup); ``web`` withholds credentials too."""
    from dadkhah.access import may_read_identities, need
    from dadkhah.access.export import check_tables, withheld_tables
    from dadkhah.access.screen import load_screen, mask_row

    principal = need(principal, "an export")
    tables = case_tables()
    check_tables(t.name for t in Base.metadata.sorted_tables)
    allowed = set(allowed_sensitivities(principal))
    private = withheld_tables(principal, web=web)
    tables = [t for t in tables if t.name not in private]
    yield {"dadkhah": "case", "format": FORMAT, "tables": [t.name for t in tables]}
    dropped: dict[str, set] = {}
    with case.engine.connect() as conn:
        screen = None if may_read_identities(principal) else load_screen(conn)
        for table in tables:
            if table.name in private:
                continue
            pk_cols = table.primary_key.columns.keys()
            rows = [dict(r) for r in conn.execute(select(table).order_by(*table.primary_key.columns)).mappings()]
            kept = []
            for r in rows:
                if not _visible(table, r, allowed, dropped):
                    dropped.setdefault(table.name, set()).add(r[pk_cols[0]])
                    continue
                kept.append(mask_row(table, r, screen) if screen else r)
            for r in _order_rows(table, kept):
                yield {"table": table.name, "row": {k: _plain(v) for k, v in r.items()}}


def _visible(table: Table, row: dict, allowed: set, dropped: dict[str, set]) -> bool:
    if "sensitivity" in row and row["sensitivity"] not in allowed:
        return False
    for fk in table.foreign_keys:
        value = row.get(fk.parent.name)
        if value is not None and value in dropped.get(fk.column.table.name, ()):
            return False
    return True


def export_jsonl(case, out: IO[str] | Path | str, principal: Principal) -> int:
    """Write the case as JSON Lines; returns the number of rows written."""
    close = False
    if isinstance(out, (str, Path)):
        out = open(out, "w", encoding="utf-8")
        close = True
    n = 0
    try:
        for record in iter_export(case, principal):
            out.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
            n += "row" in record
    finally:
        if close:
            out.close()
    return n


# --- import --------------------------------------------------------------------------------------

def _enumerations() -> dict[tuple[str, str], tuple]:
    """(table, column) → the values it may hold ('*' for every table with that column)."""
    from dadkhah.model.base import SENSITIVITY_VALUES
    from dadkhah.model.claims import CLAIM_STATUSES

    enums: dict[tuple[str, str], tuple] = {
        ("*", "sensitivity"): SENSITIVITY_VALUES,
        ("claim", "status"): CLAIM_STATUSES,
        ("claim", "asserted_status"): CLAIM_STATUSES,
        ("citation", "stance"): ("supports", "contradicts"),
        ("source", "reliability"): tuple("ABCDEF"),
    }
    for mapper in Base.registry.mappers:  # a row's kind must name a class (else reading it fails)
        col = mapper.polymorphic_on
        if col is not None and getattr(col, "table", None) is not None and mapper.polymorphic_map:
            enums[(col.table.name, col.name)] = tuple(sorted(str(k) for k in mapper.polymorphic_map))
    for module, pairs in ENUM_REGISTRY.items():
        mod = importlib.import_module(module)  # every table module ships with dadkhah: a missing one is an error
        for key, attr in pairs.items():
            try:
                enums[key] = tuple(getattr(mod, attr))
            except AttributeError:
                raise RuntimeError(f"{module}.{attr} (the values of {key[0]}.{key[1]}) does not exist: renamed? "
                                   "update dadkhah.interchange.jsonl.ENUM_REGISTRY") from None
    return enums


# The vocabularies of columns defined above the interchange layer, named here and checked when used.
ENUM_REGISTRY: dict[str, dict[tuple[str, str], str]] = {
    "dadkhah.vault.tables": {("custody_event", "action"): "CUSTODY_ACTIONS",
                             ("testimony_mention", "status"): "MENTION_STATUSES"},
    "dadkhah.lists.tables": {("list_record", "status"): "RECORD_STATUSES"},
    "dadkhah.web.tables": {("web_user", "role"): "ROLES"},
}


RANGES = {("*", "latitude"): (-90.0, 90.0), ("*", "longitude"): (-180.0, 180.0), ("source", "credibility"): (1, 6),
          ("*", "size"): (0, 2**63 - 1)}
# hex digests: (table, column) → allowed lengths (a witness screen keeps 128-bit HMAC digests beside its
# SHA-256 salt check; everything else is SHA-256)
HASH_LENGTHS = {("*", "sha256"): (64,), ("*", "file_sha256"): (64,), ("*", "prev_hash"): (64,), ("*", "hash"): (64,),
                ("*", "digest"): (64,), ("witness_screen", "digest"): (32, 64)}
_HEX = set("0123456789abcdef")


def _lookup(table: str, column: str, rules: dict):
    return rules.get((table, column), rules.get(("*", column)))


def _check_text(value: str) -> None:
    if "\x00" in value:
        raise ValueError("contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("contains an unpaired surrogate (\\ud800–\\udfff), which is not text") from None


def _check_json(value: Any, depth: int = 0) -> None:
    if depth > 64:
        raise ValueError("nested more than 64 levels deep")
    if isinstance(value, str):
        _check_text(value)
    elif isinstance(value, float) and not math.isfinite(value):
        raise ValueError("not a finite number")
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**63:
        raise ValueError("a number too large to store")
    elif isinstance(value, dict):
        for k, v in value.items():
            _check_text(str(k))
            _check_json(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            _check_json(v, depth + 1)


def _check_value(table: Table, name: str, value: Any, enums: dict) -> None:
    """Enumerations, ranges and hash formats a value must satisfy before it is written."""
    if value is None:
        return
    allowed = _lookup(table.name, name, enums)
    if allowed is not None and value not in allowed:
        raise ValueError(f"{value!r} is not one of {', '.join(map(str, allowed))}")
    bounds = _lookup(table.name, name, RANGES)
    if bounds is not None and isinstance(value, (int, float)) and not bounds[0] <= value <= bounds[1]:
        raise ValueError(f"{value!r} is out of range ({bounds[0]} to {bounds[1]})")
    lengths = _lookup(table.name, name, HASH_LENGTHS)
    if lengths and isinstance(value, str) and table.columns[name].type.length in (64, None) \
            and (len(value) not in lengths or not set(value) <= _HEX):
        raise ValueError(f"{value[:80]!r} is not a hex digest ({' or '.join(map(str, lengths))} lower-case hex digits)")


def _convert(table: Table, name: str, value: Any, where: tuple[str, int]) -> Any:
    col = table.columns[name]
    if value is None:
        return None
    t = col.type
    file, line = where
    try:
        if isinstance(t, DateTime):
            return dt.datetime.fromisoformat(value)
        if isinstance(t, Date):
            return dt.date.fromisoformat(value)
        if isinstance(t, Boolean):
            if not isinstance(value, bool):
                raise ValueError(f"expected true/false, got {value!r}")
            return value
        if isinstance(t, Integer):
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"expected an integer, got {value!r}")
            limit = 2**63 if isinstance(t, BigInteger) else 2**31
            if not -limit <= value < limit:
                raise ValueError(f"the integer {str(value)[:30]}… is too large to store")
            return value
        if isinstance(t, Float):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"expected a number, got {value!r}")
            value = float(value)
            if not math.isfinite(value):
                raise ValueError("expected a finite number")
            return value
        if isinstance(t, JSON):
            _check_json(value)
            return value
        if isinstance(t, String):
            if not isinstance(value, str):
                raise ValueError(f"expected text, got {value!r}")
            _check_text(value)
            if t.length and len(value) > t.length:
                raise ValueError(f"longer than {t.length} characters")
            return value
        if isinstance(t, LargeBinary):
            import base64
            import binascii

            if not (isinstance(value, dict) and set(value) == {"$base64"} and isinstance(value["$base64"], str)):
                raise ValueError('expected binary data as {"$base64": "…"}')
            try:
                return base64.b64decode(value["$base64"], validate=True)
            except (binascii.Error, ValueError):
                raise ValueError("not valid base64") from None
        return value
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise InputError(str(exc) if not isinstance(exc, RecursionError) else "nested too deeply",
                         file=file, line=line, field=name) from None


def _check_dates(table: Table, row: dict, where: tuple[str, int]) -> None:
    from dadkhah.dates import DateParseError, parse_date

    for col in table.columns:
        if not col.name.endswith("_text") or f"{col.name[:-5]}_edtf" not in table.columns:
            continue
        prefix = col.name[:-5]
        value = row.get(col.name)
        if value is None:
            continue
        try:
            parsed = parse_date(value, calendar=row.get(f"{prefix}_calendar"))
        except DateParseError as exc:
            raise InputError(f"invalid date: {exc}", file=where[0], line=where[1], field=col.name) from None
        low, high = row.get(f"{prefix}_low"), row.get(f"{prefix}_high")
        if low is not None and high is not None and low > high:
            raise InputError("date low bound is after its high bound", file=where[0], line=where[1],
                             field=f"{prefix}_low")
        if low is None:
            row[f"{prefix}_low"], row[f"{prefix}_high"] = parsed.low, parsed.high
            row.setdefault(f"{prefix}_edtf", parsed.edtf)


def read_jsonl(path: Path | str) -> list[tuple[int, dict]]:
    path = Path(path)
    records: list[tuple[int, dict]] = []
    with open(path, "rb") as f:
        for lineno, raw in enumerate(f, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise InputError(f"not valid UTF-8 (byte {exc.start + 1} of the line)", file=path.name,
                                 line=lineno) from None
            if not line.strip():
                continue
            try:
                records.append((lineno, json.loads(line)))
            except json.JSONDecodeError as exc:
                raise InputError(f"malformed JSON: {exc.msg} (column {exc.colno})", file=path.name,
                                 line=lineno) from None
            except RecursionError:
                raise InputError("JSON nested too deeply", file=path.name, line=lineno) from None
            except ValueError as exc:  # e.g. an integer of more than 4300 digits
                raise InputError(f"unreadable JSON: {str(exc)[:200]}", file=path.name, line=lineno) from None
    return records


def import_jsonl(case, path: Path | str, *, actor: str | None = None) -> dict[str, int]:
    """Validate then import a JSON Lines case file in one transaction. Returns rows per table."""
    path = Path(path)
    fname = path.name
    tables = {t.name: t for t in case_tables()}
    records = read_jsonl(path)
    if not records or "dadkhah" not in records[0][1]:
        raise InputError("not a dadkhah JSON Lines file (missing header line)", file=fname, line=1)
    header = records[0][1]
    if header.get("format") != FORMAT:
        raise InputError(f"unsupported format {header.get('format')!r} (expected {FORMAT})", file=fname, line=1)

    prepared: dict[str, list[dict]] = {name: [] for name in tables}
    seen_keys: dict[str, set] = {name: set() for name in tables}
    vocab_cache: dict[str, set] = {}
    enums = _enumerations()
    for lineno, rec in records[1:]:
        where = (fname, lineno)
        if not isinstance(rec, dict) or "table" not in rec or not isinstance(rec.get("row"), dict):
            raise InputError('expected {"table": ..., "row": {...}}', file=fname, line=lineno)
        table = tables.get(rec["table"])
        if table is None:
            raise InputError(f"unknown table {rec['table']!r}", file=fname, line=lineno, field="table")
        row = rec["row"]
        for key in row:
            if key not in table.columns:
                raise InputError(f"unknown column for table {table.name}", file=fname, line=lineno, field=key)
        converted = {k: _convert(table, k, v, where) for k, v in row.items()}
        for k, v in converted.items():
            try:
                _check_value(table, k, v, enums)
            except ValueError as exc:
                raise InputError(str(exc), file=fname, line=lineno, field=k) from None
        if table.name == "evidence_link" and (converted.get("entity_id") is None) == (
                converted.get("claim_id") is None):
            raise InputError("an evidence link points at exactly one of entity_id and claim_id", file=fname,
                             line=lineno, field="entity_id")
        for col in table.columns:
            if (not col.nullable and converted.get(col.name) is None and col.default is None
                    and col.server_default is None and not (col.primary_key and col.autoincrement is True)):
                raise InputError("a value is required", file=fname, line=lineno, field=col.name)
        for (tname, cname), vocab in VOCAB_COLUMNS.items():
            if tname == table.name and converted.get(cname) is not None:
                terms = vocab_cache.get(vocab)
                if terms is None:
                    with case.reader(SYSTEM) as s:  # the vocabulary (no record is read)
                        terms = vocab_cache[vocab] = set(vocabulary(vocab, s))
                if converted[cname] not in terms:
                    raise InputError(f"unknown {vocab} term {converted[cname]!r}", file=fname, line=lineno,
                                     field=cname)
        _check_dates(table, converted, where)
        pk = tuple(converted.get(c) for c in table.primary_key.columns.keys())
        if None not in pk:
            if pk in seen_keys[table.name]:
                raise InputError(f"duplicate {table.name} {pk[0]!r} in this file", file=fname, line=lineno)
            seen_keys[table.name].add(pk)
        converted["__line__"] = lineno
        prepared[table.name].append(converted)

    _check_references(case, tables, prepared, seen_keys, fname)

    counts: dict[str, int] = {}
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    try:
        _write(case, path, fname, tables, prepared, seen_keys, counts, digest, actor)
    except StatementError as exc:  # a constraint the checks above do not know of: nothing was written
        raise InputError(f"the database refused the rows: {str(exc.orig).splitlines()[0][:300]}",
                         file=fname) from None
    case.refresh_statistics()
    return counts


def _write(case, path, fname, tables, prepared, seen_keys, counts, digest, actor) -> None:
    with case.session(actor=actor) as s:
        conn = s.connection()
        existing = _existing_conflicts(conn, tables, seen_keys)
        if existing:
            tname, key = existing
            line = next(r["__line__"] for r in prepared[tname]
                        if tuple(r.get(c) for c in tables[tname].primary_key.columns.keys()) == key)
            raise InputError(f"{tname} {key[0]!r} already exists in the case", file=fname, line=line)
        for name, table in tables.items():
            rows = [{k: v for k, v in r.items() if k != "__line__"} for r in prepared[name]]
            if rows:
                for i, chunk in enumerate(_chunks(_order_rows(table, rows), 500)):
                    written = conn.execute(table.insert().returning(*table.c, sort_by_parameter_order=True),
                                           chunk).mappings().all()
                    # every row's digest joins the chain, so verify can prove the imported content
                    audit.append_rows(s, actor=s.info["actor"], action="bulk-insert", table=table,
                                      record_id=f"{fname} {name} part {i + 1}", rows=written,
                                      after={"rows": len(chunk)})
                counts[name] = len(rows)
        audit.append(s, actor=s.info["actor"], action="import", table="*", record_id=fname,
                     after={"sha256": digest, "rows": counts, "row_digests": True})
        _reset_sequences(conn, tables)
        rebuild_index(s)  # the derived index is not in the file


def _chunks(rows: list, n: int) -> Iterable[list]:
    for i in range(0, len(rows), n):
        yield rows[i:i + n]


def _check_references(case, tables, prepared, seen_keys, fname) -> None:
    missing_cache: dict[tuple[str, str], set] = {}
    with case.engine.connect() as conn:
        for name, table in tables.items():
            for fk in table.foreign_keys:
                target = fk.column.table
                col, tcol = fk.parent.name, fk.column.name
                in_file = {k[0] for k in seen_keys.get(target.name, set())} if len(
                    target.primary_key.columns) == 1 and target.primary_key.columns.keys()[0] == tcol else set()
                for r in prepared[name]:
                    value = r.get(col)
                    if value is None or value in in_file:
                        continue
                    key = (target.name, tcol)
                    known = missing_cache.setdefault(key, set())
                    if value in known:
                        continue
                    hit = conn.execute(select(target.c[tcol]).where(target.c[tcol] == value)).first()
                    if hit is None:
                        raise InputError(f"refers to {target.name} {value!r}, which is neither in this file nor "
                                         "in the case", file=fname, line=r["__line__"], field=col)
                    known.add(value)


def _existing_conflicts(conn, tables, seen_keys):
    for name, keys in seen_keys.items():
        table = tables[name]
        pk_cols = table.primary_key.columns.keys()
        if len(pk_cols) != 1 or not keys:
            continue
        values = [k[0] for k in keys]
        for chunk in _chunks(values, 500):
            hit = conn.execute(select(table.c[pk_cols[0]]).where(table.c[pk_cols[0]].in_(chunk)).limit(1)).first()
            if hit is not None:
                return name, (hit[0],)
    return None


def _reset_sequences(conn, tables) -> None:
    if conn.dialect.name != "postgresql":
        return
    for table in tables.values():
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and isinstance(pk[0].type, Integer) and pk[0].autoincrement in (True, "auto"):
            seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                               {"t": table.name, "c": pk[0].name}).scalar()
            if seq:
                conn.execute(text(f"SELECT setval('{seq}', COALESCE((SELECT MAX({pk[0].name}) FROM "
                                  f"{table.name}), 0) + 1, false)"))

