"""The victim file, the mass-grave site file and the whole-case report (HTML)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dadkhah.access import SYSTEM
from dadkhah.dossier.render import render_html
from dadkhah.dossier.report import case_report
from dadkhah.dossier.site import site_file
from dadkhah.dossier.victim import victim_file
from dadkhah.testing.synthetic_case import CANARY


@pytest.fixture(scope="module")
def files(synthetic):
    """The contexts (their records still attached to an open session) and the HTML of each file."""
    case, _ = synthetic
    with case.reader(SYSTEM) as s:
        victim = victim_file(s, "person-victim", "public", blobs=case.blobs)
        site = site_file(s, "place-khavaran", "public")
        report_public = case_report(s, "public", case_title="Fictional case")
        report_internal = case_report(s, "internal", case_title="Fictional case")
        yield {
            "victim": (victim, render_html("victim.html", victim)),
            "site": (site, render_html("site.html", site)),
            "report": (report_public, render_html("case.html", report_public)),
            "report_internal": (report_internal, render_html("case.html", report_internal)),
        }


def test_a_victim_file_tells_what_happened_with_the_named_perpetrators(files):
    ctx, html = files["victim"]
    assert [f["event"].id for f in ctx["fate"]] == ["event-execution", "event-burial"]  # date order
    assert "Hamid Abbasi" in html and "حمید عباسی" in html  # perpetrator of the execution
    assert '<span dir="rtl" lang="fa" class="fa">پروانه صادقی</span>' in html
    assert "Mohammad" in html  # father's name
    assert "Secret killing" not in html and CANARY not in html


def test_a_site_file_gives_the_status_history_with_dated_evidence(files):
    ctx, html = files["site"]
    claims = [h for h in ctx["history"] if h["kind"] == "claim"]
    assert [h["status_value"] for h in claims] == ["intact", "desecrated", "built over"]
    assert [h["kind"] for h in ctx["history"]].count("event") == 2  # the burials and the bulldozing
    assert "2005-01 (1383/10/12 – 1383/11/12)" in html
    assert ">A2<" in html and ">C3<" in html
    assert "35.6200, 51.5500" in html and "Iran" in html


def test_a_site_file_links_the_victims_buried_there(files):
    ctx, html = files["site"]
    assert [v["person"].id for v in ctx["victims"]] == ["person-victim"]
    assert "Burials at Khavaran" in " ".join(ctx["victims"][0]["links"])
    assert "lies at Khavaran" in " ".join(ctx["victims"][0]["links"])


def test_the_case_report_counts_documented_victims_for_the_audience(files):
    public, _ = files["report"]
    internal, _ = files["report_internal"]
    assert public["counts"]["total"] == 3
    assert internal["counts"]["total"] == 4  # a restricted victim, and the confidential killing's victim is
    assert dict(public["counts"]["by_type"]) == {"Execution": 3}  # …already counted


def test_the_case_report_sets_contested_claims_side_by_side(files):
    ctx, html = files["report"]
    tolls = [g for g in ctx["contested"] if g["predicate"] == "death_toll"]
    assert len(tolls) == 1
    assert sorted(c["value"] for c in tolls[0]["claims"]) == ["over 30,000 (30,000)", "several thousand (2,000–9,999)"]
    block = html[html.index("Death toll</h3>"):]
    block = block[:block.index("</div>\n</div>")]
    assert block.count("<div><b>") == 2 and "side-by-side" in block
    assert "over 30,000" in block and "several thousand" in block


def test_the_case_report_shows_the_estimate_beside_the_documented_count(synthetic_sqlite):
    import dadkhah.estimate
    from dadkhah.estimate.service import EstimateOptions, estimate
    from dadkhah.estimate.table import read_table_csv

    case, _ = synthetic_sqlite
    table = Path(dadkhah.estimate.__file__).parent / "data" / "madigan-york-3.csv"
    run = estimate(read_table_csv(table), EstimateOptions(method="loglinear", seed=1))
    with case.reader(SYSTEM) as s:
        ctx = case_report(s, "public", estimate=run)
        html = render_html("case.html", ctx)
    headline = run.to_dict()
    assert ctx["estimate"]["estimate"] == headline["estimate"]
    assert f"{headline['estimate']:,.0f}" in html and f"{headline['lower']:,.0f}" in html
    assert "Documented in this case" in html


def test_the_case_report_timeline_is_in_date_order_with_both_calendars(files):
    ctx, html = files["report"]
    dated = [r["low"] for r in ctx["timeline"] if r["low"] is not None]
    assert dated == sorted(dated)
    assert "1988-08 (1367/05/10 – 1367/06/09)" in html
