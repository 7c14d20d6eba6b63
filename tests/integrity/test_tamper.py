"""`verify` proves the content of every table, names what was changed behind the tool's back, and never crashes.

Each test here reproduces one failure reported in issue #18 (an examiner's tampering that `verify` missed,
or a damaged value that crashed it); every one of them passed `verify` or crashed it before.
"""

import random

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from dadkhah.cli import app
from dadkhah.integrity import run_checks
from dadkhah.testing import integrity_case as ic


def _problems(result, check=None):
    return [p for c in result["checks"] if check in (None, c["name"]) for p in c["problems"]]


def _sql(case, statement, **params):
    with case.engine.begin() as conn:
        conn.execute(text(statement), params)


def test_the_built_case_is_intact(built):
    result = run_checks(built)
    assert result["status"] == "intact", _problems(result)
    rows = next(c for c in result["checks"] if c["name"] == "rows")
    assert rows["rows"] > 100 and rows["unprovable"] == 0


def test_multiplying_a_death_toll_behind_the_tools_back_is_named(built):
    _sql(built, "UPDATE claim SET value_low = value_low * 10, value_high = value_high * 10 "
                "WHERE predicate = 'death_toll'")
    result = run_checks(built)
    assert result["status"] == "tampered"
    named = {(p["table"], p["record"]) for p in _problems(result, "rows")}
    assert {("claim", "claim-toll"), ("claim", "claim-p1")} <= named
    p = next(p for p in _problems(result, "rows") if p["record"] == "claim-toll")
    assert set(p["columns"]) == {"value_low", "value_high"}


def test_deleting_a_claim_is_named_with_its_citations(built):
    _sql(built, "DELETE FROM citation WHERE claim_id = 'claim-toll'")
    _sql(built, "DELETE FROM claim WHERE id = 'claim-toll'")
    problems = _problems(run_checks(built), "rows")
    assert any(p["table"] == "claim" and p["record"] == "claim-toll" and "vanished" in p["problem"]
               for p in problems)
    assert any(p["table"] == "citation" for p in problems)


def test_renaming_a_perpetrators_name_form_is_named(built):
    with built.engine.connect() as conn:
        nid = conn.execute(text("SELECT id FROM name_form WHERE entity_id = 'person-0'")).scalar()
    _sql(built, "UPDATE name_form SET text = 'Someone Else' WHERE id = :i", i=nid)
    problems = _problems(run_checks(built), "rows")
    assert [(p["table"], p["record"], p["columns"]) for p in problems] == [("name_form", str(nid), ["text"])]


def test_corrupting_a_witness_identity_is_named(built):
    with built.engine.connect() as conn:
        pid, blob = conn.execute(text("SELECT person_id, ciphertext FROM witness_identity")).first()
    blob = bytearray(blob)
    blob[5] ^= 0xFF
    _sql(built, "UPDATE witness_identity SET ciphertext = :c WHERE person_id = :p", c=bytes(blob), p=pid)
    problems = _problems(run_checks(built), "rows")
    assert any(p["table"] == "witness_identity" and p["record"] == pid for p in problems)


def test_deleting_list_records_is_named_record_by_record(built):
    with built.engine.connect() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT id FROM list_record ORDER BY id LIMIT 10"))]
    _sql(built, f"DELETE FROM list_record WHERE id IN ({', '.join(map(str, ids))})")
    problems = _problems(run_checks(built), "rows")
    vanished = {p["record"] for p in problems if p["table"] == "list_record" and "vanished" in p["problem"]}
    assert vanished == {str(i) for i in ids}


def test_editing_a_bulk_written_list_record_is_named(built):
    with built.engine.connect() as conn:
        rid = conn.execute(text("SELECT id FROM list_record WHERE status = 'withdrawn' LIMIT 1")).scalar()
    assert rid is not None  # the re-import withdrew some: they were bulk-updated
    _sql(built, "UPDATE list_record SET status = 'active' WHERE id = :i", i=rid)
    problems = _problems(run_checks(built), "rows")
    assert [(p["table"], p["record"]) for p in problems] == [("list_record", str(rid))]


def test_a_row_inserted_behind_the_tools_back_is_named(built):
    _sql(built, "INSERT INTO entity (id, kind, label, sensitivity, extra, created_at, updated_at) "
                "VALUES ('person-ghost', 'person', 'Ghost', 'public', '{}', :t, :t)", t="2020-01-01 00:00:00")
    problems = _problems(run_checks(built), "rows")
    assert any(p["record"] == "person-ghost" and "unaudited" in p["problem"] for p in problems)


def test_a_corrupted_stored_list_file_is_named(built):
    with built.engine.connect() as conn:
        sha = conn.execute(text("SELECT file_sha256 FROM list_import ORDER BY id LIMIT 1")).scalar()
    path = built.blobs.path(sha)
    path.chmod(0o644)
    path.write_bytes(path.read_bytes() + b"x")
    problems = _problems(run_checks(built), "list files")
    assert len(problems) == 1 and "changed" in problems[0]["problem"]


