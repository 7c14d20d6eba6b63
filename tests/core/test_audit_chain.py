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


# --- when entries join the chain --------------------------------------------------------------------------

def _chain(case) -> list[tuple]:
    with case.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            text("SELECT actor, action, table_name, record_id FROM audit_log ORDER BY seq")).all()]


def test_a_transaction_joins_the_chain_only_as_it_commits(case):
    """Writers wait for the chain only while committing: a flushed, uncommitted write is not in it yet."""
    with case.session(actor="alice") as s:
        add_person(s, names=["Parvaneh Amini"], id="person-pa")
        s.flush()
        assert _chain(case) == [] and s.scalar(text("SELECT count(*) FROM audit_log")) == 0
    assert ("alice", "insert", "person", "person-pa") in _chain(case)
    assert audit_check(case)["ok"]


def test_a_rolled_back_transaction_leaves_nothing_in_the_chain(case):
    _add_people(case, 1)
    before = _chain(case)
    try:
        with case.session(actor="mallory") as s:
            add_person(s, names=["Never Stored"], id="person-never")
            s.flush()
            raise RuntimeError("abandon the unit of work")
    except RuntimeError:
        pass
    assert _chain(case) == before
    with case.session(actor="alice") as s:  # the next writer continues the chain unbroken
        add_person(s, names=["Next One"], id="person-next")
    assert audit_check(case)["ok"]


def test_a_savepoint_that_rolls_back_takes_its_entries_with_it(case):
    from dadkhah.model import Person

    with case.session(actor="alice") as s:
        add_person(s, names=["Kept Person"], id="person-kept")
        s.flush()
        savepoint = s.begin_nested()
        add_person(s, names=["Undone Person"], id="person-undone")
        s.flush()
        savepoint.rollback()
        with s.begin_nested():  # a savepoint that is released keeps its entries
            s.get(Person, "person-kept").description = "inside a released savepoint"
    ids = {r[3] for r in _chain(case)}
    assert "person-kept" in ids and "person-undone" not in ids
    assert ("alice", "update", "person", "person-kept") in _chain(case)
    assert audit_check(case)["ok"]


def test_a_bulk_entry_given_the_session_follows_the_sessions_own_writes(case):
    from dadkhah.store import audit

    with case.session(actor="alice") as s:
        add_person(s, names=["Ordered Person"], id="person-ordered")
        s.flush()
        audit.append(s, actor="alice", action="bulk-insert", table="list_record", record_id="list x rows 1-2")
    chain = _chain(case)
    assert chain[-1] == ("alice", "bulk-insert", "list_record", "list x rows 1-2")
    assert ("alice", "insert", "person", "person-ordered") in chain[:-1]
    assert audit_check(case)["ok"]


def test_writes_made_while_committing_are_still_chained(case):
    """Derived state (claim statuses, the search index) is written at commit time; anything audited then
    is appended at once rather than lost."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from dadkhah.model import Person

    def late_edit(session):
        person = session.get(Person, "person-late")
        if person is not None and person.description != "set while committing":
            person.description = "set while committing"

    event.listen(Session, "before_commit", late_edit)  # runs after the chain's own listener
    try:
        with case.session(actor="alice") as s:
            add_person(s, names=["Late Person"], id="person-late")
    finally:
        event.remove(Session, "before_commit", late_edit)
    with case.engine.connect() as conn:
        afters = [str(r[0]) for r in conn.execute(
            text("SELECT after FROM audit_log WHERE record_id='person-late' AND action='update'"))]
    assert any("set while committing" in a for a in afters)
    assert audit_check(case)["ok"]


def test_concurrent_writers_keep_one_unbroken_chain(case):
    import threading

    errors: list[BaseException] = []

    def writer(k: int) -> None:
        try:
            for i in range(5):
                with case.session(actor=f"w{k}") as s:
                    add_person(s, names=[f"Writer {k} Person {i}"], id=f"person-w{k}-{i}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    report = audit_check(case)
    assert report["ok"], report
    inserted = {r[3] for r in _chain(case) if r[1] == "insert" and r[2] == "person"}
    assert {f"person-w{k}-{i}" for k in range(4) for i in range(5)} <= inserted
