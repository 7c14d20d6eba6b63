"""Map, timeline and chain-of-command data."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from dadkhah.errors import NotFound
from dadkhah.web import casework_view, geo
from dadkhah.web.context import Ctx, get_ctx

router = APIRouter(tags=["map, timeline, graph"])


@router.get("/map", summary="Prisons and grave sites (or all places) with coordinates, as GeoJSON")
def map_(ctx: Ctx = Depends(get_ctx), all: bool = False) -> dict:
    with ctx.read() as s:
        return geo.map_features(s, ctx.principal, lang=ctx.lang, all_places=all)


@router.get("/timeline", summary="Events in date order, grouped by year of the chosen calendar")
def timeline(ctx: Ctx = Depends(get_ctx), calendar: Literal["jalali", "gregorian"] = "gregorian",
             type: Annotated[str, Query(max_length=40)] = "") -> dict:
    with ctx.read() as s:
        return geo.timeline(s, ctx.principal, calendar=calendar, event_type=type or None)


@router.get("/graph", summary="The chain of command around a person or organisation (nodes, edges, SVG)")
def graph(ctx: Ctx = Depends(get_ctx), root: Annotated[str, Query(max_length=200)] = "",
          period: Annotated[str, Query(max_length=200)] = "", radius: Annotated[int, Query(ge=1, le=6)] = 2) -> dict:
    if not casework_view.available():
        raise NotFound("the chain-of-command graph is not available in this installation")
    with ctx.read() as s:
        return casework_view.command_graph(s, ctx.principal, root=root or None, period=period or None, radius=radius,
                                           title="Chain of command")
