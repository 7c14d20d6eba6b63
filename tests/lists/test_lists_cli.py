"""`dadkhah lists …`: one JSON document on stdout, messages on stderr, mappings proposed for confirmation."""

import csv
import json

import yaml
from typer.testing import CliRunner

from dadkhah.cli import app


def write_list(path):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["نام", "نام خانوادگی", "نام پدر", "تاریخ اعدام", "زندان"])
        w.writerow(["محمد", "رضایی", "علی", "۱۳۶۷/۰۵/۱۲", "اوین"])
        w.writerow(["حسین", "احمدی", "حسن", "not a date", "گوهردشت"])
    return path


def dadkhah(tmp_path, *args):
    return CliRunner().invoke(app, ["--data", str(tmp_path / "case"), *args])


def test_propose_prints_a_mapping_to_check_and_save(tmp_path):
    path = write_list(tmp_path / "family.csv")
    result = dadkhah(tmp_path, "lists", "propose", str(path), "-o", str(tmp_path / "map.yaml"))
    assert result.exit_code == 0, result.output
    saved = yaml.safe_load((tmp_path / "map.yaml").read_text(encoding="utf-8"))
    assert saved == {"given_name": "نام", "family_name": "نام خانوادگی", "father_name": "نام پدر",
                     "death_date": "تاریخ اعدام", "detention_site": "زندان"}
    printed = dadkhah(tmp_path, "lists", "propose", str(path))
    assert yaml.safe_load(printed.stdout) == saved and "given_name" in printed.stderr  # table for people


def test_import_with_a_mapping_prints_one_json_document_and_reports_bad_rows_on_stderr(tmp_path):
    path = write_list(tmp_path / "family.csv")
    dadkhah(tmp_path, "lists", "propose", str(path), "-o", str(tmp_path / "map.yaml"))
    result = dadkhah(tmp_path, "lists", "import", str(path), "--name", "family-network", "--mapping",
                     str(tmp_path / "map.yaml"), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    # the row whose only fault is its date is kept without it, and the problem is reported
    assert report["counts"]["good"] == 2 and report["errors"][0]["line"] == 3 and report["errors"][0]["kept"]
    assert "line 3 (row 2)" in result.stderr and "not a date" in result.stderr
    shown = json.loads(dadkhah(tmp_path, "lists", "show", "--json").stdout)
    assert [(d["name"], d["records"], d["sensitivity"]) for d in shown] == [("family-network", 2, "restricted")]
    listed = json.loads(dadkhah(tmp_path, "lists", "errors", "family-network", "--json").stdout)
    assert "kept without its death_date" in json.dumps(listed, ensure_ascii=False)


def test_import_without_a_mapping_shows_the_proposal_and_needs_confirmation(tmp_path):
    path = write_list(tmp_path / "family.csv")
    refused = dadkhah(tmp_path, "lists", "import", str(path), "--name", "family-network")
    assert refused.exit_code == 1 and "--yes" in refused.stderr and "نام خانوادگی" in refused.stderr
    accepted = dadkhah(tmp_path, "lists", "import", str(path), "--name", "family-network", "--yes", "--json")
    assert accepted.exit_code == 0 and json.loads(accepted.stdout)["counts"]["good"] == 2


def test_a_missing_file_is_a_clear_error(tmp_path):
    result = dadkhah(tmp_path, "lists", "import", str(tmp_path / "nope.csv"), "--name", "x", "--yes")
    assert result.exit_code == 1 and "file not found" in result.stderr
