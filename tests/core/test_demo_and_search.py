"""The demo case from the seed articles, searched across scripts, with contested claims side by side."""

import json

import pytest
from typer.testing import CliRunner

from dadkhah.access import SYSTEM, audience, operator
from dadkhah.claims.service import list_claims
from dadkhah.cli import app
from dadkhah.demo import build_demo
from dadkhah.records import add_name, add_person
from dadkhah.store.search import search


@pytest.fixture
def demo_case(case):
    build_demo(case)
    return case


def test_raisi_is_found_first_in_either_script(demo_case):
    for query in ["رئیسی", "Raeisi", "Raisi", "ابراهيم رئيسي", "EBRAHIM RAISI", "raeesi"]:
        with demo_case.reader(SYSTEM) as s:
            hits = search(s, query, principal=operator())
        assert hits and hits[0].id == "person-raisi", query


def test_the_death_toll_claims_stand_side_by_side_as_contested(demo_case):
    with demo_case.reader(SYSTEM) as s:
        tolls = list_claims(s, principal=SYSTEM, status="contested", predicate="death_toll")
        values = {c.value_text: {ci.source_id for ci in c.citations} for c in tolls}
    assert "over 30,000" in values and "several thousand" in values
    assert "src-amnesty-2020-quoted" in values["several thousand"]
    assert "src-seed-001" in values["over 30,000"]


def test_every_claim_in_the_demo_cites_a_source_with_a_quotation(demo_case):
    with demo_case.reader(SYSTEM) as s:
        claims = list_claims(s, principal=SYSTEM)
        assert len(claims) > 30
        for c in claims:
            assert c.citations, c.id
            assert all(ci.quotation for ci in c.citations), c.id


def test_a_confidential_name_form_is_not_searchable_by_the_public(case):
    with case.session() as s:
        p = add_person(s, id="person-w", names=["Witness Seven"])
        add_name(s, p, "Zzcanary Qqhidden", kind="alias", sensitivity="confidential")
    with case.reader(SYSTEM) as s:
        assert search(s, "Zzcanary", principal=audience("public")) == []
        assert search(s, "Zzcanary", principal=audience("restricted")) == []
        hits = search(s, "Zzcanary", principal=operator())
    assert hits and hits[0].id == "person-w"


def test_cli_demo_search_and_claims(tmp_path):
    runner = CliRunner()
    data = str(tmp_path / "demo")
    r = runner.invoke(app, ["--data", data, "demo"])
    assert r.exit_code == 0, r.output
    fa = runner.invoke(app, ["--data", data, "search", "رئیسی", "--json"])
    la = runner.invoke(app, ["--data", data, "search", "Raeisi", "--json"])
    hits_fa, hits_la = json.loads(fa.stdout), json.loads(la.stdout)
    assert hits_fa[0]["id"] == hits_la[0]["id"] == "person-raisi"
    assert set(hits_fa[0]) >= {"kind", "id", "label", "score"}
    contested = runner.invoke(app, ["--data", data, "claims", "--contested", "--json"])
    rows = json.loads(contested.stdout)
    assert {r["value"].split(" (")[0] for r in rows if r["predicate"] == "death_toll"} >= {"over 30,000",
                                                                                          "several thousand"}
    assert all(s["grade"] for r in rows for s in r["sources"])
    shown = runner.invoke(app, ["--data", data, "show", "person", "person-raisi", "--json"])
    person = json.loads(shown.stdout)
    assert "ابراهیم رئیسی" in [n["text"] for n in person["names"]]
    assert any(c["predicate"] == "held_position" for c in person["claims"])


def test_cli_reports_a_missing_case_clearly(tmp_path):
    r = CliRunner().invoke(app, ["--data", str(tmp_path / "nothing"), "search", "x"])
    assert r.exit_code == 1
    assert "dadkhah init" in r.output


def test_cli_add_records_and_a_claim(tmp_path):
    runner = CliRunner()
    data = ["--data", str(tmp_path / "c")]
    assert runner.invoke(app, [*data, "init"]).exit_code == 0
    r = runner.invoke(app, [*data, "add", "person", "--name", "Ali Rezaei", "--name-fa", "علی رضایی",
                            "--death", "1367/05/08", "--id", "person-ali"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, [*data, "add", "source", "--type", "list", "--title", "Family list", "--id", "src-f",
                            "--reliability", "B", "--credibility", "2"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, [*data, "claim", "add", "--subject", "person-ali", "--predicate", "death_date",
                            "--source", "src-f", "--quote", "اعدام ۸ مرداد ۱۳۶۷", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["sources"][0]["grade"] == "B2"
    bad = runner.invoke(app, [*data, "add", "event", "--type", "picnic", "--label", "x"])
    assert bad.exit_code == 1 and "event_type" in bad.output
    hits = json.loads(runner.invoke(app, [*data, "search", "Rezaee", "--json"]).stdout)
    assert hits[0]["id"] == "person-ali"
