"""Draw a chain-of-command graph as a self-contained SVG (for dossiers, PDFs and the web app).

A layered drawing, superiors on top: each node's layer is the longest chain of command above it
(cycles, which contradictory sources can create, are drawn in one layer); nodes within a layer are
ordered by the mean position of their neighbours (a few barycentre sweeps). Persian names are
written as right-to-left text runs; the browser or WeasyPrint shapes them.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

import networkx as nx

NODE_W, NODE_H = 200, 46
H_GAP, V_GAP = 18, 46
MARGIN = 12
FONT = "Vazirmatn, Nazli, 'DejaVu Sans', sans-serif"

EDGE_STYLE = {
    "commands": ("#1f3b57", ""),
    "superior": ("#1f3b57", ""),
    "parent_of": ("#7a8794", "4 3"),
    "ordered": ("#a32020", "6 3"),
    "carried_out": ("#c46a12", ""),
    "part_of": ("#7a8794", "2 3"),
}
NODE_FILL = {"person": "#ffffff", "organization": "#e8eef4", "event": "#fbf1e6"}
LEGEND = [("commands", "holds command / above in rank"), ("parent_of", "parent body"),
          ("ordered", "ordered"), ("carried_out", "carried out")]


def _truncate(text: str | None, n: int = 32) -> str:
    text = (text or "").strip()
    return text if len(text) <= n else text[: n - 1] + "…"


def layered_layout(g: nx.MultiDiGraph) -> dict[str, tuple[float, float]]:
    """Top-left corner of each node's box."""
    simple = nx.DiGraph()
    simple.add_nodes_from(g.nodes)
    simple.add_edges_from((u, v) for u, v in g.edges() if u != v)
    cond = nx.condensation(simple)
    member_of = cond.graph["mapping"]
    level: dict[int, int] = {}
    for c in nx.topological_sort(cond):
        preds = list(cond.predecessors(c))
        level[c] = 1 + max(level[p] for p in preds) if preds else 0
    layers: dict[int, list[str]] = {}
    for node in g.nodes:
        layers.setdefault(level[member_of[node]], []).append(node)
    for nodes in layers.values():
        nodes.sort(key=lambda n: (g.nodes[n].get("kind", ""), str(g.nodes[n].get("label", n))))
    order = {n: i for nodes in layers.values() for i, n in enumerate(nodes)}
    depth = sorted(layers)
    for _ in range(3):  # barycentre sweeps, down then up
        for sweep in (depth[1:], list(reversed(depth[:-1]))):
            for lv in sweep:
                def bary(n, lv=lv):
                    nbrs = [m for m in (*simple.predecessors(n), *simple.successors(n))
                            if level[member_of[m]] != lv]
                    return sum(order[m] for m in nbrs) / len(nbrs) if nbrs else order[n]
                layers[lv].sort(key=bary)
                for i, n in enumerate(layers[lv]):
                    order[n] = i
    width = max((len(v) for v in layers.values()), default=1)
    pos = {}
    for lv, nodes in layers.items():
        offset = (width - len(nodes)) * (NODE_W + H_GAP) / 2
        for i, n in enumerate(nodes):
            pos[n] = (MARGIN + offset + i * (NODE_W + H_GAP), MARGIN + lv * (NODE_H + V_GAP))
    return pos


def wrap(text: str | None, width: int = 26) -> list[str]:
    """A label broken into lines of about ``width`` characters at spaces (never cut short)."""
    words, lines, line = (text or "").split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}" if line else w
    if line:
        lines.append(line)
    return lines or [""]


LINE_H = 16
CHAR_W = 7.0  # an average glyph at 12px, Latin or Persian


def box_size(lines: list[tuple[str, bool]]) -> tuple[float, float]:
    width = max(len(t) for t, _ in lines) * CHAR_W + 24
    return max(140.0, min(300.0, width)), 14.0 + LINE_H * len(lines)


