"""Bulk changes for programs: one change (a sensitivity, a type, an assignee) to many records, as the list
pages' "change the ticked records" does (:mod:`dadkhah.web.bulk`). Without ``apply`` the answer says what the
change would do and nothing is written; with it, each record is changed in its own savepoint, and one that
cannot take the change is refused with its reason and left as it was."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import Field

from dadkhah.web import bulk, readmodel
from dadkhah.web.api.schemas import Id, Strict, Text
from dadkhah.web.context import Ctx, get_ctx
from dadkhah.web.render import PLURAL

router = APIRouter(tags=["records"])


class BulkIn(Strict):
    ids: list[Id] = Field(min_length=1, max_length=bulk.MAX_RECORDS)
    change: Text(200, 3) = Field(description="'sensitivity:restricted', 'type:<vocabulary code>' or "
                                             "'assign:<user name>'")
    apply: bool = Field(False, description="false: say what would change and write nothing; true: change")


def _outcome(outcome: bulk.BulkOutcome, applied: bool) -> dict:
    return {"kind": outcome.kind, "change": outcome.change.code, "applied": applied, "changed": outcome.changed,
            "unchanged": outcome.unchanged, "not_found": outcome.not_found,
            "refused": [{"record": ref, "reason": reason} for ref, reason in outcome.refused]}


def _register(kind: str) -> None:
    @router.post(f"/{PLURAL[kind]}/bulk", summary=f"One change to many {PLURAL[kind]} (a preview unless "
                                                   f"'apply' is true; needs the edit right)", name=f"bulk_{kind}")
    def bulk_change(body: BulkIn, ctx: Ctx = Depends(get_ctx)) -> dict:
        ctx.require("edit")
        if body.apply:
            with ctx.write() as s:
                return _outcome(bulk.apply(s, ctx.principal, kind=kind, ids=body.ids, change=body.change), True)
        with ctx.read() as s:
            return _outcome(bulk.plan(s, ctx.principal, kind=kind, ids=body.ids, change=body.change), False)


for _kind in readmodel.PAGE_KINDS:
    _register(_kind)
