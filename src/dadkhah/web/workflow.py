"""Work given to people: a linkage pair to review, a record to check, a document to annotate — each with an
assignee, a status (open, in progress, done) and a note; everyone sees their own queue.

Assigning needs the ``edit`` right (admins, investigators); the assignee must be an active user whose role
may do the work (a pair goes to someone who may review). Only the assignee, or someone who may edit, changes
the status. Targets are checked to exist *for the assigner*, and a queue shows only what its reader may see.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dadkhah.access import Forbidden, Principal, Role
from dadkhah.errors import InputError, NotFound
from dadkhah.model.base import utcnow
from dadkhah.web.tables import WORK_KINDS, WORK_STATUSES, WebUser, WorkItem

NEEDS = {"review_pair": "review", "record": "read", "evidence": "read"}


def _check_target(s: Session, kind: str, target: str, principal: Principal) -> None:
    if kind == "review_pair":
        from dadkhah.access import allowed_sensitivities
        from dadkhah.linkage.tables import LinkPair
        from dadkhah.lists.tables import ListRecord

        pair = s.get(LinkPair, int(target)) if target.isdigit() else None
        if pair is None:
            raise InputError(f"no linkage pair {target!r}", field="target")
        records = [s.get(ListRecord, rid) for rid in (pair.record_l, pair.record_r)]
        levels = {r.sensitivity if r is not None else "confidential" for r in records}
        if not levels <= set(allowed_sensitivities(principal)):
            raise InputError(f"no linkage pair {target!r}", field="target")
    elif kind == "record":
        from dadkhah.web.readmodel import visible_entity

        if visible_entity(s, target, principal) is None:
            raise InputError(f"no record {target!r}", field="target")
    elif kind == "evidence":
        from dadkhah.access import can_see
        from dadkhah.vault.tables import EvidenceItem

        item = s.get(EvidenceItem, target)
        if item is None or not can_see(principal, item):
            raise InputError(f"no evidence item {target!r}", field="target")


def assignable_users(s: Session, kind: str) -> list[WebUser]:
    """Active users whose role may do this kind of work."""
    users = s.scalars(select(WebUser).where(WebUser.active.is_(True)).order_by(WebUser.name))
    return [u for u in users if Role(u.role) != Role.anonymous and _may(u, NEEDS[kind])]


def _principal(user: WebUser) -> Principal:
    return Principal(name=user.name, role=Role(user.role), user_id=user.id)


def _may(user: WebUser, action: str) -> bool:
    if action == "read":
        return True
    return _principal(user).may(action)


def assign(s: Session, principal: Principal, *, kind: str, target: str, assignee: str,
           note: str | None = None) -> WorkItem:
    if not principal.may("edit"):
        raise Forbidden(f"{principal.name} ({principal.role}) may not assign work")
    if kind not in WORK_KINDS:
        raise InputError(f"unknown kind of work {kind!r} (use one of {', '.join(WORK_KINDS)})", field="kind")
    target = (target or "").strip()
    _check_target(s, kind, target, principal)
    user = s.scalar(select(WebUser).where(WebUser.name == (assignee or "").strip(), WebUser.active.is_(True)))
    if user is None:
        raise InputError(f"no active user named {assignee!r}", field="assignee")
    if not _may(user, NEEDS[kind]):
        raise InputError(f"{user.name} ({user.role}) may not do this kind of work", field="assignee")
    try:  # work the assignee could not even open is no work: refused, and nothing of it reaches them
        _check_target(s, kind, target, _principal(user))
    except InputError:
        raise InputError(f"{user.name} ({user.role}) may not see this {kind.replace('_', ' ')}",
                         field="assignee") from None
    open_ = s.scalar(select(WorkItem).where(WorkItem.kind == kind, WorkItem.target == target,
                                            WorkItem.assignee == user.name, WorkItem.status != "done"))
    if open_ is not None:
        return open_
    item = WorkItem(kind=kind, target=target, assignee=user.name, status="open", note=(note or None),
                    assigned_by=principal.name, created_at=utcnow(), updated_at=utcnow())
    s.add(item)
    s.flush()
    return item


def set_status(s: Session, principal: Principal, item_id: int, status: str) -> WorkItem:
    if status not in WORK_STATUSES:
        raise InputError(f"unknown status {status!r} (use one of {', '.join(WORK_STATUSES)})", field="status")
    item = s.get(WorkItem, item_id)
    if item is None or (item.assignee != principal.name and not principal.may("edit")):
        raise NotFound(f"no work item {item_id}")
    item.status, item.updated_at = status, utcnow()
    return item


def finish(s: Session, kind: str, target: str, assignee: str) -> int:
    """Mark the assignee's open work on ``target`` done (a pair they decided); how many were."""
    n = 0
    for item in s.scalars(select(WorkItem).where(WorkItem.kind == kind, WorkItem.target == str(target),
                                                 WorkItem.assignee == assignee, WorkItem.status != "done")):
        item.status, item.updated_at = "done", utcnow()
        n += 1
    return n


def items(s: Session, principal: Principal, *, assignee: str | None = None, status: str | None = None,
          limit: int = 200) -> list[dict]:
    """Work items as dicts, newest first: the principal's own, or (with ``edit``) anyone's."""
    stmt = select(WorkItem).order_by(WorkItem.status == "done", WorkItem.updated_at.desc(), WorkItem.id.desc())
    if assignee or not principal.may("edit"):
        stmt = stmt.where(WorkItem.assignee == (assignee if principal.may("edit") and assignee else principal.name))
    if status:
        stmt = stmt.where(WorkItem.status == status)
    return [{"id": w.id, "kind": w.kind, "target": w.target, "assignee": w.assignee, "status": w.status,
             "note": w.note, "assigned_by": w.assigned_by, "created_at": w.created_at, "updated_at": w.updated_at}
            for w in s.scalars(stmt.limit(limit))]


def describe(case, s: Session, rows: list[dict], principal: Principal) -> list[dict]:
    """Each work item with what it is about, as far as the reader may see (hidden targets are left out)."""
    from dadkhah.web import readmodel

    refs = readmodel.refs(s, [r["target"] for r in rows if r["kind"] == "record"], principal)
    out = []
    for r in rows:
        if r["kind"] == "record":
            if r["target"] not in refs:
                continue
            r = dict(r, about=refs[r["target"]], href=f"/entity/{r['target']}")
        elif r["kind"] == "review_pair":
            from dadkhah.linkage.review import pair_detail

            try:
                d = pair_detail(case, int(r["target"]), principal=principal)
            except (NotFound, Forbidden, ValueError):
                continue
            r = dict(r, pair={"left": d["left"].get("name"), "right": d["right"].get("name")},
                     href=f"/review/{r['target']}")
        elif r["kind"] == "evidence":
            from dadkhah.access import can_see
            from dadkhah.vault.tables import EvidenceItem

            item = s.get(EvidenceItem, r["target"])
            if item is None or not can_see(principal, item):
                continue
            r = dict(r, about={"id": item.id, "label": item.title or item.filename or item.id},
                     href=f"/evidence/{item.id}")
        out.append(r)
    return out
