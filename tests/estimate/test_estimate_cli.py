"""`dadkhah estimate`: the JSON document, errors in plain words, and the case path."""

from __future__ import annotations

import contextlib
import json
import sys
import types

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from dadkhah import cliutil
from dadkhah.estimate import commands
from dadkhah.estimate.table import example_path

SHORT = ["--samples", "100", "--burnin", "500", "--thin", "5", "--chains", "2", "--max-sweeps", "1000"]


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:  # a group, so `estimate` is a subcommand as in the real CLI
        pass

    commands.register(app)
    return app


def run(app, *args: str):
    return CliRunner().invoke(app, ["estimate", *args])


def test_loglinear_json_reports_the_lowest_bic_model_and_every_model(app):
    result = run(app, "--table", str(example_path("kosovo")), "--method", "loglinear", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["method"] == "loglinear"
    assert (doc["estimate"], doc["documented"]) == (10356.52, 4400)
    assert doc["lower"] < doc["estimate"] < doc["upper"]
    assert doc["lists"] == ["EXH", "ABA", "OSCE", "HRW"]
    assert doc["selected_model"] == "[123,14,34]"
    assert len(doc["models"]) == doc["n_models"] == 113
    first = doc["models"][0]
    assert {"name", "deviance", "df", "AIC", "BIC", "abundance", "se", "interval"} <= set(first)
    assert set(doc["closed"]) == {"M0", "Mt", "Mh Chao", "Mth Chao"}
    assert doc["closed"]["M0"]["abundance"] == 7608.37
    assert doc["model_average"]["estimate"] > doc["documented"]
    assert doc["warnings"] == []


def test_lcmcr_json_is_reproducible_and_carries_chain_diagnostics(app):
    args = ["--table", str(example_path("kosovo")), "--method", "lcmcr", "--seed", "1", "--json", *SHORT]
    first, second = run(app, *args), run(app, *args)
    assert first.exit_code == 0, first.output
    a, b = json.loads(first.stdout), json.loads(second.stdout)
    assert a["estimate"] == b["estimate"]
    assert {"method", "estimate", "lower", "upper", "documented", "warnings", "diagnostics"} <= set(a)
    d = a["diagnostics"]
    assert d["chains"] == 2 and d["sweeps"] == 2 * (500 + 100 * 5)
    assert {"rhat", "ess", "seconds"} <= set(d)
    assert a["settings"]["K"] == 10 and a["settings"]["seed"] == 1


def test_human_output_is_a_table_on_stdout(app):
    result = run(app, "--table", str(example_path("madigan-york-3")), "--method", "bma")
    assert result.exit_code == 0, result.output
    assert "Estimated total victims" in result.stdout
    assert "bma" in result.stdout


def test_a_malformed_table_fails_with_the_line_and_no_traceback(app, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("pattern,count\n101,3\n11,2\n", encoding="utf-8")
    result = run(app, "--table", str(bad), "--json")
    assert result.exit_code == 1
    assert "line 3" in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_an_unknown_method_is_refused(app):
    result = run(app, "--table", str(example_path("kosovo")), "--method", "magic")
    assert result.exit_code == 1
    assert "--method must be one of" in result.stderr


@pytest.fixture
def fake_case(monkeypatch):
    @contextlib.contextmanager
    def open_case(ctx, create=False):
        yield types.SimpleNamespace(name="demo")

    monkeypatch.setattr(cliutil, "open_case", open_case)


def test_without_record_linkage_the_case_path_says_so(app, fake_case, monkeypatch):
    monkeypatch.setitem(sys.modules, "dadkhah.linkage.capture", None)
    result = run(app, "--json")
    assert result.exit_code == 1
    assert "record linkage" in result.stderr and "--table" in result.stderr
    assert "Traceback" not in result.output


def _capture_history(case, strata=(), threshold=None):
    """Stand-in for dadkhah.linkage.capture.capture_history: three lists, two provinces.

    A stricter threshold merges fewer records, so a few victims split into two clusters.
    """
    rows = []
    patterns = {"100": 120, "010": 90, "001": 70, "110": 30, "101": 25, "011": 20, "111": 8}
    for i, (pattern, count) in enumerate(patterns.items()):
        for k in range(count):
            rows.append([int(c) for c in pattern] + ["North" if (k + i) % 3 else "South"])
    if threshold is not None and threshold >= 0.95:
        rows += [[1, 0, 0, "North"]] * 10 + [[0, 1, 0, "South"]] * 10
    df = pd.DataFrame(rows, columns=["A", "B", "C", "province"])
    df.insert(0, "cluster", range(1, len(df) + 1))
    return df[["cluster", "A", "B", "C", *strata]]


def test_the_case_path_estimates_per_stratum_and_at_each_linkage_threshold(app, fake_case, monkeypatch):
    fake = types.ModuleType("dadkhah.linkage.capture")
    fake.capture_history = _capture_history
    monkeypatch.setitem(sys.modules, "dadkhah.linkage.capture", fake)
    result = run(app, "--method", "loglinear", "--strata", "province", "--thresholds", "0.5,0.99", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["lists"] == ["A", "B", "C"]
    assert doc["documented"] == 363
    assert [s["stratum"]["province"] for s in doc["strata"]] == ["North", "South"]
    rows = {r["threshold"]: r for r in doc["linkage"]}
    assert set(rows) == {0.5, 0.99}
    assert rows[0.99]["documented"] == rows[0.5]["documented"] + 20


def test_report_writes_a_page_beside_the_json(app, tmp_path):
    out = tmp_path / "report"
    result = run(app, "--table", str(example_path("madigan-york-3")), "--report", str(out), "--seed", "2", *SHORT)
    assert result.exit_code == 0, result.output
    assert (out / "index.html").exists() and (out / "overlaps.png").exists()
