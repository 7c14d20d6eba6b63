"""`dadkhah reindex`: names stored under older name rules are keyed again and found in every spelling."""

import json

from sqlalchemy import select, update
from typer.testing import CliRunner

from dadkhah.access import SYSTEM, operator
from dadkhah.cli import app
from dadkhah.integrity import run_checks
from dadkhah.model import NameForm
from dadkhah.records import add_person
from dadkhah.records.maintenance import refresh_name_keys
from dadkhah.store.search import SearchDoc, search


def found(case, query: str) -> set[str]:
    with case.reader(SYSTEM) as s:
        return {h.id for h in search(s, query, principal=operator("t"))}


def test_names_keyed_under_older_rules_are_keyed_again_and_found_in_the_other_script(case):
    with case.session() as s:
        add_person(s, names=["Ramadan Karimi"], id="person-ramadan")
        add_person(s, names=["حسین کریمی"], id="person-hossein")
    assert "person-ramadan" in found(case, "رمضان کریمی")
    # as an older version of dadkhah stored them: other keys for the name and in the index
    with case.session() as s:
        s.execute(update(NameForm).where(NameForm.entity_id == "person-ramadan").values(name_key="rmdnkrimi"))
        s.execute(update(SearchDoc).where(SearchDoc.record_id == "person-ramadan").values(keys="rmdnkrimi"))
    assert "person-ramadan" not in found(case, "رمضان کریمی")

    steps = []
    result = refresh_name_keys(case, step=lambda what, done, total: steps.append((what, done, total)))

    assert result["names"] == 2 and result["changed"] == 1 and result["indexed"] >= 2
    assert {what for what, _, _ in steps} == {"name keys", "search index"} and steps[-1][1] == steps[-1][2]
    with case.reader(SYSTEM) as s:
        assert s.scalar(select(NameForm.name_key).where(NameForm.entity_id == "person-ramadan")) == "rmznkrimi"
    assert "person-ramadan" in found(case, "رمضان کریمی") and "person-ramadan" in found(case, "Ramazan")
    assert "person-hossein" in found(case, "Hossein Karimi")
    assert run_checks(case)["ok"]  # the updates are in the audit chain, which still verifies


def test_cli_reindex_prints_one_json_document(tmp_path):
    data = str(tmp_path / "case")
    runner = CliRunner()
    assert runner.invoke(app, ["--data", data, "init"]).exit_code == 0
    assert runner.invoke(app, ["--data", data, "add", "person", "--name", "Fadl Ahmadi"]).exit_code == 0
    r = runner.invoke(app, ["--data", data, "reindex", "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc == {"names": 1, "changed": 0, "indexed": doc["indexed"]} and doc["indexed"] >= 1
