"""The linkage review queue: candidate pairs of list records side by side, with a decision."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from dadkhah.web.context import Ctx, get_ctx
from dadkhah.web.render import page

router = APIRouter()


@router.get("/review")
def review_queue(ctx: Ctx = Depends(get_ctx)):
    ctx.require("review")
    return page(ctx, "review.html", available=False, pairs=[])
