"""`dadkhah estimate`: the JSON document, errors in plain words, and the case path."""

from __future__ import annotations

import contextlib
import json

import pytest
import typer
from typer.testing import CliRunner

from dadkhah import cliutil
from dadkhah.access import SYSTEM
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
    assert d["converged"] is False and a["converged"] is False  # 1,000 sweeps cannot reach R-hat 1.01
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
    error = json.loads(result.stdout)["error"]  # with --json, stdout holds one JSON document: the error
    assert "line 3" in error["message"] and "pattern" in error["message"]


def test_an_unknown_method_is_refused(app):
    result = run(app, "--table", str(example_path("kosovo")), "--method", "magic")
    assert result.exit_code == 1
    assert "--method must be one of" in result.stderr


def _dadkhah(case, *args: str):
    """The real command line over a real case folder."""
    from dadkhah.cli import app as cli_app

    return CliRunner().invoke(cli_app, ["--data", str(case.data_dir), *args])


def test_without_record_linkage_the_case_path_says_so(sqlite_case):
    result = _dadkhah(sqlite_case, "estimate", "--json")
    assert result.exit_code == 1
    assert "link run" in result.stderr  # what to do: link the lists first
    assert "Traceback" not in result.output
    assert "link run" in json.loads(result.stdout)["error"]["message"]  # with --json, the error is JSON too


@pytest.fixture(scope="module")
def linked_folder_case(tmp_path_factory):
    """A case with four simulated lists imported and linked (the real linkage, trained on them)."""
    from dadkhah.case import Case
    from dadkhah.linkage.service import run_linkage
    from dadkhah.lists.importer import import_list
    from dadkhah.lists.mapping import load_mapping
    from dadkhah.testing.simulate_lists import simulate

    folder = tmp_path_factory.mktemp("estimate-lists")
    sim = simulate(300, 4, seed=7)
    sim.write(folder)
    case = Case.open(data_dir=folder / "case", create=True, actor="tester")
    for sl in sim.lists:
        import_list(case, folder / sl.file_name, sl.name, mapping=load_mapping(folder / f"{sl.name}.mapping.yaml"))
    report = run_linkage(case, principal=SYSTEM)
    yield case, report
    case.close()


def test_the_case_path_estimates_the_linked_victims_per_stratum_and_at_each_threshold(linked_folder_case):
    from dadkhah.access import operator
    from dadkhah.linkage.capture import capture_history
    from dadkhah.records.population import documented_victims

    case, report = linked_folder_case
    result = _dadkhah(case, "estimate", "--method", "loglinear", "--strata", "gender", "--thresholds", "0.5,0.99",
                      "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    table = capture_history(case, strata=("gender",), principal=SYSTEM)
    assert doc["lists"] == table.attrs["lists"]
    with case.reader(SYSTEM) as s:  # the estimate's documented victims are the case's documented victims
        assert doc["documented"] == report.clusters == len(table) == len(documented_victims(s, operator()))
    genders = set(table["gender"].dropna().unique())
    strata = {str(s["stratum"]["gender"]) for s in doc["strata"]}
    # a stratum per gender the lists give, "unknown" for victims whose gender no list records, and strata too
    # small to estimate pooled as "small strata" — never a stratum called 'nan'
    assert strata <= genders | {"unknown", "small strata"} and not strata & {"nan", "None"}
    assert sum(s["documented"] for s in doc["strata"]) == doc["documented"]
    assert doc["estimate"] >= doc["documented"]
    rows = {r["threshold"]: r for r in doc["linkage"]}
    assert set(rows) == {0.5, 0.99}
    assert rows[0.99]["documented"] == len(capture_history(case, threshold=0.99, principal=SYSTEM))
    assert rows[0.99]["documented"] >= rows[0.5]["documented"] == doc["documented"]


@pytest.fixture
def use_case(monkeypatch):
    """Make the CLI open the given case object."""

    def use(case):
        @contextlib.contextmanager
        def open_case(ctx, create=False):
            yield case

        monkeypatch.setattr(cliutil, "open_case", open_case)

    return use


def test_without_a_linkage_run_the_case_path_says_so(app, case, use_case):
    use_case(case)
    result = run(app, "--json")
    assert result.exit_code == 1
    assert "link run" in result.stderr and "Traceback" not in result.output


def test_the_case_path_estimates_per_stratum_and_at_each_linkage_threshold(app, linked_case, use_case):
    use_case(linked_case)
    result = run(app, "--method", "loglinear", "--strata", "gender", "--thresholds", "0.5,0.99", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["lists"] == ["family-network", "ngo", "roster", "cemetery", "witness"]
    assert {s["stratum"]["gender"] for s in doc["strata"]} <= {"male", "female", "unknown", "small strata"}
    rows = {r["threshold"]: r for r in doc["linkage"]}
    assert set(rows) == {0.5, 0.99}
    assert rows[0.99]["documented"] >= rows[0.5]["documented"]
    assert len(doc["provenance"]["table_sha256"]) == 64


def test_the_case_path_for_the_public_counts_only_public_lists(app, linked_case, use_case):
    use_case(linked_case)
    result = run(app, "--method", "loglinear", "--audience", "public", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["lists"] == ["family-network", "ngo"]
    assert "witness" not in result.stdout and "roster" not in result.stdout
    assert run(app, "--audience", "nobody").exit_code == 1


def test_a_stratified_report_on_the_case_is_written_whole(app, linked_case, use_case, tmp_path):
    use_case(linked_case)
    out = tmp_path / "rep"
    result = run(app, "--strata", "province", "--report", str(out), "--seed", "1", "--thresholds", "none",
                 "--json", *SHORT)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert (out / "index.html").exists() and (out / "estimate.json").exists()
    assert doc["strata"], doc
    page = (out / "index.html").read_text(encoding="utf-8")
    assert doc["provenance"]["table_sha256"] in page
    for s in doc["strata"]:
        assert "nan" not in s["stratum"].values()


def test_list_aggregate_shows_and_sets_the_flag(app, linked_case, use_case):
    use_case(linked_case)
    shown = CliRunner().invoke(app, ["list-aggregate", "witness", "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout) == {"name": "witness", "sensitivity": "confidential",
                                        "aggregate_publication": False}
    try:
        assert json.loads(CliRunner().invoke(app, ["list-aggregate", "witness", "--allow", "--json"]).stdout)[
            "aggregate_publication"] is True
    finally:
        CliRunner().invoke(app, ["list-aggregate", "witness", "--deny"])
    missing = CliRunner().invoke(app, ["list-aggregate", "nope"])
    assert missing.exit_code == 1 and "no list named" in missing.stderr


def test_report_writes_a_page_beside_the_json(app, tmp_path):
    out = tmp_path / "report"
    result = run(app, "--table", str(example_path("madigan-york-3")), "--report", str(out), "--seed", "2", *SHORT)
    assert result.exit_code == 0, result.output
    assert (out / "index.html").exists() and (out / "overlaps.png").exists()