def test_repointing_an_exhibit_at_a_planted_file_is_caught(built):
    planted = built.blobs.put_bytes(b"a planted document")
    with built.engine.connect() as conn:
        item = conn.execute(text("SELECT id FROM evidence_item ORDER BY id LIMIT 1")).scalar()
    _sql(built, "UPDATE evidence_item SET sha256 = :s, size = :n WHERE id = :i", s=planted.sha256,
         n=planted.size, i=item)
    result = run_checks(built)
    originals = _problems(result, "originals")
    assert any(p["item"] == item and "repointed" in p["problem"] for p in originals)
    assert any(p["table"] == "evidence_item" and p["record"] == item for p in _problems(result, "rows"))


def test_every_table_random_edits_and_deletions_are_detected_and_named(built):
    """The tamper bench in small: one random edit and one deletion in every table that has rows."""
    rng = random.Random(18)
    snapshot = _snapshot(built)
    tried = 0
    for table in ic.audited_tables(built):
        for attack in (ic.tamper_edit, ic.tamper_delete):
            target = attack(built, table, rng)
            if target is None:
                continue
            tried += 1
            result = run_checks(built, index=False)
            assert result["status"] == "tampered", (attack.__name__, target)
            assert ic.named(result, target), (attack.__name__, target, _problems(result)[:3])
            _restore(built, snapshot)
    assert tried >= 30


def _snapshot(case):
    with case.engine.connect() as conn:
        return {t.name: [dict(r) for r in conn.execute(t.select()).mappings()] for t in ic.audited_tables(case)}


def _restore(case, snapshot):
    tables = ic.audited_tables(case)
    with case.engine.begin() as conn:
        if case.backend == "sqlite":
            conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        else:
            conn.exec_driver_sql("SET CONSTRAINTS ALL DEFERRED")
        for t in reversed(tables):
            conn.execute(t.delete())
        for t in tables:
            if snapshot[t.name]:
                conn.execute(t.insert(), snapshot[t.name])
    assert run_checks(case, index=False)["status"] == "intact"


# --- the chain itself, and anchors --------------------------------------------------------------------

@pytest.mark.parametrize("attack", ["edit-entry", "delete-entry", "reorder"])
def test_chain_attacks_are_named(built, attack):
    target = ic.forge_chain(built, attack, random.Random(1))
    result = run_checks(built, index=False)
    assert result["status"] == "tampered"
    assert ic.named(result, target)


@pytest.mark.parametrize("attack", ["truncate", "forge-append", "forge-rewrite"])
def test_truncation_and_recomputing_forgers_pass_the_chain_but_not_the_anchors(built, anchors, attack):
    target = ic.forge_chain(built, attack, random.Random(1))
    without = run_checks(built, index=False)
    assert not _problems(without, "audit chain")  # a recomputed chain is internally consistent…
    result = run_checks(built, anchors=str(anchors), index=False)
    assert result["status"] == "tampered"
    assert _problems(result, "anchors") and ic.named(result, target)


def test_a_forged_anchor_is_refused(built, anchors, tmp_path):
    import json

    files = sorted(anchors.glob("*.json"))
    a = json.loads(files[-1].read_text())
    a["head"] = "0" * 64
    files[-1].write_text(json.dumps(a))
    problems = _problems(run_checks(built, anchors=str(anchors), index=False), "anchors")
    assert any("signature" in p["problem"] for p in problems)


# --- never a traceback ----------------------------------------------------------------------------------

def test_damaged_values_are_reported_not_raised_sqlite(built):
    """Broken JSON in an audit entry and in a row, a bad timestamp, invalid UTF-8, a sha256 that is a date."""
    if built.backend != "sqlite":
        pytest.skip("PostgreSQL refuses these values itself")
    _sql(built, "UPDATE audit_log SET after = '{broken' WHERE seq = 3")
    _sql(built, "UPDATE audit_log SET ts = 'yesterday' WHERE seq = 4")
    _sql(built, "UPDATE list_record SET fields = '{not json' WHERE id = (SELECT min(id) FROM list_record)")
    _sql(built, "UPDATE entity SET label = CAST(x'ff00fe' AS TEXT) WHERE id = 'person-3'")
    _sql(built, "UPDATE evidence_item SET sha256 = '1367-05-08T00:00:00' WHERE id = (SELECT min(id) FROM "
                "evidence_item)")
    _sql(built, "UPDATE custody_event SET details = '[[[' WHERE id = (SELECT min(id) FROM custody_event)")
    result = run_checks(built)
    assert result["status"] == "tampered"
    chain = {p["entry"] for p in _problems(result, "audit chain")}
    assert {3, 4} <= chain
    rows = {(p["table"], p["record"]) for p in _problems(result, "rows")}
    assert ("entity", "person-3") in rows and any(t == "list_record" for t, _ in rows)
    assert any("not a SHA-256" in p["problem"] for p in _problems(result, "originals"))