def dot_layout(g: nx.MultiDiGraph, sizes: dict[str, tuple[float, float]]):
    """Graphviz ``dot``'s layered layout, superiors on top, with boxes of the given sizes: ``(pos, edges, width,
    height)`` — each node's top-left corner, each edge's spline control points — or None when ``dot`` is not
    installed (apt install graphviz) or fails."""
    import shutil
    import subprocess

    exe = shutil.which("dot")
    if not exe or g.number_of_nodes() == 0:
        return None
    names = {n: f"n{i}" for i, n in enumerate(g.nodes)}
    back = {v: k for k, v in names.items()}
    lines = ["digraph G {", "graph [rankdir=TB, nodesep=0.25, ranksep=0.55, splines=spline];",
             "node [shape=box, fixedsize=true, label=\"\"];"]
    for n, name in names.items():
        w, h = sizes[n]
        lines.append(f"{name} [width={w / 72:.3f}, height={h / 72:.3f}];")
    seen = set()
    for u, v, data in g.edges(data=True):
        key = (u, v, data.get("relation", "commands"))
        if u == v or key in seen:
            continue
        seen.add(key)
        lines.append(f"{names[u]} -> {names[v]};")
    lines.append("}")
    try:
        out = subprocess.run([exe, "-Tplain"], input="\n".join(lines), capture_output=True, text=True, timeout=30,
                             check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    pos, edges, height, width = {}, {}, 0.0, 0.0
    for row in out.splitlines():
        parts = row.split()
        if not parts:
            continue
        if parts[0] == "graph":
            width, height = float(parts[2]) * 72, float(parts[3]) * 72
        elif parts[0] == "node":
            n = back[parts[1]]
            x, y, w, h = (float(v) * 72 for v in parts[2:6])
            pos[n] = (MARGIN + x - w / 2, MARGIN + height - y - h / 2)
        elif parts[0] == "edge":
            u, v, k = back[parts[1]], back[parts[2]], int(parts[3])
            pts = [(MARGIN + float(parts[4 + 2 * i]) * 72, MARGIN + height - float(parts[5 + 2 * i]) * 72)
                   for i in range(k)]
            edges.setdefault((u, v), pts)
    if len(pos) != g.number_of_nodes():
        return None
    return pos, edges, width + 2 * MARGIN, height + 2 * MARGIN


def _size(pos: dict, legend: bool) -> tuple[float, float]:
    width = max((x for x, _ in pos.values()), default=0) + NODE_W + MARGIN
    height = max((y for _, y in pos.values()), default=0) + NODE_H + MARGIN
    if legend:
        height += 24
    return max(width, 520 if legend else 0), height


def _check_size(g: nx.MultiDiGraph, max_nodes: int) -> None:
    if g.number_of_nodes() > max_nodes:
        raise ValueError(f"{g.number_of_nodes()} nodes are too many to draw legibly (at most {max_nodes}); "
                         "draw the part around one person (focus_subgraph) instead")


def _node_lines(n: str, data: dict) -> list[tuple[str, bool]]:
    latin = data.get("latin") or (data.get("label") if not data.get("persian") else None)
    lines = [(t, is_fa) for t, is_fa in ((latin, False), (data.get("persian"), True)) if t]
    return lines or [(n, False)]



def _markers(size: int) -> list[str]:
    """One arrowhead marker per kind of relation, in its colour."""
    return [f'<marker id="arrow-{rel}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="{size}" '
            f'markerHeight="{size}" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/>'
            "</marker>" for rel, (colour, _) in EDGE_STYLE.items()]


def _distinct_edges(g):
    """Each (from, to, relation) once, without self-loops."""
    seen = set()
    for u, v, data in g.edges(data=True):
        rel = data.get("relation", "commands")
        if (u, v, rel) in seen or u == v:
            continue
        seen.add((u, v, rel))
        yield u, v, rel

def render_svg(g: nx.MultiDiGraph, *, focus: str | None = None, title: str = "Chain of command",
               legend: bool = True, max_nodes: int = 80, labels: bool = True, scale: float = 1.0) -> str:
    """An SVG document drawing ``g`` (node attributes ``kind``, ``label``, ``persian``; edge ``relation``).

    With ``labels=False`` the boxes are drawn empty, for :func:`render_html` to label them with HTML
    text (WeasyPrint draws SVG text letter by letter, which breaks Persian shaping and order).
    """
    _check_size(g, max_nodes)
    pos = layered_layout(g) if g.number_of_nodes() else {}
    width, height = _size(pos, legend)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chain-of-command" role="img" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width * scale:.0f}" height="{height * scale:.0f}" '
        f'font-family={quoteattr(FONT)} font-size="11">',
        f"<title>{escape(title)}</title>",
        "<defs>",
    ]
    out.extend(_markers(7))
    out.append("</defs>")
    for u, v, rel in _distinct_edges(g):
        colour, dash = EDGE_STYLE.get(rel, ("#555555", ""))
        x1, y1 = pos[u][0] + NODE_W / 2, pos[u][1] + NODE_H
        x2, y2 = pos[v][0] + NODE_W / 2, pos[v][1]
        if y2 <= y1:  # same layer (a cycle) or upward: bend around
            y2 = pos[v][1] + NODE_H / 2
            x2 = pos[v][0] + (0 if x1 < pos[v][0] else NODE_W)
        mid = (y1 + y2) / 2 if y2 > y1 else y1 + V_GAP / 2
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<path class="edge edge-{rel}" d="M{x1:.1f},{y1:.1f} C{x1:.1f},{mid:.1f} {x2:.1f},{mid:.1f} '
                   f'{x2:.1f},{y2:.1f}" fill="none" stroke="{colour}" stroke-width="1.3"{dash_attr} '
                   f'marker-end="url(#arrow-{rel})"><title>{escape(rel.replace("_", " "))}</title></path>')
    for n, data in g.nodes(data=True):
        x, y = pos[n]
        kind = data.get("kind", "person")
        fill = NODE_FILL.get(kind, "#ffffff")
        stroke, sw = ("#a32020", 2.2) if n == focus else ("#1f3b57", 1)
        rx = 14 if kind == "event" else (2 if kind == "organization" else 6)
        out.append(f'<g class="node node-{kind}" data-id={quoteattr(n)}>')
        out.append(f"<title>{escape(data.get('label', n))}</title>")
        out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{NODE_W}" height="{NODE_H}" rx="{rx}" fill="{fill}" '
                   f'stroke="{stroke}" stroke-width="{sw}"/>')
        if labels:
            lines = _node_lines(n, data)
            cx = x + NODE_W / 2
            top = y + NODE_H / 2 - (len(lines) - 1) * 8 + 4
            for i, (text, is_fa) in enumerate(lines):
                attrs = ' direction="rtl" xml:lang="fa" unicode-bidi="embed"' if is_fa else ""
                weight = ' font-weight="bold"' if i == 0 else ""
                out.append(f'<text x="{cx:.1f}" y="{top + i * 16:.1f}" text-anchor="middle"{attrs}{weight}>'
                           f"{escape(_truncate(text))}</text>")
        out.append("</g>")
    if legend:
        lx, ly = MARGIN, height - 10
        for rel, text in LEGEND:
            colour, dash = EDGE_STYLE[rel]
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            out.append(f'<line x1="{lx}" y1="{ly - 4}" x2="{lx + 22}" y2="{ly - 4}" stroke="{colour}" '
                       f'stroke-width="1.3"{dash_attr}/>')
            if labels:
                out.append(f'<text x="{lx + 26}" y="{ly}" font-size="9" fill="#333">{escape(text)}</text>')
            lx += 30 + len(text) * 5.2
    out.append("</svg>")
    return "\n".join(out)


