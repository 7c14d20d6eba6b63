"""The vault's part of ``dadkhah verify``: re-hash every original and derived file, check every custody log.

``check(case)`` returns ``{"name": "originals", "ok": bool, "problems": [{"item", "file", "problem"}], …}``:

- an original or derived file whose bytes no longer hash to its address is reported as *changed*, one
  that is gone as *vanished* (each named by item and file);
- a custody entry whose content no longer matches its hash, that no longer links to the entry before it,
  that is missing, or that differs from the audit-log entry written when it was made, is reported with
  its item and position.

Blobs present in the store but registered by no item (left by an interrupted ingest) are listed under
``unregistered``: they are not evidence yet and do not fail the check; re-running ingest registers them.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from dadkhah.store.audit import AuditEntry
from dadkhah.vault.blobs import BlobError, BlobMissing
from dadkhah.vault.custody import custody_hash, verify_chain_rows
from dadkhah.vault.tables import CustodyEvent, DerivedFile, EvidenceItem

CUSTODY_COLUMNS = ("id", "item_id", "seq", "ts", "actor", "action", "details", "prev_hash", "hash")


def _check_blob(blobs, sha256: str, namespace: str, expected_size: int | None) -> str | None:
    try:
        digest, size = blobs.rehash(sha256, namespace)
    except BlobMissing:
        return "vanished: the stored file is missing"
    except (BlobError, OSError) as exc:
        return f"unreadable: {exc}"
    if digest != sha256:
        return f"changed: its bytes now hash to {digest}, not to the {sha256} it was stored under"
    if expected_size is not None and size != expected_size:
        return f"changed: {size} bytes, registered as {expected_size}"
    return None


def check_originals(case, problems: list[dict]) -> dict:
    blobs = case.blobs
    counts = {"items": 0, "derived": 0, "bytes": 0}
    with case.reader() as s:
        items = s.execute(select(EvidenceItem.id, EvidenceItem.sha256, EvidenceItem.size)).all()
        derived = s.execute(select(DerivedFile.item_id, DerivedFile.kind, DerivedFile.sha256, DerivedFile.size)).all()
    for item_id, sha, size in items:
        counts["items"] += 1
        counts["bytes"] += size or 0
        problem = _check_blob(blobs, sha, "sha256", size)
        if problem:
            problems.append({"item": item_id, "file": blobs.location(sha, "sha256"), "kind": "original",
                             "problem": problem})
    for item_id, kind, sha, size in derived:
        counts["derived"] += 1
        problem = _check_blob(blobs, sha, "derived", size)
        if problem:
            problems.append({"item": item_id, "file": blobs.location(sha, "derived"), "kind": f"derived {kind}",
                             "problem": problem})
    registered = {sha for _, sha, _ in items}
    derived_registered = {sha for *_, sha, _ in derived}
    unregistered = [h for h in blobs.iter_hashes("sha256") if h not in registered]
    unregistered += [h for h in blobs.iter_hashes("derived") if h not in derived_registered]
    counts["unregistered"] = len(unregistered)
    return counts


def _plain_row(row: dict) -> dict:
    import json

    from dadkhah.store.audit import canonical

    return json.loads(canonical({k: row[k] for k in CUSTODY_COLUMNS}))


def check_custody(case, problems: list[dict]) -> int:
    """Per-item chains, and every entry against the audit entry recorded when it was written."""
    table = CustodyEvent.__table__
    by_item: dict[str, list[dict]] = defaultdict(list)
    with case.engine.connect() as conn:
        for r in conn.execute(select(table).order_by(table.c.item_id, table.c.seq)).mappings():
            by_item[r["item_id"]].append(dict(r))
        audited: dict[str, dict] = {}
        changed_later: dict[str, str] = {}
        stmt = select(AuditEntry.action, AuditEntry.record_id, AuditEntry.after).where(
            AuditEntry.table_name == table.name).order_by(AuditEntry.seq)
        for action, record_id, after in conn.execute(stmt):
            if action == "insert":
                audited[record_id] = after or {}
            else:
                changed_later[record_id] = action
        # rows written by a JSON Lines import are audited as one batch (with the file's digest), not one by one
        imported = 0
        stmt = select(AuditEntry.after).where(AuditEntry.action == "import")
        for (after,) in conn.execute(stmt):
            imported += int(((after or {}).get("rows") or {}).get(table.name, 0))
    n = 0
    present: set[str] = set()
    unaudited: list[dict] = []
    for item_id, rows in by_item.items():
        for p in verify_chain_rows(item_id, rows):
            problems.append({**p.to_dict(), "kind": "custody"})
        for r in rows:
            n += 1
            rid = str(r["id"])
            present.add(rid)
            where = {"item": item_id, "file": f"custody log of {item_id}, entry {r['seq']}", "kind": "custody"}
            if rid in changed_later:
                problems.append({**where, "problem": f"was {changed_later[rid]}d after it was written "
                                                     "(custody entries are append-only)"})
            before = audited.get(rid)
            if before is None:
                unaudited.append({**where, "problem": "has no matching entry in the audit log "
                                                      "(written behind the tool's back?)"})
            elif _plain_row(r) != {k: before.get(k) for k in CUSTODY_COLUMNS}:
                changed = sorted(k for k in CUSTODY_COLUMNS if _plain_row(r).get(k) != before.get(k))
                problems.append({**where, "problem": f"differs from the audit log in {', '.join(changed)}"})
    if len(unaudited) > imported:
        problems += unaudited
    for rid, after in audited.items():
        if rid not in present and changed_later.get(rid) != "delete":
            problems.append({"item": after.get("item_id"), "kind": "custody",
                             "file": f"custody log of {after.get('item_id')}, entry {after.get('seq')}",
                             "problem": "vanished: the entry is in the audit log but no longer in the case"})
    return n


def check(case) -> dict:
    """The ``originals`` check of ``dadkhah verify`` (see the module docstring)."""
    problems: list[dict] = []
    counts = check_originals(case, problems)
    counts["custody_entries"] = check_custody(case, problems)
    return {"name": "originals", "ok": not problems, "problems": problems, **counts}


__all__ = ["check", "check_originals", "check_custody", "custody_hash"]
