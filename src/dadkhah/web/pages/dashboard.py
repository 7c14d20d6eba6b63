"""The dashboard: what the case holds (as far as the reader may see), contested and recent claims.

The figures are the same for every reader of one level, so they are kept for a few seconds per level
(a busy team's dashboard then costs one computation every few seconds, not one per visit)."""

from __future__ import annotations

import time

from fastapi import APIRouter, Depends

from dadkhah.access import allowed_sensitivities, may_read_identities
from dadkhah.web import readmodel
from dadkhah.web.context import Ctx, get_ctx
from dadkhah.web.render import page

router = APIRouter()
FRESH_SECONDS = 3.0


def dashboard_data(ctx: Ctx) -> dict:
    cache = ctx.request.app.state.dashboard_cache
    # what the reader may see: the levels, and whether protected witnesses' names are theirs to read
    key = (allowed_sensitivities(ctx.principal), may_read_identities(ctx.principal))
    now = time.monotonic()
    hit = cache.get(key)
    if hit and now - hit[0] < FRESH_SECONDS:
        return hit[1]
    with ctx.read() as s:
        data = readmodel.dashboard(s, ctx.principal)
    cache[key] = (now, data)
    return data


@router.get("/")
def dashboard(ctx: Ctx = Depends(get_ctx)):
    return page(ctx, "dashboard.html", **dashboard_data(ctx))
