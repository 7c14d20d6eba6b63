"""The HTML report: self-contained, readable, and complete."""

from __future__ import annotations

import json
import re

import pytest

from dadkhah.estimate.lcmcr import LcmcrSettings
from dadkhah.estimate.report import ASSUMPTIONS, write_report
from dadkhah.estimate.service import EstimateOptions, estimate
from dadkhah.estimate.table import parse_table_text, read_table_csv

SHORT = LcmcrSettings(burnin=500, samples=200, thin=5, chains=2, max_sweeps=1500)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory, kosovo):
    from dadkhah.estimate.table import example_path

    run = estimate(read_table_csv(example_path("kosovo")), EstimateOptions(method="all", seed=1, lcmcr=SHORT))
    run.linkage = [
        {
            "threshold": th,
            "method": "loglinear",
            "estimate": est,
            "lower": est * 0.9,
            "upper": est * 1.2,
            "documented": n,
        }
        for th, est, n in [(0.5, 9800.0, 4300), (0.9, 10356.0, 4400), (0.99, 10900.0, 4520)]
    ]
    out = tmp_path_factory.mktemp("report")
    write_report(run, out)
    return out


def test_the_report_folder_holds_the_page_the_plots_and_the_json(report_dir):
    names = {p.name for p in report_dir.iterdir()}
    assert {"index.html", "estimate.json", "overlaps.png", "estimates.png", "posterior.png", "linkage.png"} <= names
    for png in report_dir.glob("*.png"):
        assert png.read_bytes()[:8] == PNG_MAGIC
    assert json.loads((report_dir / "estimate.json").read_text())["documented"] == 4400


def test_the_page_loads_nothing_from_the_network(report_dir):
    html = (report_dir / "index.html").read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    for ref in re.findall(r"""src="([^"]+)\"""", html):
        assert (report_dir / ref).exists()


def test_the_page_puts_the_estimates_beside_the_documented_count(report_dir):
    html = (report_dir / "index.html").read_text()
    assert "document <strong>4,400</strong> victims" in html
    assert "[123,14,34]" in html and "10,357" in html  # lowest-BIC log-linear model
    assert "12,595" in html  # BMA
    assert "Mth Chao" in html
    assert "Sensitivity to record linkage" in html


def test_the_page_says_what_each_method_assumes(report_dir):
    html = (report_dir / "index.html").read_text()
    assert "What each method assumes" in html
    for method in ("all", "loglinear", "lcmcr", "bma"):
        assert ASSUMPTIONS[method][0][:60].replace("'", "&#39;") in html


def test_a_stratified_report_shows_each_stratum(tmp_path):
    text = "pattern,count,g\n100,50,a\n010,40,a\n001,30,a\n110,10,a\n101,9,a\n011,8,a\n111,3,a\n"
    text += "100,20,b\n010,25,b\n001,30,b\n110,6,b\n101,5,b\n011,7,b\n111,2,b\n"
    run = estimate(parse_table_text(text, strata=["g"]), EstimateOptions(method="loglinear"))
    index = write_report(run, tmp_path)
    html = index.read_text()
    assert (tmp_path / "strata.png").exists()
    assert "g=a" in html and "g=b" in html


def test_overlap_plot_list_names_are_not_drawn_over_the_dots(kosovo):
    from dadkhah.estimate.report import upset_figure
    from dadkhah.estimate.table import table_from_counts

    long_names = table_from_counts(dict(kosovo.patterns()), lists=["Exhumations", "American Bar Association",
                                                                  "OSCE", "Human Rights Watch"])
    for table in (kosovo, long_names):
        fig, ax_dot, texts = upset_figure(table)
        renderer = fig.canvas.get_renderer()
        dots = ax_dot.get_window_extent(renderer)
        sizes = fig.axes[2].get_window_extent(renderer)
        for text in texts:
            box = text.get_window_extent(renderer)
            assert box.x1 <= dots.x0 + 1, f"{text.get_text()!r} reaches into the dots"
            assert box.x0 >= sizes.x1 - 1, f"{text.get_text()!r} reaches into the size bars"
