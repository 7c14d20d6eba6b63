"""Exports for an audience contain only what that audience may see."""

import csv

from dadkhah.access import SYSTEM, audience
from dadkhah.claims import add_claim
from dadkhah.demo import build_demo
from dadkhah.interchange.csvout import export_csv
from dadkhah.interchange.jsonl import export_jsonl
from dadkhah.records import add_name, add_person

CANARY = "Zzcanary Qqrestricted"


def _plant(case):
    build_demo(case)
    with case.session() as s:
        p = add_person(s, id="person-secret", names=["Confidential Person"], sensitivity="confidential")
        add_name(s, p, CANARY, kind="alias")
        open_p = add_person(s, id="person-open", names=["Open Person"])
        add_name(s, open_p, CANARY + " Alias", kind="alias", sensitivity="confidential")
        add_claim(s, subject_id="person-open", predicate="statement", statement=f"{CANARY} said so",
                  sensitivity="confidential", citations=[{"source_id": "src-seed-000", "quotation": "x"}])


def test_public_jsonl_export_holds_no_confidential_row(case, tmp_path):
    _plant(case)
    path = tmp_path / "public.jsonl"
    export_jsonl(case, path, principal=audience("public"))
    text = path.read_text(encoding="utf-8")
    assert CANARY not in text
    assert "person-secret" not in text
    assert "Open Person" in text and "person-raisi" in text


def test_public_csv_export_holds_no_confidential_name_or_claim(case, tmp_path):
    _plant(case)
    counts = export_csv(case, tmp_path / "csv", audience("public"))
    assert counts["person"] > 5 and counts["claims"] > 10
    for f in (tmp_path / "csv").glob("*.csv"):
        assert CANARY not in f.read_text(encoding="utf-8-sig"), f.name
    with open(tmp_path / "csv" / "person.csv", encoding="utf-8-sig") as f:
        ids = {row["id"] for row in csv.DictReader(f)}
    assert "person-open" in ids and "person-secret" not in ids


def test_internal_export_keeps_everything(case, tmp_path):
    _plant(case)
    path = tmp_path / "all.jsonl"
    export_jsonl(case, path, SYSTEM)
    assert CANARY in path.read_text(encoding="utf-8")
