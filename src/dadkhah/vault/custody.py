"""Chain of custody: every action on an evidence item, appended to that item's log.

Each :class:`~dadkhah.vault.tables.CustodyEvent` carries the SHA-256 of its own content and of the
item's previous entry, so a log cannot be edited, reordered or shortened without breaking it. Entries
are ordinary ORM rows, so each one is *also* written into the case's hash-chained audit log (with all
its values): :func:`verify_custody` checks both the per-item chain and that every entry still matches
the audit entry written when it was made.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from dadkhah.errors import InputError
from dadkhah.model.base import utcnow
from dadkhah.store.audit import GENESIS, canonical
from dadkhah.vault.tables import CUSTODY_ACTIONS, CustodyEvent

_HEADS = "vault.custody_heads"


def _ts(value: dt.datetime) -> str:
    return value.isoformat(timespec="microseconds")


def custody_hash(item_id: str, seq: int, ts: dt.datetime, actor: str, action: str, details: dict,
                 prev_hash: str) -> str:
    body = canonical([item_id, seq, _ts(ts), actor, action, details, prev_hash])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _head(session: Session, item_id: str, *, new_item: bool) -> tuple[int, str]:
    heads: dict = session.info.setdefault(_HEADS, {})
    if item_id in heads:
        return heads[item_id]
    if new_item:
        return 0, GENESIS
    row = session.execute(
        select(CustodyEvent.seq, CustodyEvent.hash).where(CustodyEvent.item_id == item_id)
        .order_by(CustodyEvent.seq.desc()).limit(1)
    ).first()
    return (row[0], row[1]) if row else (0, GENESIS)


def record(session: Session, item_id: str, action: str, details: dict | None = None, *,
           actor: str | None = None, new_item: bool = False) -> CustodyEvent:
    """Append one entry to ``item_id``'s custody log (inside the caller's unit of work)."""
    if action not in CUSTODY_ACTIONS:
        raise InputError(f"unknown custody action {action!r} (use one of {', '.join(CUSTODY_ACTIONS)})",
                         field="action")
    actor = actor or session.info.get("actor") or "system"
    seq, prev = _head(session, item_id, new_item=new_item)
    seq += 1
    # Round-trip the details through canonical JSON so the stored value hashes the same when read back.
    import json

    details = json.loads(canonical(details or {}))
    ts = utcnow()
    h = custody_hash(item_id, seq, ts, actor, action, details, prev)
    event = CustodyEvent(item_id=item_id, seq=seq, ts=ts, actor=actor, action=action, details=details,
                         prev_hash=prev, hash=h)
    session.add(event)
    session.info[_HEADS][item_id] = (seq, h)
    return event


def forget_heads(session: Session) -> None:
    """Drop the cached chain heads (after a rollback)."""
    session.info.pop(_HEADS, None)


def custody_log(session: Session, item_id: str) -> list[CustodyEvent]:
    return list(session.scalars(select(CustodyEvent).where(CustodyEvent.item_id == item_id)
                                .order_by(CustodyEvent.seq)))


def event_to_dict(e: CustodyEvent) -> dict:
    return {"seq": e.seq, "ts": _ts(e.ts), "actor": e.actor, "action": e.action, "details": e.details,
            "prev_hash": e.prev_hash, "hash": e.hash}


@dataclass
class CustodyProblem:
    item_id: str
    seq: int | None
    problem: str

    def to_dict(self) -> dict:
        return {"item": self.item_id, "file": f"custody log of {self.item_id}"
                + (f", entry {self.seq}" if self.seq is not None else ""), "problem": self.problem}


def verify_chain_rows(item_id: str, rows: list[dict]) -> list[CustodyProblem]:
    """Check one item's entries (dicts with the table's columns, in ``seq`` order)."""
    problems: list[CustodyProblem] = []
    prev, expected = GENESIS, 1
    for r in rows:
        if r["seq"] != expected:
            problems.append(CustodyProblem(item_id, expected, f"entry {expected} is missing"))
            expected = r["seq"]
        if r["prev_hash"] != prev:
            problems.append(CustodyProblem(item_id, r["seq"], "does not link to the entry before it"))
        h = custody_hash(item_id, r["seq"], r["ts"], r["actor"], r["action"], r["details"] or {}, r["prev_hash"])
        if h != r["hash"]:
            problems.append(CustodyProblem(item_id, r["seq"], f"was altered ({r['action']} by {r['actor']}): "
                                           "its content no longer matches its hash"))
        prev, expected = r["hash"], r["seq"] + 1
    return problems
