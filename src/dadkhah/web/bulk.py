"""Bulk edits: one change applied to many records at once — set the sensitivity, set the type (event type,
place type…), or give each record to someone's work queue as a record to check.

:func:`plan` reads what the change would do (which records change, which already have that value, which
cannot be changed and why) without writing; :func:`apply` makes the change, record by record, each in a
savepoint of its own, so one record that cannot take the change does not stop the others. Every changed
record is written through the ORM, so the audit chain holds one entry per changed record, under the
editor's name.

Access: the caller needs the ``edit`` right; records they may not see are counted as *not found* (never
named); a sensitivity above the caller's own ceiling is refused (they could no longer see what they
changed). Both functions take an explicit principal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from dadkhah.access import Forbidden, Principal, allowed_sensitivities
from dadkhah.errors import InputError
from dadkhah.model.base import SENSITIVITY_VALUES
from dadkhah.web import readmodel

ACTIONS = ("sensitivity", "type", "assign")
MAX_RECORDS = 500  # one bulk change at most touches this many records


@dataclass
class Change:
    """A parsed change: ``action`` and its ``value`` (a sensitivity, a type code, a user name)."""

    action: str
    value: str

    @property
    def code(self) -> str:
        return f"{self.action}:{self.value}"


@dataclass
class BulkOutcome:
    """What a change does (``plan``) or did (``apply``): records as references ({"id", "kind", "label",
    "sensitivity", "current"}), and refusals as (reference, reason code)."""

    kind: str
    change: Change
    changed: list[dict] = field(default_factory=list)
    unchanged: list[dict] = field(default_factory=list)
    refused: list[tuple[dict, str]] = field(default_factory=list)
    not_found: int = 0

    @property
    def ids(self) -> list[str]:
        return [r["id"] for r in self.changed + self.unchanged] + [r["id"] for r, _ in self.refused]


def parse_change(kind: str, code: str) -> Change:
    """``"sensitivity:restricted"``, ``"type:execution"`` or ``"assign:maryam"`` → :class:`Change`."""
    action, _, value = (code or "").partition(":")
    action, value = action.strip(), value.strip()
    if action not in ACTIONS:
        raise InputError(f"unknown change {action!r} (use one of {', '.join(ACTIONS)})", field="change")
    if not value:
        raise InputError("choose the new value", field="change")
    if action == "type" and kind not in readmodel.TYPE_FIELD:
        raise InputError(f"a {kind} has no type", field="change")
    return Change(action, value)


def _clean_ids(ids) -> list[str]:
    out: list[str] = []
    for raw in ids or ():
        i = str(raw).strip()
        if i and i not in out:
            out.append(i)
    if not out:
        raise InputError("select at least one record", field="ids")
    if len(out) > MAX_RECORDS:
        raise InputError(f"at most {MAX_RECORDS} records at once", field="ids")
    return out


def _check_value(s: Session, kind: str, change: Change, principal: Principal) -> None:
    if change.action == "sensitivity":
        if change.value not in SENSITIVITY_VALUES:
            raise InputError(f"sensitivity must be one of {', '.join(SENSITIVITY_VALUES)}", field="change")
        if change.value not in allowed_sensitivities(principal):
            raise InputError(f"{principal.name} may not set records {change.value}: they could no longer see them",
                             field="change")
    elif change.action == "type":
        from dadkhah.model.vocab import UnknownTerm, check_term

        try:
            check_term(readmodel.TYPE_FIELD[kind][1], change.value, s)
        except UnknownTerm as exc:
            raise InputError(str(exc), field="change") from None
    elif change.action == "assign":
        from dadkhah.web import workflow

        if change.value not in {u.name for u in workflow.assignable_users(s, "record")}:
            raise InputError(f"no active user named {change.value!r}", field="change")


def _current(s: Session, e, change: Change) -> str | None:
    if change.action == "sensitivity":
        return e.sensitivity
    if change.action == "type":
        return getattr(e, readmodel.TYPE_FIELD[e.kind][0])
    from sqlalchemy import select

    from dadkhah.web.tables import WorkItem

    open_ = s.scalar(select(WorkItem.id).where(WorkItem.kind == "record", WorkItem.target == e.id,
                                               WorkItem.assignee == change.value, WorkItem.status != "done"))
    return change.value if open_ is not None else None


def _records(s: Session, kind: str, ids: list[str], principal: Principal):
    from dadkhah.model import KIND_CLASSES

    cls = KIND_CLASSES[kind]
    from sqlalchemy import select

    from dadkhah.access import visible

    found = {e.id: e for e in s.scalars(visible(select(cls), cls, principal).where(cls.id.in_(ids)))}
    return [found[i] for i in ids if i in found], sum(1 for i in ids if i not in found)


def _ref(e, current) -> dict:
    return {"id": e.id, "kind": e.kind, "label": e.label, "sensitivity": e.sensitivity, "current": current}


def plan(s: Session, principal: Principal, *, kind: str, ids, change: str) -> BulkOutcome:
    """What applying ``change`` to the records ``ids`` of ``kind`` would do (nothing is written)."""
    if not principal.may("edit"):
        raise Forbidden(f"{principal.name} ({principal.role}) may not edit records")
    if kind not in readmodel.PAGE_KINDS:
        raise InputError(f"no list of {kind!r}", field="kind")
    parsed = parse_change(kind, change)
    wanted = _clean_ids(ids)
    _check_value(s, kind, parsed, principal)
    records, missing = _records(s, kind, wanted, principal)
    out = BulkOutcome(kind=kind, change=parsed, not_found=missing)
    for e in records:
        current = _current(s, e, parsed)
        (out.unchanged if current == parsed.value else out.changed).append(_ref(e, current))
    return out


def apply(s: Session, principal: Principal, *, kind: str, ids, change: str) -> BulkOutcome:
    """Apply ``change`` to the records ``ids`` of ``kind``: one savepoint per record; a record that cannot
    take the change (say, no name safe to show at a lower sensitivity) is refused with its reason and left as
    it was. Returns what changed, what already had the value, and what was refused."""
    from dadkhah.web import workflow
    from dadkhah.web.editing import update_entity

    preview = plan(s, principal, kind=kind, ids=ids, change=change)
    parsed = preview.change
    out = BulkOutcome(kind=kind, change=parsed, unchanged=preview.unchanged, not_found=preview.not_found)
    records, _ = _records(s, kind, [r["id"] for r in preview.changed], principal)
    for e in records:
        ref = _ref(e, _current(s, e, parsed))
        try:
            with s.begin_nested():
                if parsed.action == "sensitivity":
                    update_entity(s, e, {"sensitivity": parsed.value})
                elif parsed.action == "type":
                    update_entity(s, e, {readmodel.TYPE_FIELD[kind][0]: parsed.value})
                else:
                    workflow.assign(s, principal, kind="record", target=e.id, assignee=parsed.value,
                                    note=None)
                s.flush()
        except InputError as exc:
            s.expire(e)
            out.refused.append((ref, _reason(exc)))
            continue
        out.changed.append(dict(ref, label=e.label, sensitivity=e.sensitivity))
    return out


def _reason(exc: InputError) -> str:
    """A refusal's reason as a code the pages translate."""
    if exc.field == "sensitivity":
        return "no_safe_name"
    if exc.field == "assignee":
        return "assignee_cannot_see"
    return "invalid"
