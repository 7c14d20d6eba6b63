"""The chain of command drawn as SVG (web app, HTML files) and as SVG + HTML labels (PDF)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import networkx as nx
import pytest

from dadkhah.casework.svg import layered_layout, render_html, render_svg

SVG = "{http://www.w3.org/2000/svg}"


def small_graph() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    g.add_node("org", kind="organization", label="Gohardasht Prison", latin="Gohardasht Prison",
               persian="زندان گوهردشت")
    g.add_node("boss", kind="person", label="Davood Rahimi", latin="Davood Rahimi", persian="داوود رحیمی")
    g.add_node("aide", kind="person", label="Hamid Abbasi", latin="Hamid Abbasi", persian="حمید عباسی")
    g.add_node("event", kind="event", label="اعدام", latin=None, persian="اعدام")
    g.add_edge("boss", "org", relation="commands")
    g.add_edge("org", "aide", relation="superior")
    g.add_edge("event", "aide", relation="carried_out")
    return g


def test_superiors_are_drawn_above_their_subordinates():
    pos = layered_layout(small_graph())
    assert pos["boss"][1] < pos["org"][1] < pos["aide"][1]
    assert pos["event"][1] < pos["aide"][1]


def test_a_cycle_from_contradictory_sources_still_draws():
    g = small_graph()
    g.add_edge("aide", "boss", relation="ordered")
    svg = render_svg(g)
    assert ET.fromstring(svg).tag == f"{SVG}svg"


def test_the_svg_is_well_formed_with_one_group_per_node_and_persian_written_right_to_left():
    svg = render_svg(small_graph(), focus="aide")
    root = ET.fromstring(svg)
    groups = [el for el in root.iter(f"{SVG}g") if "node" in el.get("class", "")]
    assert sorted(g.get("data-id") for g in groups) == ["aide", "boss", "event", "org"]
    persian = [t for t in root.iter(f"{SVG}text") if t.text == "حمید عباسی"]
    assert persian and persian[0].get("direction") == "rtl"
    assert len([p for p in root.iter(f"{SVG}path") if "edge" in p.get("class", "")]) == 3


def test_the_print_drawing_names_nodes_in_html_text_marked_right_to_left():
    html = render_html(small_graph(), max_width=300)
    assert 'dir="rtl" lang="fa" class="fa"' in html and "حمید عباسی" in html
    svg_part = html[html.index("<svg"):html.index("</svg>")]
    assert "<text" not in svg_part.split("</defs>")[1]  # the SVG draws boxes and arrows only
    width = float(ET.fromstring(svg_part + "</svg>").get("width"))
    assert 0 < width <= 300  # scaled down to fit the page


def test_too_large_a_graph_is_refused_with_advice():
    g = nx.MultiDiGraph()
    g.add_nodes_from(str(i) for i in range(20))
    with pytest.raises(ValueError, match="focus_subgraph"):
        render_svg(g, max_nodes=10)


def test_the_readable_drawing_writes_every_name_in_full_in_the_readers_script_first():
    from dadkhah.casework.svg import render_readable_svg

    g = small_graph()
    g.add_node("judiciary", kind="organization", label="Judiciary of the Islamic Republic of Iran",
               latin="Judiciary of the Islamic Republic of Iran", persian="قوه قضاییه جمهوری اسلامی ایران")
    g.add_edge("judiciary", "org", relation="parent_of")
    svg = render_readable_svg(g, lang="fa", legend={"commands": "فرمانده", "parent_of": "نهاد بالادست"})
    root = ET.fromstring(svg)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "…" not in "".join(texts)  # nothing cut off
    assert " ".join(t for t in texts if t and "Judiciary" in t or t in ("of the Islamic", "Republic of Iran")) \
        .startswith("Judiciary")
    node = [el for el in root.iter(f"{SVG}g") if el.get("data-id") == "judiciary"][0]
    first = node.findall(f"{SVG}text")[0]
    assert first.get("direction") == "rtl" and first.get("font-weight") == "bold"  # Persian first for a Persian reader
    assert "نهاد بالادست" in texts and "parent body" not in texts
    assert root.get("font-size") == "12"


def test_graphviz_lays_out_superiors_above_subordinates_when_installed():
    import shutil

    from dadkhah.casework.svg import box_size, dot_layout

    if not shutil.which("dot"):
        pytest.skip("graphviz is not installed (apt install graphviz)")
    g = small_graph()
    laid = dot_layout(g, {n: box_size([("x" * 20, False)]) for n in g.nodes})
    assert laid is not None
    pos = laid[0]
    assert pos["boss"][1] < pos["org"][1] < pos["aide"][1]
