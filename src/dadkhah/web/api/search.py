"""Search: names across scripts and spellings, full text, facets."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from dadkhah.web.context import Ctx, get_ctx
from dadkhah.web.searching import faceted_search

router = APIRouter(tags=["search"])


@router.get("/search", summary="Search names (any script or spelling) and text, with facets")
def search_(ctx: Ctx = Depends(get_ctx), q: Annotated[str, Query(max_length=300)] = "",
            kind: Annotated[str, Query(max_length=40)] = "", role: Annotated[str, Query(max_length=80)] = "",
            place: Annotated[str, Query(max_length=200)] = "", period: Annotated[str, Query(max_length=20)] = "",
            organization: Annotated[str, Query(max_length=200)] = "",
            limit: Annotated[int, Query(ge=1, le=200)] = 50) -> dict:
    if not q.strip():
        return {"q": q, "total": 0, "hits": [], "kinds": {}, "facets": {}, "selected": {}}
    with ctx.read() as s:
        result = faceted_search(s, q, ctx.principal, kind=kind or None, limit=limit,
                                selected={"role": role, "place": place, "period": period,
                                          "organization": organization})
    return result.to_dict()
