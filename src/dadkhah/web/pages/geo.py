"""The map of prisons and grave sites, and the timeline of events."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from dadkhah.web import geo
from dadkhah.web.context import Ctx, get_ctx
from dadkhah.web.render import page

router = APIRouter()


@router.get("/map")
def map_page(ctx: Ctx = Depends(get_ctx), focus: str = "", all: int = 0, area: str = ""):
    """The map; with ``area`` (corners ``lat,lng;…`` of a drawn rectangle or polygon), what lies inside it."""
    from dadkhah.web.area import AreaError, in_area, parse_area

    settings = ctx.request.app.state.settings
    found, polygon, error, status = None, None, None, 200
    if area.strip():
        try:
            polygon = parse_area(area[:20000])
        except AreaError as exc:
            error, status = ctx.t(exc.key, **exc.values), 400
    with ctx.read() as s:
        features = geo.map_features(s, ctx.principal, lang=ctx.lang, all_places=bool(all))
        if polygon:
            found = in_area(s, polygon, ctx.principal)
    config = {"tiles": settings.tiles, "attribution": settings.tiles_attribution, "focus": focus or None,
              "outline": "/static/geo/iran-provinces.geojson", "lang": ctx.lang,
              "area": [[lat, lng] for lng, lat in polygon] if polygon else None, "all": bool(all),
              "labels": {"events": ctx.t("map.events"), "open": ctx.t("map.open"),
                         "offline": ctx.t("map.offline_note"), "zoom_in": ctx.t("map.zoom_in"),
                         "zoom_out": ctx.t("map.zoom_out")}}
    return page(ctx, "map.html", status_code=status, features=features, config=config, show_all=bool(all),
                found=found, area_error=error)


@router.get("/timeline")
def timeline_page(ctx: Ctx = Depends(get_ctx), type: str = ""):
    from dadkhah.web.pages.entities import _vocab_options

    with ctx.read() as s:
        data = geo.timeline(s, ctx.principal, calendar=ctx.calendar, event_type=type or None)
        types = _vocab_options(ctx, "event_type", s)
    return page(ctx, "timeline.html", data=data, types=types, event_type=type)
