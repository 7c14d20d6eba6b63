"""Whole backups: backup → restore gives identical rows, chain and files, on both backends and across them;
a backup that was changed is refused. (Issue #18: `export --format jsonl` lost every stored file and the
audit history, and after such a restore a forged custody log passed `verify`.)"""

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from dadkhah.backup import BackupError, backup, restore
from dadkhah.case import Case
from dadkhah.cli import app
from dadkhah.integrity import run_checks
from dadkhah.testing import integrity_case as ic


def _content(case) -> dict:
    with case.engine.connect() as conn:
        rows = {t.name: sorted(json.dumps(dict(r), default=str, sort_keys=True)
                               for r in conn.execute(t.select()).mappings())
                for t in ic.audited_tables(case)}
    return rows


def _files(case) -> dict:
    from dadkhah.vault.blobs import NAMESPACES

    return {(ns, h): hashlib.sha256(case.blobs.read_bytes(h, ns)).hexdigest()
            for ns in NAMESPACES for h in case.blobs.iter_hashes(ns)}


@pytest.fixture
def empty_sqlite(tmp_path, sqlite_template):
    import shutil

    shutil.copytree(sqlite_template, tmp_path / "restored")
    c = Case.open(data_dir=tmp_path / "restored")
    yield c
    c.close()


def test_backup_and_restore_round_trip_identically(built, tmp_path, empty_sqlite, anchors):
    """On each backend as the source; restored into SQLite (so PostgreSQL → SQLite is covered too)."""
    manifest = backup(built, tmp_path / "b.tar", anchors=anchors)
    assert manifest["anchors"] > 0 and manifest["files"] >= 4
    result = restore(empty_sqlite, tmp_path / "b.tar", anchors_to=tmp_path / "restored-anchors")
    assert result["verify"]["status"] == "intact", result["verify"]
    assert _content(empty_sqlite) == _content(built)
    assert _files(empty_sqlite) == _files(built)
    src, dst = run_checks(built, index=False), result["verify"]
    assert dst["head"] == src["head"]  # the chain is carried intact, entry for entry
    assert next(c for c in dst["checks"] if c["name"] == "anchors")["ok"]


def test_sqlite_backup_restores_into_postgresql(case, tmp_path, sqlite_template):
    import shutil

    if case.backend != "postgresql":
        pytest.skip("the PostgreSQL target")
    shutil.copytree(sqlite_template, tmp_path / "src")
    sqlite_case = Case.open(data_dir=tmp_path / "src")
    ic.build(sqlite_case, tmp_path / "files", list_rows=30)
    backup(sqlite_case, tmp_path / "b.tar.gz")
    result = restore(case, tmp_path / "b.tar.gz")
    assert result["verify"]["status"] == "intact", result["verify"]
    assert result["verify"]["head"] == run_checks(sqlite_case, index=False)["head"]
    assert _files(case) == _files(sqlite_case)
    assert _content(case).keys() == _content(sqlite_case).keys()
    sqlite_case.close()


def _rewrite(src: Path, dst: Path, change, *, fix_manifest: bool = False) -> None:
    with tarfile.open(src) as tin:
        members = {m.name: tin.extractfile(m).read() for m in tin.getmembers()}
    name, data = change(members)
    members[name] = data
    if fix_manifest:  # a careful forger also updates the manifest's sums
        manifest = json.loads(members["manifest.json"])
        manifest["members"][name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        members["manifest.json"] = json.dumps(manifest).encode()
    with tarfile.open(dst, "w") as tout:
        for n, d in members.items():
            info = tarfile.TarInfo(n)
            info.size = len(d)
            tout.addfile(info, io.BytesIO(d))


def _flip_blob(members):
    name = next(n for n in members if n.startswith("blobs/sha256/"))
    data = bytearray(members[name])
    data[0] ^= 1
    return name, bytes(data)


def _forge_custody(members):
    lines = members["rows.jsonl"].decode().splitlines()
    for i, line in enumerate(lines):
        rec = json.loads(line)
        if rec.get("table") == "custody_event":
            rec["row"]["actor"] = "mallory"
            lines[i] = json.dumps(rec)
            break
    return "rows.jsonl", ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize("change,fix,expect", [
    (_flip_blob, False, "does not match the manifest"),
    (_forge_custody, False, "does not match the manifest"),
    (_forge_custody, True, "do not match the restored audit chain"),
])
def test_a_changed_backup_is_refused_and_nothing_is_restored(sqlite_case, tmp_path, empty_sqlite, change, fix,
                                                             expect):
    ic.build(sqlite_case, tmp_path / "files", list_rows=30)
    backup(sqlite_case, tmp_path / "b.tar")
    _rewrite(tmp_path / "b.tar", tmp_path / "bad.tar", change, fix_manifest=fix)
    with pytest.raises(BackupError, match=expect):
        restore(empty_sqlite, tmp_path / "bad.tar")
    with empty_sqlite.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_log")).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM entity")).scalar() == 0


def test_restore_refuses_a_case_that_is_not_empty(sqlite_case, tmp_path):
    ic.build(sqlite_case, tmp_path / "files", list_rows=30)
    backup(sqlite_case, tmp_path / "b.tar")
    with pytest.raises(BackupError, match="not empty"):
        restore(sqlite_case, tmp_path / "b.tar")


def test_backup_and_restore_commands(sqlite_case, tmp_path):
    ic.build(sqlite_case, tmp_path / "files", list_rows=30)
    runner = CliRunner()
    res = runner.invoke(app, ["--data", str(sqlite_case.data_dir), "backup", "-o", str(tmp_path / "b.tar"), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["audit"]["entries"] > 10
    res = runner.invoke(app, ["check-backup", str(tmp_path / "b.tar"), "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["ok"]
    res = runner.invoke(app, ["--data", str(tmp_path / "new"), "restore", str(tmp_path / "b.tar"), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["verify"]["status"] == "intact"


def test_jsonl_export_says_it_is_not_a_backup_and_its_import_is_proven(sqlite_case, tmp_path, empty_sqlite):
    ic.build(sqlite_case, tmp_path / "files", list_rows=30)
    runner = CliRunner()
    res = runner.invoke(app, ["--data", str(sqlite_case.data_dir), "export", "-o", str(tmp_path / "c.jsonl")])
    assert res.exit_code == 0 and "not a backup" in res.stderr.replace("\n", " ")
    from dadkhah.interchange.jsonl import import_jsonl

    import_jsonl(empty_sqlite, tmp_path / "c.jsonl")
    result = run_checks(empty_sqlite, index=False)
    rows = next(c for c in result["checks"] if c["name"] == "rows")
    assert rows["ok"] and rows["unprovable"] == 0  # every imported row's digest is in the chain
    # the files are not in a JSON Lines file: verify says so, naming each one
    assert any("vanished" in p["problem"] for c in result["checks"] for p in c["problems"])
    with empty_sqlite.engine.begin() as conn:
        conn.execute(text("UPDATE custody_event SET actor = 'mallory' WHERE id = (SELECT min(id) FROM custody_event)"))
    problems = [p for c in run_checks(empty_sqlite, index=False)["checks"] if c["name"] == "rows"
                for p in c["problems"]]
    assert any(p["table"] == "custody_event" for p in problems)
