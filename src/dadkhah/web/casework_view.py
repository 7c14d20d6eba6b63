"""The web's adapter to :mod:`dadkhah.casework`: the chain-of-command graph for a principal, as SVG."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dadkhah.access import Principal
from dadkhah.errors import InputError
from dadkhah.web.peers import available as _available

MAX_NODES = 80


def available() -> bool:
    return (_available("dadkhah.casework.chain", "build_command_graph", "focus_subgraph")
            and _available("dadkhah.casework.svg", "render_readable_svg"))


def command_graph(s: Session, principal: Principal, *, root: str | None, period: str | None, radius: int,
                  title: str, lang: str = "en", legend: dict[str, str] | None = None) -> dict:
    """``{"svg", "nodes", "error", "data"}``: the drawing around ``root`` (or the whole graph when small)."""
    from dadkhah.casework.chain import build_command_graph, focus_subgraph
    from dadkhah.casework.svg import render_readable_svg

    try:
        cg = build_command_graph(s, period, principal=principal)
    except InputError as exc:
        return {"svg": None, "nodes": [], "error": exc.message, "data": None}
    nodes = sorted(({"id": n, "label": d.get("label", n), "kind": d.get("kind")}
                    for n, d in cg.graph.nodes(data=True) if d.get("kind") in ("person", "organization")),
                   key=lambda n: (n["kind"], n["label"]))
    g = cg.graph
    if root:
        if root not in g:
            return {"svg": None, "nodes": nodes, "error": "not_in_graph", "data": None}
        g = focus_subgraph(cg, root, radius=radius)
    if g.number_of_nodes() == 0:
        return {"svg": None, "nodes": nodes, "error": "empty", "data": None}
    if g.number_of_nodes() > MAX_NODES:
        return {"svg": None, "nodes": nodes, "error": "too_big", "data": None}
    svg = render_readable_svg(g, focus=root, title=title, lang=lang, legend=legend, max_nodes=MAX_NODES)
    data = {"nodes": [{"id": n, **d} for n, d in g.nodes(data=True)],
            "edges": [{"from": u, "to": v, **d} for u, v, d in g.edges(data=True)]}
    return {"svg": svg, "nodes": nodes, "error": None, "data": data}