def test_a_half_truncated_database_is_reported_as_unreadable(sqlite_case, tmp_path):
    ic.build(sqlite_case, tmp_path / "files", list_rows=30)
    path = sqlite_case.data_dir / "case.sqlite"
    with sqlite_case.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    sqlite_case.engine.dispose()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    runner = CliRunner()
    res = runner.invoke(app, ["--data", str(sqlite_case.data_dir), "verify", "--json", "--no-index"])
    assert res.exception is None or isinstance(res.exception, SystemExit), res.output
    import json

    report = json.loads(res.stdout)
    assert res.exit_code in (1, 2) and report["status"] in ("tampered", "unreadable")
    assert any(p.get("severity") == "unreadable" or "integrity" in p["problem"] for p in _problems(report))


def test_verify_exit_codes_and_json(sqlite_case, tmp_path):
    import json

    ic.build(sqlite_case, tmp_path / "files", list_rows=30)
    runner = CliRunner()
    data = str(sqlite_case.data_dir)
    ok = runner.invoke(app, ["--data", data, "verify", "--json"])
    assert ok.exit_code == 0 and json.loads(ok.stdout)["status"] == "intact"
    _sql(sqlite_case, "UPDATE person SET father_name = 'x' WHERE id = 'person-1'")
    bad = runner.invoke(app, ["--data", data, "verify", "--json"])
    report = json.loads(bad.stdout)
    assert bad.exit_code == 1 and report["status"] == "tampered"
    assert any(p.get("record") == "person-1" for p in _problems(report, "rows"))


def test_an_edited_search_index_written_by_this_build_is_tampering(built):
    """The same build derives the same entries: a facet changed in place (the bench's one miss, a flipped
    byte in a ``search_doc`` row) is an edit behind the tool's back, not a stale index."""
    _sql(built, "UPDATE search_doc SET body = 'nothing to see' WHERE record_id = 'person-0'")
    result = run_checks(built)
    assert result["status"] == "tampered"
    problems = _problems(result, "search index")
    assert problems and all(p["severity"] == "tampered" for p in problems)
    assert any("person-0" in p["record"] for p in problems)


def test_a_search_index_row_planted_or_removed_is_tampering(built):
    _sql(built, "DELETE FROM search_doc WHERE record_id = 'person-1' AND part LIKE 'name%'")
    result = run_checks(built)
    assert result["status"] == "tampered"
    assert any("person-1" in p["record"] and "missing" in p["problem"] for p in _problems(result, "search index"))


def test_a_search_index_written_by_another_build_is_stale(built):
    """An upgrade changes the name rules: entries another build wrote differ, and `verify` says run reindex."""
    _sql(built, "UPDATE search_doc SET rules = 'an-older-build'")
    assert run_checks(built)["status"] == "intact"  # the same entries: nothing to say
    _sql(built, "UPDATE search_doc SET keys = 'old-keys' WHERE record_id = 'person-0'")
    result = run_checks(built)
    assert result["status"] == "stale"
    assert all(p["severity"] == "stale" and "reindex" in p["problem"] for p in _problems(result, "search index"))


def test_the_full_text_index_disagreeing_with_its_content_is_tampering(built):
    if built.backend != "sqlite":
        pytest.skip("FTS5 is SQLite's full-text index")
    with built.engine.begin() as conn:  # change the content table without the triggers that keep FTS5 in step
        conn.exec_driver_sql("DROP TRIGGER search_doc_au")
        conn.exec_driver_sql("UPDATE search_doc SET body = 'nothing to see' WHERE record_id = 'person-0'")
    result = run_checks(built)
    assert result["status"] == "tampered"
    assert any(p.get("table") == "search_fts" for p in _problems(result, "database"))


def test_orm_bulk_delete_statements_are_audited_row_by_row(case):
    """`session.execute(delete(...))` (e.g. ending a user's web sessions) is in the chain, so verify stays exact."""
    import datetime as dt

    from sqlalchemy import delete

    from dadkhah.web.tables import WebSession, WebUser

    with case.session() as s:
        u = WebUser(name="u1", role="viewer")
        s.add(u)
        s.flush()
        now = dt.datetime(2026, 1, 1)
        s.add_all([WebSession(id=f"s{i}", user_id=u.id, created_at=now, expires_at=now) for i in range(3)])
    with case.session() as s:
        s.execute(delete(WebSession).where(WebSession.id.in_(["s0", "s1"])))
    assert run_checks(case, index=False)["status"] == "intact"
    _sql(case, "DELETE FROM web_session WHERE id = 's2'")
    problems = _problems(run_checks(case, index=False), "rows")
    assert [(p["table"], p["record"]) for p in problems] == [("web_session", "s2")]
