"""`dadkhah link …` end to end: import with mapping files, run, export list,row,cluster, review, decide."""

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from dadkhah.cli import app


def dadkhah(data, *args):
    result = CliRunner().invoke(app, ["--data", str(data), "--actor", "maryam", *args])
    assert result.exit_code == 0, result.stderr or result.output
    return result


@pytest.mark.slow  # trains the model twice (about 10 s)
def test_import_run_export_review_and_decide_from_the_command_line(tmp_path, lists):
    data = tmp_path / "case"
    for sl in lists.sim.lists:
        dadkhah(data, "lists", "import", str(lists.folder / sl.file_name), "--name", sl.name,
                "--mapping", str(lists.folder / f"{sl.name}.mapping.yaml"))
    run = json.loads(dadkhah(data, "link", "run", "--json").stdout)
    assert run["records"] == lists.sim.records and run["clusters"] < run["records"]
    # the run explains itself: blocking used and dropped, pairs scored, the match rate and how it was measured
    assert run["pairs_scored"] >= run["pairs_stored"] > 0 and run["blocking_used"]
    assert all("why" in b for b in run["blocking_dropped"])
    assert 0 < run["match_rate"]["prior"] == run["prior"] and run["match_rate"]["expected_matching_pairs"] > 0
    assert run["training"] and all(t["status"] in ("trained",) or t["status"].startswith("failed")
                                   for t in run["training"])
    assert isinstance(run["refusals"], list) and "incoherent" in run["kept_apart"]
    assert "clusters at threshold" in dadkhah(data, "link", "run").stderr  # a re-run, explained for people

    dadkhah(data, "link", "export", "--format", "csv", "-o", str(tmp_path / "export.csv"))
    rows = list(csv.reader(io.StringIO((tmp_path / "export.csv").read_text(encoding="utf-8"))))
    assert rows[0] == ["list", "row", "cluster"] and len(rows) == lists.sim.records + 1
    assert rows[1][:2] == [lists.sim.lists[0].name, "1"]

    capture = json.loads(dadkhah(data, "link", "capture", "--strata", "gender", "--json").stdout)
    assert capture["lists"] == [sl.name for sl in lists.sim.lists]
    assert sum(p["count"] for p in capture["patterns"]) == capture["clusters"] == run["clusters"]

    pairs = json.loads(dadkhah(data, "link", "review", "-n", "2", "--json").stdout)
    assert pairs and {"left", "right", "comparisons"} <= set(pairs[0])
    a, b = pairs[0]["records"]
    decided = json.loads(dadkhah(data, "link", "decide", str(a), str(b), "different", "--json").stdout)
    assert decided["reviewer"] == "maryam" and decided["clusters_after"][0] != decided["clusters_after"][1]
    explained = json.loads(dadkhah(data, "link", "explain", decided["clusters_after"][0], "--json").stdout)
    assert explained["cluster"] == decided["clusters_after"][0]


def test_link_commands_before_any_run_say_what_to_do(tmp_path, lists):
    data = tmp_path / "case"
    dadkhah(data, "init")
    result = CliRunner().invoke(app, ["--data", str(data), "link", "export", "--format", "csv"])
    assert result.exit_code == 1 and "dadkhah link run" in result.stderr
