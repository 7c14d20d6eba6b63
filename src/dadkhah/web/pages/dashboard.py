"""The dashboard: what the case holds (as far as the reader may see), contested and recent claims."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from dadkhah.web import readmodel
from dadkhah.web.context import Ctx, get_ctx
from dadkhah.web.render import page

router = APIRouter()


@router.get("/")
def dashboard(ctx: Ctx = Depends(get_ctx)):
    with ctx.read() as s:
        data = readmodel.dashboard(s, ctx.principal)
    return page(ctx, "dashboard.html", **data)
