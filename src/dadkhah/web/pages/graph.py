"""The chain-of-command graph (drawn by :mod:`dadkhah.casework` as SVG, from what the reader may see)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from dadkhah.web import casework_view
from dadkhah.web.context import Ctx, get_ctx
from dadkhah.web.render import page

router = APIRouter()
LEGEND_RELATIONS = ("commands", "parent_of", "ordered", "carried_out", "part_of")


@router.get("/graph")
def graph_page(ctx: Ctx = Depends(get_ctx), root: str = "", period: str = "", radius: int = 2):
    if not casework_view.available():
        return page(ctx, "graph.html", available=False, svg=None, nodes=[], root=root, period=period, radius=radius,
                    error=None)
    radius = min(max(radius, 1), 6)
    with ctx.read() as s:
        result = casework_view.command_graph(s, ctx.principal, root=root or None, period=period or None,
                                             radius=radius, title=ctx.t("graph.title"), lang=ctx.lang,
                                             legend={rel: ctx.t(f"graph.rel.{rel}") for rel in LEGEND_RELATIONS})
    return page(ctx, "graph.html", available=True, root=root, period=period, radius=radius, **result)
