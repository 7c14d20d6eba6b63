"""Every write is in the hash-chained audit log, and `verify` names the first entry changed behind its back."""

from sqlalchemy import text
from typer.testing import CliRunner

from dadkhah.cli import app
from dadkhah.integrity import audit_check
from dadkhah.records import add_person


def _add_people(case, n=3):
    with case.session(actor="alice") as s:
        for i in range(n):
            add_person(s, names=[f"Person {i}"], id=f"person-{i}")


def test_each_write_appends_an_entry_naming_actor_and_values(case):
    _add_people(case, 1)
    with case.engine.connect() as conn:
        rows = conn.execute(text("SELECT actor, action, table_name, record_id FROM audit_log ORDER BY seq")).all()
    assert ("alice", "insert", "person", "person-0") in [tuple(r) for r in rows]
    assert audit_check(case)["ok"]


def test_updates_record_before_and_after(case):
    _add_people(case, 1)
    with case.session(actor="bob") as s:
        from dadkhah.model import Person

        s.get(Person, "person-0").description = "changed"
    with case.engine.connect() as conn:
        row = conn.execute(text("SELECT before, after FROM audit_log WHERE action='update' AND actor='bob'")).first()
    assert row is not None
    assert "changed" in str(row[1]) and "changed" not in str(row[0])


def test_editing_an_audit_row_behind_the_tools_back_is_named(case):
    _add_people(case, 3)
    with case.engine.begin() as conn:
        seq = conn.execute(
            text("SELECT seq FROM audit_log WHERE record_id='person-1' AND table_name='person'")).scalar()
        conn.execute(text("UPDATE audit_log SET actor='mallory' WHERE seq=:s"), {"s": seq})
    result = audit_check(case)
    assert not result["ok"]
    assert result["problems"][0]["entry"] == seq
    assert "altered" in result["problems"][0]["problem"]


def test_deleting_an_audit_row_is_named(case):
    _add_people(case, 3)
    with case.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq=2"))
    result = audit_check(case)
    assert not result["ok"] and result["problems"][0]["entry"] == 2


def test_verify_command_exits_nonzero_and_names_the_entry(sqlite_case):
    _add_people(sqlite_case, 2)
    runner = CliRunner()
    data = str(sqlite_case.data_dir)
    ok = runner.invoke(app, ["--data", data, "verify", "--json"])
    assert ok.exit_code == 0, ok.output
    with sqlite_case.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET after='{}' WHERE seq=3"))
    bad = runner.invoke(app, ["--data", data, "verify", "--json"])
    assert bad.exit_code == 1
    assert '"entry": 3' in bad.stdout
