"""The demo case can carry SIMULATED victim lists, so linkage and estimation can be tried on it."""

import json

import pytest
from typer.testing import CliRunner

from dadkhah.case import Case
from dadkhah.cli import app
from dadkhah.demo import build_demo
from dadkhah.demo.lists import add_demo_lists


@pytest.mark.slow
def test_estimate_report_on_the_demo_case_with_simulated_lists(tmp_path, sqlite_template):
    import shutil

    shutil.copytree(sqlite_template, tmp_path / "demo")
    case = Case.open(data_dir=tmp_path / "demo")
    build_demo(case)
    added = add_demo_lists(case, population=300)
    case.close()
    assert all(name.startswith("simulated-") for name in added["lists"])
    assert added["run"]["clusters"] > 0
    out = tmp_path / "report"
    r = CliRunner().invoke(app, ["--data", str(tmp_path / "demo"), "estimate", "--method", "loglinear",
                                 "--report", str(out), "--json"])
    assert r.exit_code == 0, r.output
    result = json.loads(r.stdout)
    assert result["documented"] > 0 and result["lower"] <= result["estimate"] <= result["upper"]
    assert result["estimate"] >= result["documented"]
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "simulated-ngo" in html
