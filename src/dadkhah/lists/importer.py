"""Import a list file (CSV, XLSX, JSON) as a Source with one :class:`ListRecord` per good row.

Re-importing a revised list under the same name updates it: an unchanged row keeps its record, a row
whose list id (``record_id``) is the same but whose values changed is updated with its previous values
kept in ``history``, a new row is added, and a row that disappeared is marked ``withdrawn`` (never
deleted). Without a ``record_id`` column rows are recognised by their content.

Every bad row is reported with its line, row, field and reason; good rows still import. The original
file is kept in the blob store (addressed by its SHA-256) and every import is recorded in
:class:`ListImport`. Records are written in bulk, with one audit entry per batch holding a SHA-256
digest of the batch's rows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from dadkhah.errors import InputError
from dadkhah.lists.mapping import Mapping, propose_mapping
from dadkhah.lists.readers import Table, read_table
from dadkhah.lists.rows import parse_row
from dadkhah.lists.tables import ListImport, ListRecord, VictimList
from dadkhah.store import audit

BATCH = 5000
Progress = Callable[[int, int], None]


@dataclass
class ImportReport:
    list: str
    list_id: int
    source_id: str
    version: int
    file: str
    sha256: str
    format: str
    mapping: dict
    counts: dict = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"list": self.list, "list_id": self.list_id, "source_id": self.source_id, "version": self.version,
                "file": self.file, "sha256": self.sha256, "format": self.format, "mapping": self.mapping,
                "counts": self.counts, "errors": self.errors}


def row_digest(values: dict) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def batch_digest(rows: list[dict]) -> str:
    return hashlib.sha256(audit.canonical(rows).encode("utf-8")).hexdigest()


def read_and_map(path: str | Path, mapping: Mapping | None) -> tuple[Table, Mapping]:
    """Read the file and settle the mapping (proposed from the headers when none is given)."""
    table = read_table(path, sheet=mapping.sheet if mapping else None,
                       encoding=getattr(mapping, "encoding", None) if mapping else None)
    if mapping is None:
        mapping = propose_mapping(table.headers, [r.values for r in table.rows[:50]])
    mapping.bind(table.headers)
    mapping.check(table.headers, file=str(path))
    return table, mapping


#: Fields whose unreadable value costs only that value: the row is kept with the field empty, and the
#: problem is listed among the import's errors (``kept: true``). A row without a name, with more cells than
#: the header or with a repeated list id is still refused whole.
OPTIONAL_FIELDS = ("gender", "birth_date", "age", "death_date")


def _parse_keeping(raw, mapping: Mapping) -> tuple[dict | None, list[dict]]:
    """parse_row, emptying an unreadable optional field and trying again; (fields or None, problems)."""
    from dataclasses import replace

    problems: list[dict] = []
    for _ in range(len(OPTIONAL_FIELDS) + 1):
        try:
            return parse_row(raw, mapping), problems
        except InputError as exc:
            column = mapping.columns.get(exc.field) if exc.field in OPTIONAL_FIELDS else None
            problem = {"line": raw.line, "row": raw.row, "field": exc.field, "message": exc.message}
            if column is None or not (raw.values.get(column) or "").strip():
                return None, [*problems, problem]
            problems.append({**problem, "kept": True,
                             "message": f"{exc.message}; the row is kept without its {exc.field}"})
            raw = replace(raw, values={**raw.values, column: ""})
    return None, problems


def parse_rows(table: Table, mapping: Mapping, *, strict: bool = False) -> tuple[list[tuple], list[dict]]:
    """(good rows as (raw, fields, record_key, digest), errors) — keys and digests set here.

    A row whose only faults are unreadable optional fields (:data:`OPTIONAL_FIELDS`) is kept with those
    fields empty (its original values are stored as they were) and each fault is listed with ``kept: true``;
    with ``strict`` every fault refuses the row."""
    good: list[tuple] = []
    errors: list[dict] = []
    seen_ids: dict[str, int] = {}
    seen_digests: dict[str, int] = {}
    id_col = mapping.columns.get("record_id")
    for raw in table.rows:
        if strict:
            try:
                fields = parse_row(raw, mapping)
            except InputError as exc:
                errors.append({"line": raw.line, "row": raw.row, "field": exc.field, "message": exc.message})
                continue
        else:
            fields, problems = _parse_keeping(raw, mapping)
            errors.extend(problems)
            if fields is None:
                continue
        digest = row_digest(raw.values)
        rid = (raw.values.get(id_col) or "").strip() if id_col else ""
        if rid:
            if rid in seen_ids:
                errors.append({"line": raw.line, "row": raw.row, "field": "record_id",
                               "message": f"record id {rid!r} is already used by row {seen_ids[rid]}"})
                continue
            seen_ids[rid] = raw.row
            key = f"id:{rid}"
        else:
            n = seen_digests.get(digest, 0) + 1
            seen_digests[digest] = n
            key = f"sha:{digest[:32]}#{n}"
        good.append((raw, fields, key[:200], digest))
    return good, errors


def _get_or_create_list(session: Session, name: str, sensitivity: str, file_name: str) -> VictimList:
    vl = session.scalar(select(VictimList).where(VictimList.name == name))
    if vl is not None:
        return vl
    from dadkhah.records import add_source

    src = add_source(session, source_type="list", title=name, locator=file_name, sensitivity=sensitivity,
                     extra={"list": name})
    position = (session.scalar(select(VictimList.position).order_by(VictimList.position.desc()).limit(1)) or 0) + 1
    vl = VictimList(name=name, source_id=src.id, position=position, sensitivity=sensitivity, version=0)
    session.add(vl)
    session.flush()
    return vl


RESERVED_NAMES = {"cluster", "person", "province", "gender", "period", "prison", "prison_province", "city"}


def check_list_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise InputError("give the list a name (--name)", field="name")
    if name.casefold() in RESERVED_NAMES:
        raise InputError(f"{name!r} names a column of the capture-history table; choose another list name",
                         field="name")
    if len(name) > 200:
        raise InputError("a list name is at most 200 characters", field="name")
    return name


def import_list(case, path: str | Path, name: str, *, mapping: Mapping | None = None, public: bool = False,
                actor: str | None = None, progress: Progress | None = None, strict: bool = False) -> ImportReport:
    """Import (or re-import) the list file ``path`` under ``name``; returns counts and bad rows.

    With ``strict``, a file with any bad row imports nothing (:class:`InputError` names the first).
    """
    name = check_list_name(name)
    path = Path(path)
    table, mapping = read_and_map(path, mapping)
    if public:
        mapping.sensitivity = "public"
    good, errors = parse_rows(table, mapping, strict=strict)
    if strict and errors:
        e = errors[0]
        raise InputError(f"{len(errors)} bad row(s), nothing imported; first: {e['message']}", file=str(path),
                         line=e["line"], field=e["field"])
    stored = case.blobs.put_file(path)
    with case.session(actor=actor) as s:
        vl = _get_or_create_list(s, name, mapping.sensitivity, path.name)
        vl.version += 1
        vl.sensitivity = mapping.sensitivity
        counts = _write_records(s, vl, good, mapping.sensitivity, actor or case.actor, progress)
        kept = sum(1 for e in errors if e.get("kept"))
        counts.update(rows=len(table.rows), good=len(good), bad=len(errors) - kept, kept_with_problems=kept)
        if table.note:  # the file was not plain UTF-8: say how it was read
            counts.update(encoding=table.encoding, encoding_note=table.note)
        s.add(ListImport(list_id=vl.id, version=vl.version, file_name=path.name, file_sha256=stored.sha256,
                         file_format=table.format, mapping=mapping.to_dict(), actor=actor or case.actor,
                         counts=counts, errors=errors))
        report = ImportReport(list=name, list_id=vl.id, source_id=vl.source_id, version=vl.version,
                              file=str(path), sha256=stored.sha256, format=table.format,
                              mapping=mapping.to_dict(), counts=counts, errors=errors)
    case.refresh_statistics()
    return report


def _write_records(s: Session, vl: VictimList, good: list[tuple], sensitivity: str, actor: str,
                   progress: Progress | None) -> dict:
    t = ListRecord.__table__
    existing = {
        r.record_key: r for r in s.execute(
            select(t.c.id, t.c.record_key, t.c.digest, t.c.status, t.c.file_row, t.c.file_line, t.c.original,
                   t.c.history, t.c.sensitivity).where(t.c.list_id == vl.id))
    }
    version = vl.version
    inserts: list[dict] = []
    updates: list[dict] = []
    counts = dict(added=0, updated=0, unchanged=0, restored=0, withdrawn=0)
    seen: set[str] = set()
    for raw, fields, key, digest in good:
        seen.add(key)
        old = existing.get(key)
        if old is None:
            inserts.append(dict(list_id=vl.id, record_key=key, file_row=raw.row, file_line=raw.line,
                                original=raw.values, fields=fields, digest=digest, status="active",
                                first_version=version, history=[], sensitivity=sensitivity))
            counts["added"] += 1
            continue
        history = list(old.history or [])
        change: dict = {}
        if old.digest != digest:
            history.append({"version": version, "event": "changed", "row": old.file_row, "original": old.original})
            change.update(original=raw.values, fields=fields, digest=digest)
            counts["updated"] += 1
        elif old.status != "active":
            history.append({"version": version, "event": "restored"})
            counts["restored"] += 1
        else:
            counts["unchanged"] += 1
        if old.status != "active":
            change["status"] = "active"
        if old.file_row != raw.row or old.file_line != raw.line:
            change.update(file_row=raw.row, file_line=raw.line)
        if old.sensitivity != sensitivity:
            change["sensitivity"] = sensitivity
        if change:
            change["history"] = history
            updates.append({"_id": old.id, **change})
    for key, old in existing.items():
        if key not in seen and old.status == "active":
            history = list(old.history or []) + [{"version": version, "event": "withdrawn", "row": old.file_row}]
            updates.append({"_id": old.id, "status": "withdrawn", "history": history})
            counts["withdrawn"] += 1
    total = len(inserts) + len(updates)
    done = 0
    conn = s.connection()
    for i in range(0, len(inserts), BATCH):
        batch = inserts[i:i + BATCH]
        written = conn.execute(insert(t).returning(*t.c, sort_by_parameter_order=True), batch).mappings().all()
        audit.append_rows(s, actor=actor, action="bulk-insert", table=t, rows=written,
                          record_id=f"list {vl.name} v{version} rows {batch[0]['file_row']}-{batch[-1]['file_row']}",
                          after={"rows": len(batch), "sha256": batch_digest(batch)})
        done += len(batch)
        if progress:
            progress(done, total)
    groups: dict[tuple, list[dict]] = {}
    for u in updates:  # executemany needs the same columns in every row of a statement
        groups.setdefault(tuple(sorted(k for k in u if k != "_id")), []).append(u)
    for columns, rows in groups.items():
        stmt = update(t).where(t.c.id == bindparam("_id")).values(**{c: bindparam("b_" + c) for c in columns})
        for i in range(0, len(rows), BATCH):
            batch = rows[i:i + BATCH]
            conn.execute(stmt, [{"_id": b["_id"], **{"b_" + c: b[c] for c in columns}} for b in batch])
            audit.append_rows(s, actor=actor, action="bulk-update", table=t,
                              rows=audit.read_rows(conn, t, [b["_id"] for b in batch]),
                              record_id=f"list {vl.name} v{version} ({len(batch)} records: {', '.join(columns)})",
                              after={"rows": len(batch), "ids": [b["_id"] for b in batch][:50],
                                     "sha256": batch_digest(batch)})
            done += len(batch)
            if progress:
                progress(done, total)
    return counts
