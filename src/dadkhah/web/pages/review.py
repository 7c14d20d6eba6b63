"""The linkage review queue: candidate pairs of list records side by side, with a decision."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import RedirectResponse

from dadkhah.web import linkview
from dadkhah.web.context import Ctx, get_ctx
from dadkhah.web.pages.forms import form_data, text
from dadkhah.web.render import page

router = APIRouter()


@router.get("/review")
def review_queue(ctx: Ctx = Depends(get_ctx)):
    ctx.require("review")
    if not linkview.review_available():
        return page(ctx, "review.html", available=False, pairs=[], problem=None)
    pairs, problem = linkview.queue(ctx.case, ctx.principal)
    return page(ctx, "review.html", available=True, pairs=pairs, problem=problem)


@router.get("/review/{pair_id}")
def review_pair(pair_id: int, ctx: Ctx = Depends(get_ctx)):
    ctx.require("review")
    d = linkview.detail(ctx.case, pair_id, ctx.principal)
    from dadkhah.web import workflow

    with ctx.read() as s:
        reviewers = [u.name for u in workflow.assignable_users(s, "review_pair")] if ctx.may("edit") else []
        work = [w for w in workflow.items(s, ctx.principal) if w["kind"] == "review_pair"
                and w["target"] == str(pair_id)]
    return page(ctx, "review_pair.html", d=d, reviewers=reviewers, work=work)


@router.post("/review/{pair_id}")
def review_decide(pair_id: int, ctx: Ctx = Depends(get_ctx), data: dict = Depends(form_data)):
    ctx.require("review")
    linkview.decide(ctx.case, pair_id, text(data, "decision", "") or "", ctx.principal, text(data, "note"))
    from dadkhah.web import workflow

    with ctx.case.session(actor=ctx.principal.name, principal=ctx.principal) as s:
        workflow.finish(s, "review_pair", str(pair_id), ctx.principal.name)  # the pair was their work: done
    pairs, _ = linkview.queue(ctx.case, ctx.principal, n=1)
    return RedirectResponse(f"/review/{pairs[0]['pair']}" if pairs else "/review?done=1", status_code=303)
