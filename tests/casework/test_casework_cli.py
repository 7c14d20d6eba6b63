"""The command line: dossier, graph, publish and ftm over the fictional case (SQLite)."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
import zipfile

import pytest
from typer.testing import CliRunner

from dadkhah.cli import app
from dadkhah.testing.synthetic_case import CANARY

runner = CliRunner()


@pytest.fixture
def data(synthetic_sqlite, tmp_path):
    """A private copy of the SQLite case folder (commands may write to it)."""
    case, _ = synthetic_sqlite
    folder = tmp_path / "case"
    shutil.copytree(case.data_dir, folder)
    return str(folder)


def run(data, *args):
    return runner.invoke(app, ["--data", data, *args])


def said(result) -> str:
    """The output with Rich's line wrapping undone."""
    return " ".join(result.output.split())


def test_graph_above_answers_in_json(data):
    result = run(data, "graph", "above", "person-abbasi", "--period", "August 1988", "--at", "place-gohardasht",
                 "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows[0]["distance"] == 1
    assert {"person-deputy", "person-warden", "person-chief"} <= {r["id"] for r in rows}


def test_graph_colleagues_and_svg(data, tmp_path):
    result = run(data, "graph", "colleagues", "person-judge", "--json")
    assert result.exit_code == 0, result.output
    assert {o["person_id"] for o in json.loads(result.stdout)[0]["others"]} == {"person-prosecutor", "person-member"}
    svg = tmp_path / "chain.svg"
    result = run(data, "graph", "svg", "-o", str(svg), "--period", "1988-08", "--focus", "person-abbasi")
    assert result.exit_code == 0, result.output
    assert ET.parse(svg).getroot().tag.endswith("svg")


def test_a_public_dossier_from_the_command_line_holds_nothing_restricted(data, tmp_path):
    out = tmp_path / "abbasi.html"
    result = run(data, "dossier", "person", "person-abbasi", "-o", str(out), "--audience", "public", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["allegations"] >= 3
    html = out.read_text(encoding="utf-8")
    assert "Hamid Abbasi" in html and CANARY not in html


def test_a_prosecutor_dossier_comes_with_the_sealed_bundle_of_its_exhibits(data, tmp_path):
    out = tmp_path / "abbasi.html"
    result = run(data, "dossier", "person", "person-abbasi", "-o", str(out), "--audience", "prosecutor", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    bundle = tmp_path / "abbasi.bundle.zip"
    assert report["bundle"]["bundle"] == str(bundle)
    with zipfile.ZipFile(bundle) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    html = out.read_text(encoding="utf-8")
    bundled = {f["sha256"] for f in manifest["files"] if f["role"] == "original"}
    assert bundled and all(sha in html for sha in bundled)  # the exhibit index lists what the bundle holds


def test_bad_requests_exit_with_a_clear_error(data, tmp_path):
    result = run(data, "dossier", "person", "person-abbasi", "-o", str(tmp_path / "x.docx"))
    assert result.exit_code == 1 and "name the file .pdf or .html" in said(result)
    result = run(data, "dossier", "person", "person-nobody", "-o", str(tmp_path / "x.html"))
    assert result.exit_code == 1 and "no person" in said(result)
    result = run(data, "dossier", "person", "person-abbasi", "-o", str(tmp_path / "x.html"), "--audience", "press")
    assert result.exit_code == 1 and "unknown audience" in said(result)


def test_clear_then_publish_the_memorial(data, tmp_path):
    assert run(data, "publish", "clear", "person-victim", "--note", "family consent 2024").exit_code == 0
    for other in ("person-victim-fa", "person-victim-latin"):  # whatever other tests decided about them
        assert run(data, "publish", "withdraw", other).exit_code == 0
    result = run(data, "publish", "clear", "person-abbasi")
    assert result.exit_code == 1 and "not the victim" in said(result)
    site = tmp_path / "site"
    result = run(data, "publish", "--out", str(site), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["victims"] == 1
    assert (site / "victims" / "person-victim.html").exists()


def test_ftm_export_from_the_command_line(data, tmp_path):
    out = tmp_path / "case.ftm.json"
    result = run(data, "ftm", "-o", str(out), "--audience", "public")
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines and all(json.loads(line)["schema"] for line in lines)
    assert CANARY not in out.read_text(encoding="utf-8")
