"""Anchors kept in a second database (issue #18: "writes it somewhere else: a file, a second database").

The case (either backend) anchors into another SQLite file or another PostgreSQL schema; `verify --anchors
URL` then catches truncation and hash-recomputing forgers exactly as a folder of anchors does.
"""

import json
import os
import random
import uuid

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from dadkhah.cli import app
from dadkhah.integrity import run_checks
from dadkhah.testing import integrity_case as ic
from dadkhah.vault.anchor import AnchorError, anchor_case, load_anchors

PG_URL = os.environ.get("DADKHAH_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _problems(result, check=None):
    return [p for c in result["checks"] if check in (None, c["name"]) for p in c["problems"]]


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request, tmp_path):
    """A database URL outside the case: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'anchors.db'}"
        return
    request.getfixturevalue("pg_schema")  # skips (or fails under CI) without a server
    schema = f"anchors_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://"))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def anchored(case, tmp_path, target, monkeypatch):
    monkeypatch.setenv("DADKHAH_ANCHOR_DIR", target)
    monkeypatch.setenv("DADKHAH_ANCHOR_EVERY", "1")
    ic.build(case, tmp_path / "files", list_rows=20)
    monkeypatch.delenv("DADKHAH_ANCHOR_DIR")
    monkeypatch.delenv("DADKHAH_ANCHOR_EVERY")
    return case


def test_automatic_anchors_land_in_the_second_database_and_prove_the_chain(anchored, target):
    found, problems = load_anchors(target)
    assert found and not problems
    result = run_checks(anchored, anchors=target, index=False)
    assert result["status"] == "intact", _problems(result)
    check = next(c for c in result["checks"] if c["name"] == "anchors")
    assert check["anchors"] == len(found) and check["latest"] == max(a["seq"] for a in found)


@pytest.mark.parametrize("attack", ["truncate", "forge-rewrite"])
def test_truncation_and_recomputing_forgers_are_caught_by_database_anchors(anchored, target, attack):
    forged = ic.forge_chain(anchored, attack, random.Random(2))
    assert not _problems(run_checks(anchored, index=False), "audit chain")  # consistent on its own…
    result = run_checks(anchored, anchors=target, index=False)
    assert result["status"] == "tampered"
    assert _problems(result, "anchors") and ic.named(result, forged)


def test_an_anchor_altered_in_the_database_is_refused(anchored, target):
    engine = create_engine(target.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        name, doc = conn.execute(text("SELECT name, document FROM dadkhah_anchor ORDER BY seq DESC")).first()
        a = json.loads(doc)
        a["time"] = "1988-07-19T00:00:00+00:00"  # backdated: the signature no longer covers it
        conn.execute(text("UPDATE dadkhah_anchor SET document = :d WHERE name = :n"), {"d": json.dumps(a), "n": name})
        other = conn.execute(text("SELECT name FROM dadkhah_anchor ORDER BY seq")).scalars().first()
        conn.execute(text("UPDATE dadkhah_anchor SET document = '{broken' WHERE name = :n"), {"n": other})
    engine.dispose()
    problems = _problems(run_checks(anchored, anchors=target, index=False), "anchors")
    assert any("signature" in p["problem"] for p in problems)
    assert any("not a readable anchor" in p["problem"] and other in p["file"] for p in problems)


def test_two_cases_share_one_anchor_database(anchored, target, sqlite_template, tmp_path):
    """Anchors are told apart by the signing key: another case's anchors are neither checked nor forgeries."""
    import shutil

    from dadkhah.case import Case

    shutil.copytree(sqlite_template, tmp_path / "other")
    other = Case.open(data_dir=tmp_path / "other", actor="tester")
    ic.build(other, tmp_path / "other-files", list_rows=5)
    anchor_case(other, target)
    for c in (anchored, other):
        result = run_checks(c, anchors=target, index=False)
        assert result["status"] == "intact", _problems(result)
    other.close()


def test_the_cases_own_database_is_refused_as_an_anchor_target(sqlite_case):
    with pytest.raises(AnchorError, match="outside the case"):
        anchor_case(sqlite_case, f"sqlite:///{sqlite_case.data_dir / 'case.sqlite'}")


def test_anchor_and_verify_commands_take_a_database_url(sqlite_case, tmp_path):
    ic.build(sqlite_case, tmp_path / "files", list_rows=5)
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    runner = CliRunner()
    data = str(sqlite_case.data_dir)
    made = runner.invoke(app, ["--data", data, "anchor", "--to", url, "--json"])
    assert made.exit_code == 0, made.output
    assert json.loads(made.stdout)["file"].startswith("sqlite:///")
    ok = runner.invoke(app, ["--data", data, "verify", "--anchors", url, "--json", "--no-index"])
    report = json.loads(ok.stdout)
    assert ok.exit_code == 0 and report["status"] == "intact"
    assert next(c for c in report["checks"] if c["name"] == "anchors")["anchors"] == 1
    bad = runner.invoke(app, ["--data", data, "anchor", "--to", "postgresql://nobody@127.0.0.1:1/none", "--json"])
    assert bad.exit_code != 0 and "anchor database" in bad.output


def test_a_backup_carries_the_anchors_of_a_database_target(anchored, target, tmp_path, sqlite_template):
    import shutil

    from dadkhah.backup import backup, restore
    from dadkhah.case import Case

    manifest = backup(anchored, tmp_path / "b.tar", anchors=target)
    assert manifest["anchors"] == len(load_anchors(target)[0]) > 0
    shutil.copytree(sqlite_template, tmp_path / "restored")
    restored = Case.open(data_dir=tmp_path / "restored")
    result = restore(restored, tmp_path / "b.tar", anchors_to=tmp_path / "restored-anchors")
    assert result["verify"]["status"] == "intact", result["verify"]
    assert next(c for c in result["verify"]["checks"] if c["name"] == "anchors")["ok"]
    restored.close()
