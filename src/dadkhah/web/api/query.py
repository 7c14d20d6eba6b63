"""The query builder and search by an area, for programs: the same services as the ``/query`` and ``/map``
pages (:mod:`dadkhah.web.query`, :mod:`dadkhah.web.area`), read with the caller's principal.

A query can be sent two ways: ``GET /api/query`` with the very parameters of a shared ``/query`` address
(``kind``, ``c0f``, ``c0o``, ``c0v``, ``c0w`` …), so a link copied from the page works with ``/api`` put in
front; or ``POST /api/query`` with the conditions as JSON. A bad field, operator or value is refused with
422, naming the condition, the field and the problem (``key``, the message key the pages translate).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import Field

from dadkhah.web import area as area_service
from dadkhah.web import query as qb
from dadkhah.web.api.schemas import Strict, Text
from dadkhah.web.context import Ctx, get_ctx

router = APIRouter(tags=["query"])

Offset = Annotated[int, Query(ge=0, le=1_000_000)]
Limit = Annotated[int, Query(ge=1, le=500)]


class ConditionIn(Strict):
    field: Text(40, 1)
    op: Text(20) = Field("", description="Left out: the field's first operator (contains, any, between)")
    values: list[Text(500)] = Field(min_length=1, max_length=qb.MAX_VALUES,
                                    description="'any of' these; for 'between', the two dates")


class QueryIn(Strict):
    kind: Literal["person", "event"] = "person"
    conditions: list[ConditionIn] = Field(min_length=1, max_length=qb.MAX_CONDITIONS)
    offset: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    limit: Annotated[int, Field(ge=1, le=500)] = 50


def _refused(exc: qb.QueryError | area_service.AreaError) -> JSONResponse:
    values = {k: v for k, v in exc.values.items() if isinstance(v, (str, int, float))}
    return JSONResponse({"detail": exc.describe(), "field": exc.field, "key": exc.key, "values": values},
                        status_code=422)


def _answer(ctx: Ctx, offset: int, limit: int, parse):
    try:
        with ctx.read() as s:
            parsed = parse(s)
            result = (qb.run(s, parsed, ctx.principal, lang=ctx.lang, offset=offset, limit=limit)
                      if parsed.conditions else {"total": 0, "items": []})
    except qb.QueryError as exc:
        return _refused(exc)
    return qb.answer(parsed, result) | {"offset": offset, "limit": limit}


@router.get("/query", summary="Records meeting every condition (the /query page's parameters: kind, c0f, c0o, "
                              "c0v, c0w …)")
def query_get(ctx: Ctx = Depends(get_ctx), kind: Annotated[str, Query(max_length=40)] = "person",
              offset: Offset = 0, limit: Limit = 50):
    params = ctx.request.query_params
    return _answer(ctx, offset, limit, lambda s: qb.parse(s, kind, params, ctx.principal))


@router.post("/query", summary="Records meeting every condition, the conditions as JSON (a value may hold commas)")
def query_post(body: QueryIn, ctx: Ctx = Depends(get_ctx)):
    rows = [(c.field, c.op, list(c.values)) for c in body.conditions]
    return _answer(ctx, body.offset, body.limit, lambda s: qb.check(s, body.kind, rows, ctx.principal))


@router.get("/area", summary="Places inside an area (corners 'lat,lng;lat,lng;…'), their events and the "
                             "victims of those events")
def area(ctx: Ctx = Depends(get_ctx), area: Annotated[str, Query(max_length=20000)] = ""):
    try:
        polygon = area_service.parse_area(area)
    except area_service.AreaError as exc:
        return _refused(exc)
    with ctx.read() as s:
        found = area_service.in_area(s, polygon, ctx.principal)
    return {"area": [[lat, lng] for lng, lat in polygon], **found}
