"""The vault's part of ``dadkhah verify``: re-hash every original and derived file, check every custody log.

``check(case)`` returns ``{"name": "originals", "ok": bool, "problems": [{"item", "file", "problem"}], …}``:

- an original or derived file whose bytes no longer hash to its address is reported as *changed*, one
  that is gone as *vanished* (each named by item and file);
- a custody entry whose content no longer matches its hash, that no longer links to the entry before it,
  that is missing, or that differs from the audit-log entry written when it was made, is reported with
  its item and position.

Each item is also checked against its ``ingest`` custody entry: an item whose SHA-256 or size no
longer matches what was recorded when it was ingested has been *repointed* (e.g. at a planted file).
Damaged rows are reported (``severity``: ``tampered``; a file or store that cannot be read: ``unreadable``),
never raised.

Blobs present in the store but registered by no item (left by an interrupted ingest) are listed under
``unregistered``: they are not evidence yet and do not fail the check; re-running ingest registers them.
"""

from __future__ import annotations

from collections import defaultdict

from dadkhah.vault.blobs import BlobError, BlobMissing, check_hash
from dadkhah.vault.custody import CustodyProblem, custody_hash, verify_chain_rows
from dadkhah.vault.tables import CustodyEvent, DerivedFile, EvidenceItem

CUSTODY_COLUMNS = ("id", "item_id", "seq", "ts", "actor", "action", "details", "prev_hash", "hash")


def _check_blob(blobs, sha256, namespace: str, expected_size) -> tuple[str, str] | None:
    """(kind, problem) or None."""
    if not isinstance(sha256, str):
        return "tampered", f"its registered SHA-256 cannot be read ({sha256!r})"
    try:
        check_hash(sha256)
    except BlobError:
        return "tampered", f"its registered SHA-256 {sha256[:80]!r} is not a SHA-256 digest"
    try:
        digest, size = blobs.rehash(sha256, namespace)
    except BlobMissing:
        return "tampered", "vanished: the stored file is missing"
    except (BlobError, OSError) as exc:
        return "unreadable", f"unreadable: {exc}"
    if digest != sha256:
        return "tampered", f"changed: its bytes now hash to {digest}, not to the {sha256} it was stored under"
    if expected_size is not None and size != expected_size:
        return "tampered", f"changed: {size} bytes, registered as {expected_size}"
    return None


def _location(blobs, sha256, namespace: str) -> str:
    try:
        return blobs.location(sha256, namespace)
    except (BlobError, TypeError):
        return f"{namespace}/{sha256!r}"


def _rows(conn, table) -> list[dict]:
    from dadkhah.store.replay import read_table

    return read_table(conn, table)


def check_originals(case, problems: list[dict]) -> dict:
    blobs = case.blobs
    counts = {"items": 0, "derived": 0, "bytes": 0}
    with case.engine.connect() as conn:
        items = [(r["id"], r["sha256"], r["size"]) for r in _rows(conn, EvidenceItem.__table__)]
        derived = [(r["item_id"], r["kind"], r["sha256"], r["size"]) for r in _rows(conn, DerivedFile.__table__)]
    for item_id, sha, size in items:
        counts["items"] += 1
        counts["bytes"] += size if isinstance(size, int) else 0
        problem = _check_blob(blobs, sha, "sha256", size)
        if problem:
            problems.append({"severity": problem[0], "item": item_id, "file": _location(blobs, sha, "sha256"),
                             "kind": "original", "problem": problem[1]})
    for item_id, kind, sha, size in derived:
        counts["derived"] += 1
        problem = _check_blob(blobs, sha, "derived", size)
        if problem:
            problems.append({"severity": problem[0], "item": item_id, "file": _location(blobs, sha, "derived"),
                             "kind": f"derived {kind}", "problem": problem[1]})
    registered = {sha for _, sha, _ in items}
    derived_registered = {sha for *_, sha, _ in derived}
    try:
        unregistered = [h for h in blobs.iter_hashes("sha256") if h not in registered]
        unregistered += [h for h in blobs.iter_hashes("derived") if h not in derived_registered]
        counts["unregistered"] = len(unregistered)
    except (BlobError, OSError) as exc:
        problems.append({"severity": "unreadable", "file": getattr(blobs, "description", "blob store"),
                         "problem": f"the blob store cannot be listed: {exc}"})
    counts["_items"] = {item_id: (sha, size) for item_id, sha, size in items}
    return counts


def _plain_row(row: dict) -> dict:
    import json

    from dadkhah.store.audit import canonical

    return json.loads(canonical({k: row[k] for k in CUSTODY_COLUMNS}))


def _audit_rows(conn, table_name: str):
    """Audit entries about ``table_name`` (and imports), read raw: a damaged one is skipped here (the
    chain check reports it)."""
    from dadkhah.store.replay import _json_value

    q = conn.dialect.identifier_preparer.quote
    sql = (f"SELECT seq, action, table_name, record_id, {q('after')} FROM audit_log "
           f"WHERE table_name = '{table_name}' OR action = 'import' ORDER BY seq")
    from dadkhah.store.replay import _RawText

    with _RawText(conn):
        fetched = conn.exec_driver_sql(sql).fetchall()
    for seq, action, tname, rid, after in fetched:
        try:
            yield {"seq": seq, "action": action, "table_name": tname, "record_id": rid, "after": _json_value(after)}
        except (ValueError, RecursionError):
            continue


