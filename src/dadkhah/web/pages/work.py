"""Work: "my queue" for everyone logged in; for editors, everyone's assignments and the form to assign a
linkage pair, a record or a document to someone."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import RedirectResponse

from dadkhah.errors import InputError
from dadkhah.web import workflow
from dadkhah.web.context import Ctx, get_ctx
from dadkhah.web.pages.forms import form_data, text
from dadkhah.web.render import page
from dadkhah.web.tables import WORK_KINDS, WORK_STATUSES

router = APIRouter()


def _work_page(ctx: Ctx, *, assignee: str = "", status: str = "", error: str | None = None, code: int = 200,
               values: dict | None = None):
    with ctx.read() as s:
        mine = workflow.describe(ctx.case, s, workflow.items(s, ctx.principal, assignee=ctx.principal.name),
                                 ctx.principal)
        everyone = (workflow.describe(ctx.case, s, workflow.items(s, ctx.principal, assignee=assignee or None,
                                                                  status=status or None), ctx.principal)
                    if ctx.may("edit") else [])
        users = {k: [u.name for u in workflow.assignable_users(s, k)] for k in WORK_KINDS} if ctx.may("edit") else {}
    return page(ctx, "work.html", status_code=code, mine=mine, everyone=everyone, users=users, kinds=WORK_KINDS,
                statuses=WORK_STATUSES, filters={"assignee": assignee, "status": status}, error=error,
                values=values or {})


@router.get("/work")
def work_page(ctx: Ctx = Depends(get_ctx), assignee: str = "", status: str = ""):
    ctx.require_login()
    return _work_page(ctx, assignee=assignee[:100], status=status[:20])


@router.post("/work/assign")
def work_assign(ctx: Ctx = Depends(get_ctx), data: dict = Depends(form_data)):
    ctx.require("edit")
    values = {k: text(data, k, "") or "" for k in ("kind", "target", "assignee", "note", "back")}
    try:
        with ctx.write() as s:
            workflow.assign(s, ctx.principal, kind=values["kind"], target=values["target"],
                            assignee=values["assignee"], note=values["note"] or None)
    except InputError as exc:
        return _work_page(ctx, error=exc.field or "_form", code=422, values=values)
    back = values["back"] if values["back"].startswith("/") and not values["back"].startswith("//") else "/work"
    return RedirectResponse(back, status_code=303)


@router.post("/work/{item_id}/status")
def work_status(item_id: int, ctx: Ctx = Depends(get_ctx), data: dict = Depends(form_data)):
    ctx.require_login()
    with ctx.case.session(actor=ctx.principal.name, principal=ctx.principal) as s:
        workflow.set_status(s, ctx.principal, item_id, text(data, "status", "") or "")
    return RedirectResponse("/work", status_code=303)
