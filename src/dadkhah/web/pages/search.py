"""The search page: one box for names (any script, any spelling) and full text, with facets."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from dadkhah.web.context import Ctx, get_ctx
from dadkhah.web.render import page
from dadkhah.web.searching import FACETS, faceted_search

router = APIRouter()


@router.get("/search")
def search_page(ctx: Ctx = Depends(get_ctx), q: str = "", kind: str = "", role: str = "", place: str = "",
                period: str = "", organization: str = ""):
    q = q.replace("\x00", "")[:300]
    result = None
    if q.strip():
        with ctx.read() as s:
            result = faceted_search(s, q, ctx.principal, kind=kind or None,
                                    selected={"role": role, "place": place, "period": period,
                                              "organization": organization})
    params = {"q": q, "kind": kind, "role": role, "place": place, "period": period, "organization": organization}
    return page(ctx, "search.html", q=q, result=result.to_dict() if result else None, kind=kind, params=params,
                facet_keys=FACETS)