def _lines_for(n: str, data: dict, lang: str) -> list[tuple[str, bool]]:
    """A node's name in the reader's script first (bold), the other beneath, each wrapped, never cut."""
    named = _node_lines(n, data)
    if lang == "fa":
        named.sort(key=lambda line: not line[1])
    out = []
    for text, is_fa in named[:2]:
        out += [(piece, is_fa) for piece in wrap(text)]
    return out


def render_readable_svg(g: nx.MultiDiGraph, *, focus: str | None = None, title: str = "Chain of command",
                        lang: str = "en", legend: dict[str, str] | None = None, max_nodes: int = 80) -> str:
    """The drawing for reading on screen: laid out by Graphviz ``dot`` (the layered layout of this module when
    ``dot`` is missing), every name written in full on as many lines as it needs, in the reader's script
    first, 12-pixel text and a legend in the reader's words (``legend``: relation → text)."""
    _check_size(g, max_nodes)
    lines = {n: _lines_for(n, d, lang) for n, d in g.nodes(data=True)}
    sizes = {n: box_size(ls) for n, ls in lines.items()}
    laid = dot_layout(g, sizes)
    if laid is None:
        grid = layered_layout(g) if g.number_of_nodes() else {}
        tallest = max((h for _, h in sizes.values()), default=NODE_H)
        pos = {n: (x * 1.5, y * (tallest + V_GAP) / (NODE_H + V_GAP)) for n, (x, y) in grid.items()}
        sizes = {n: (NODE_W * 1.4, sizes[n][1]) for n in sizes}
        width = max((x + sizes[n][0] for n, (x, _) in pos.items()), default=0) + MARGIN
        height = max((y + sizes[n][1] for n, (_, y) in pos.items()), default=0) + MARGIN
        splines = {}
    else:
        pos, splines, width, height = laid
    legend = legend or dict(LEGEND)
    legend_h = 30 if legend else 0
    width = max(width, 560)
    # a group, not an image: its boxes are links (an image may not hold interactive parts)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chain-of-command" role="group" '
           f'aria-label={quoteattr(title)} viewBox="0 0 {width:.0f} {height + legend_h:.0f}" '
           f'width="{width:.0f}" height="{height + legend_h:.0f}" '
           f'font-family={quoteattr(FONT)} font-size="12" data-layout="{"dot" if laid else "layered"}">',
           f"<title>{escape(title)}</title>", "<defs>"]
    out.extend(_markers(8))
    out.append('</defs><g class="viewport">')
    for u, v, rel in _distinct_edges(g):
        colour, dash = EDGE_STYLE.get(rel, ("#555555", ""))
        pts = splines.get((u, v))
        if pts and len(pts) >= 4:
            d = f"M{pts[0][0]:.1f},{pts[0][1]:.1f} " + " ".join(
                f"C{pts[i][0]:.1f},{pts[i][1]:.1f} {pts[i + 1][0]:.1f},{pts[i + 1][1]:.1f} "
                f"{pts[i + 2][0]:.1f},{pts[i + 2][1]:.1f}" for i in range(1, len(pts) - 2, 3))
        else:
            (xu, yu), (wu, hu) = pos[u], sizes[u]
            (xv, yv), (wv, _) = pos[v], sizes[v]
            x1, y1, x2, y2 = xu + wu / 2, yu + hu, xv + wv / 2, yv
            mid = (y1 + y2) / 2
            d = f"M{x1:.1f},{y1:.1f} C{x1:.1f},{mid:.1f} {x2:.1f},{mid:.1f} {x2:.1f},{y2:.1f}"
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<path class="edge edge-{rel}" d="{d}" fill="none" stroke="{colour}" stroke-width="1.5"'
                   f'{dash_attr} marker-end="url(#arrow-{rel})"><title>{escape(legend.get(rel, rel))}</title></path>')
    for n, data in g.nodes(data=True):
        (x, y), (w, h) = pos[n], sizes[n]
        kind = data.get("kind", "person")
        stroke, sw = ("#a32020", 2.5) if n == focus else ("#1f3b57", 1)
        rx = 14 if kind == "event" else (2 if kind == "organization" else 6)
        out.append(f'<g class="node node-{kind}" data-id={quoteattr(n)}>')
        out.append(f"<title>{escape(' / '.join(t for t, _ in _node_lines(n, data)))}</title>")
        out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="{rx}" '
                   f'fill="{NODE_FILL.get(kind, "#ffffff")}" stroke="{stroke}" stroke-width="{sw}"/>')
        first_script = lines[n][0][1] if lines[n] else False
        for i, (text, is_fa) in enumerate(lines[n]):
            attrs = ' direction="rtl" xml:lang="fa" unicode-bidi="embed"' if is_fa else ' xml:lang="en"'
            weight = ' font-weight="bold"' if is_fa == first_script else ' fill="#3b4754"'
            out.append(f'<text x="{x + w / 2:.1f}" y="{y + 19 + i * LINE_H:.1f}" text-anchor="middle"{attrs}{weight}>'
                       f"{escape(text)}</text>")
        out.append("</g>")
    out.append("</g>")
    if legend:
        ly = height + legend_h - 10
        rtl = lang == "fa"
        x = width - MARGIN if rtl else MARGIN  # the legend starts where the reader starts reading
        for rel, text in legend.items():
            colour, dash = EDGE_STYLE.get(rel, ("#555555", ""))
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            x1, x2 = (x - 26, x) if rtl else (x, x + 26)
            tx = x - 32 if rtl else x + 32
            attrs = ' direction="rtl" xml:lang="fa" text-anchor="start"' if rtl else ""
            out.append(f'<g class="legend"><line x1="{x1:.0f}" y1="{ly - 4}" x2="{x2:.0f}" y2="{ly - 4}" '
                       f'stroke="{colour}" stroke-width="2"{dash_attr}/>'
                       f'<text x="{tx:.0f}" y="{ly}" font-size="12" fill="#222"{attrs}>{escape(text)}</text></g>')
            step = 48 + len(text) * 6.5
            x = x - step if rtl else x + step
    out.append("</svg>")
    return "\n".join(out)


