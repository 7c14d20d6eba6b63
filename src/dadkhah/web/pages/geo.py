"""The map of prisons and grave sites, and the timeline of events."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from dadkhah.web import geo
from dadkhah.web.context import Ctx, get_ctx
from dadkhah.web.render import page

router = APIRouter()


@router.get("/map")
def map_page(ctx: Ctx = Depends(get_ctx), focus: str = "", all: int = 0):
    settings = ctx.request.app.state.settings
    with ctx.read() as s:
        features = geo.map_features(s, ctx.principal, lang=ctx.lang, all_places=bool(all))
    config = {"tiles": settings.tiles, "attribution": settings.tiles_attribution, "focus": focus or None,
              "outline": "/static/geo/iran-provinces.geojson", "lang": ctx.lang,
              "labels": {"events": ctx.t("map.events"), "open": ctx.t("map.open"),
                         "offline": ctx.t("map.offline_note")}}
    return page(ctx, "map.html", features=features, config=config, show_all=bool(all))


@router.get("/timeline")
def timeline_page(ctx: Ctx = Depends(get_ctx), type: str = ""):
    from dadkhah.web.pages.entities import _vocab_options

    with ctx.read() as s:
        data = geo.timeline(s, ctx.principal, calendar=ctx.calendar, event_type=type or None)
        types = _vocab_options(ctx, "event_type", s)
    return page(ctx, "timeline.html", data=data, types=types, event_type=type)