def check_custody(case, problems: list[dict], items: dict | None = None) -> int:
    """Per-item chains, and every entry against the audit entry recorded when it was written."""
    table = CustodyEvent.__table__
    by_item: dict[str, list[dict]] = defaultdict(list)
    with case.engine.connect() as conn:
        rows = _rows(conn, table)
        rows.sort(key=lambda r: (str(r["item_id"]), r["seq"] if isinstance(r["seq"], int) else 0))
        for r in rows:
            by_item[r["item_id"]].append(r)
        audited: dict[str, dict] = {}
        changed_later: dict[str, str] = {}
        imported = 0
        for e in _audit_rows(conn, table.name):
            if e["table_name"] == table.name:
                if e["action"] == "insert":
                    audited[e["record_id"]] = e["after"] if isinstance(e["after"], dict) else {}
                elif e["action"] in ("update", "delete"):
                    changed_later[e["record_id"]] = e["action"]
            elif e["action"] == "import":
                # rows written by a JSON Lines import are audited as one batch, not one by one
                rows_ = (e["after"] or {}).get("rows") if isinstance(e["after"], dict) else None
                if isinstance(rows_, dict) and isinstance(rows_.get(table.name, 0), int):
                    imported += rows_.get(table.name, 0)
    n = 0
    present: set[str] = set()
    unaudited: list[dict] = []
    for item_id, rows in by_item.items():
        try:
            found = verify_chain_rows(item_id, rows)
        except Exception as exc:  # noqa: BLE001 - a damaged entry: name the log, go on
            found = [CustodyProblem(item_id, None, f"cannot be read: {type(exc).__name__}: {str(exc)[:120]}")]
        for p in found:
            problems.append({**p.to_dict(), "severity": "tampered", "kind": "custody"})
        if items is not None and item_id in items:
            _check_ingest_entry(item_id, rows, items[item_id], problems)
        for r in rows:
            n += 1
            rid = str(r["id"])
            present.add(rid)
            where = {"item": item_id, "file": f"custody log of {item_id}, entry {r['seq']}", "severity": "tampered",
                     "kind": "custody"}
            if rid in changed_later:
                problems.append({**where, "problem": f"was {changed_later[rid]}d after it was written "
                                                     "(custody entries are append-only)"})
            before = audited.get(rid)
            if before is None:
                unaudited.append({**where, "problem": "has no matching entry in the audit log "
                                                      "(written behind the tool's back?)"})
            elif _safe_plain(r) != {k: before.get(k) for k in CUSTODY_COLUMNS}:
                changed = sorted(k for k in CUSTODY_COLUMNS if _safe_plain(r).get(k) != before.get(k))
                problems.append({**where, "problem": f"differs from the audit log in {', '.join(changed)}"})
    if len(unaudited) > imported:
        problems += unaudited
    for rid, after in audited.items():
        if rid not in present and changed_later.get(rid) != "delete":
            problems.append({"item": after.get("item_id"), "severity": "tampered", "kind": "custody",
                             "file": f"custody log of {after.get('item_id')}, entry {after.get('seq')}",
                             "problem": "vanished: the entry is in the audit log but no longer in the case"})
    return n


def _safe_plain(row: dict) -> dict:
    try:
        return _plain_row(row)
    except Exception:  # noqa: BLE001 - an unreadable value differs from whatever was audited
        return {k: repr(row.get(k)) for k in CUSTODY_COLUMNS}


# the custody actions that record how an item came into the case (its first hash and size)
ACQUIRED = ("ingest", "capture")


def _check_ingest_entry(item_id: str, rows: list[dict], registered: tuple, problems: list[dict]) -> None:
    """The item's SHA-256 and size must be those its ingest entry recorded (else it was repointed)."""
    sha, size = registered
    ingest = next((r for r in rows if r.get("action") in ACQUIRED), None)
    if ingest is None:
        problems.append({"severity": "tampered", "item": item_id, "kind": "custody",
                         "file": f"custody log of {item_id}",
                         "problem": "has no ingest entry: where the item came from is not recorded"})
        return
    details = ingest.get("details") if isinstance(ingest.get("details"), dict) else {}
    for key, value in (("sha256", sha), ("size", size)):
        if key in details and details[key] != value:
            problems.append({"severity": "tampered", "item": item_id, "kind": "original",
                             "file": f"custody log of {item_id}, entry {ingest.get('seq')}",
                             "problem": f"repointed: the item's {key} is {value!r} but its ingest entry recorded "
                                        f"{details[key]!r}"})


def check(case) -> dict:
    """The ``originals`` check of ``dadkhah verify`` (see the module docstring)."""
    problems: list[dict] = []
    counts = check_originals(case, problems)
    items = counts.pop("_items")
    counts["custody_entries"] = check_custody(case, problems, items)
    return {"name": "originals", "ok": not problems, "problems": problems, **counts}


__all__ = ["check", "check_originals", "check_custody", "custody_hash"]