def render_html(g: nx.MultiDiGraph, *, focus: str | None = None, title: str = "Chain of command",
                legend: bool = True, max_nodes: int = 80, max_width: float = 680) -> str:
    """The drawing as HTML for print: the SVG draws boxes and arrows, HTML text over it names the nodes.

    This is what PDFs use, because HTML text is shaped and ordered properly by WeasyPrint (Persian
    joins and runs right to left), where SVG text is not. Scaled down to ``max_width`` CSS pixels.
    """
    _check_size(g, max_nodes)
    pos = layered_layout(g) if g.number_of_nodes() else {}
    width, height = _size(pos, legend)  # with room for the legend
    scale = min(1.0, max_width / width) if width else 1.0
    font = 11 * scale
    out = [f'<div class="diagram" role="img" aria-label={quoteattr(title)} style="position: relative; '
           f'width: {width * scale:.1f}px; height: {height * scale:.1f}px;">',
           '<div style="position: absolute; left: 0; top: 0;">',
           render_svg(g, focus=focus, title=title, legend=False, max_nodes=max_nodes, labels=False, scale=scale),
           "</div>"]
    for n, data in g.nodes(data=True):
        x, y = pos[n]
        lines = _node_lines(n, data)
        out.append(f'<div class="diagram-node" style="position: absolute; left: {x * scale:.1f}px; '
                   f'top: {y * scale:.1f}px; width: {NODE_W * scale:.1f}px; height: {NODE_H * scale:.1f}px; '
                   f'font-size: {font:.2f}px; line-height: 1.35; text-align: center; overflow: hidden; '
                   f'padding-top: {(NODE_H * scale - len(lines) * font * 1.35) / 2:.1f}px; box-sizing: border-box;">')
        for i, (text, is_fa) in enumerate(lines):
            style = "font-weight: bold;" if i == 0 else ""
            attrs = ' dir="rtl" lang="fa" class="fa"' if is_fa else ""
            out.append(f'<div{attrs} style="{style} white-space: nowrap;">{escape(_truncate(text))}</div>')
        out.append("</div>")
    if legend:
        lx = 0.0
        ly = (height - 22) * scale
        for rel, text in LEGEND:
            colour, dash = EDGE_STYLE[rel]
            border = "dashed" if dash else "solid"
            out.append(f'<div style="position: absolute; left: {lx:.1f}px; top: {ly:.1f}px; '
                       f'font-size: {9 * scale:.2f}px; color: #333; white-space: nowrap;">'
                       f'<span style="display: inline-block; width: 20px; '
                       f'border-top: 1.3px {border} {colour}; vertical-align: middle;"></span> {escape(text)}</div>')
            lx += (30 + len(text) * 5.2) * scale
    out.append("</div>")
    return "\n".join(out)
