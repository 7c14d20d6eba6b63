"""The vault's command line, end to end: ingest → bundle → verify-bundle; witnesses; custody actions."""

from __future__ import annotations

import json
import zipfile

import pytest
from typer.testing import CliRunner

from dadkhah.cli import app

runner = CliRunner()


def run(data, *args, env=None):
    return runner.invoke(app, ["--data", str(data), "--actor", "tester", *args], env=env or {})


@pytest.fixture
def data(sqlite_case):
    return sqlite_case.data_dir


def test_ingest_then_bundle_then_verify_bundle_and_a_changed_byte_is_named(data, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("Khavaran cemetery map notes")
    (src / "b.txt").write_text("Testimony summary")
    (src / "empty.txt").write_bytes(b"")
    r = run(data, "ingest", str(src), "--json")
    assert r.exit_code == 1  # the empty file failed; the others are stored
    report = json.loads(r.stdout)
    assert report["stored"] == 2 and report["failed"] == 1
    items = [x["item_id"] for x in report["results"] if x["status"] == "stored"]
    bundle = tmp_path / "exhibits.zip"
    r = run(data, "bundle", "--item", items[0], "--item", items[1], "-o", str(bundle))
    assert r.exit_code == 0, r.output
    key = tmp_path / "signer.pem"
    assert run(data, "signing-key", "-o", str(key)).exit_code == 0
    r = run(data, "verify-bundle", str(bundle), "--public-key", str(key))
    assert r.exit_code == 0, r.output
    with zipfile.ZipFile(bundle) as z:
        info = next(i for i in z.infolist() if i.filename.startswith("data/originals/"))
    raw = bytearray(bundle.read_bytes())
    raw[info.header_offset + 30 + len(info.filename)] ^= 0x01
    bad = tmp_path / "bad.zip"
    bad.write_bytes(bytes(raw))
    r = run(data, "verify-bundle", str(bad), "--json")
    assert r.exit_code == 1
    assert info.filename in {p["file"] for p in json.loads(r.stdout)["problems"]}


def test_custody_actions_from_the_command_line_are_logged(data, tmp_path):
    (tmp_path / "x.txt").write_text("original")
    item = json.loads(run(data, "ingest", str(tmp_path / "x.txt"), "--json").stdout)["results"][0]["item_id"]
    assert run(data, "evidence", "annotate", item, "compared with the paper copy").exit_code == 0
    assert run(data, "evidence", "transfer", item, "--to", "Prosecutor's office").exit_code == 0
    assert run(data, "evidence", "view", item).exit_code == 0
    assert run(data, "evidence", "export", item, "-o", str(tmp_path / "copy.txt")).exit_code == 0
    assert (tmp_path / "copy.txt").read_text() == "original"
    shown = json.loads(run(data, "evidence", "show", item, "--json").stdout)
    assert [e["action"] for e in shown["custody"]] == ["ingest", "derive", "annotate", "transfer", "view", "export"]
    assert run(data, "evidence", "show", "item-doesnotexist").exit_code == 1


def test_protected_witness_commands_keep_the_identity_behind_the_key(data, tmp_path):
    key = tmp_path / "w.key"
    key.write_text("ab" * 32)
    env = {"DADKHAH_WITNESS_KEY_FILE": str(key)}
    r = run(data, "witness", "init-key", "--key-file", str(key))
    assert r.exit_code == 0 and len(r.stdout.strip()) > 20  # the recovery code
    r = run(data, "witness", "add", "--name", "Real Name Here", "--pseudonym", "W-CLI1", "--json", env=env)
    assert r.exit_code == 0, r.output
    pid = json.loads(r.stdout)["id"]
    shown = run(data, "witness", "show", pid, "--json", env=env)
    assert "Real Name Here" not in shown.stdout and "W-CLI1" in shown.stdout
    no_purpose = run(data, "witness", "show", pid, "--unmask", "--json", env=env)
    assert no_purpose.exit_code == 1 and "purpose" in no_purpose.output and "Real Name" not in no_purpose.output
    why = ["--purpose", "re-interview before the hearing"]
    unmasked = run(data, "witness", "show", pid, "--unmask", *why, "--json", env=env)
    assert json.loads(unmasked.stdout)["identity"]["names"][0]["text"] == "Real Name Here"
    locked = run(data, "witness", "show", pid, "--unmask", *why)
    assert locked.exit_code == 1 and "locked" in locked.output
    new_key = tmp_path / "new.key"
    new_key.write_text("cd" * 32)
    assert run(data, "witness", "rotate-key", "--new-key-file", str(new_key), env=env).exit_code == 0
    assert run(data, "witness", "show", pid, "--unmask", *why, env=env).exit_code == 1  # the old key no longer opens it
    r = run(data, "witness", "show", pid, "--unmask", *why, "--json", env={"DADKHAH_WITNESS_KEY_FILE": str(new_key)})
    assert json.loads(r.stdout)["identity"]["names"][0]["text"] == "Real Name Here"


def test_a_testimony_naming_a_protected_witness_warns_on_stderr_and_search_masks_it(data, tmp_path):
    """The issue's reproduction at the command line: `witness add`, an ordinary person's restricted
    testimony naming the witness; the writer is warned; `search --audience restricted` shows no name."""
    key = tmp_path / "w.key"
    key.write_text("ab" * 32)
    env = {"DADKHAH_WITNESS_KEY_FILE": str(key)}
    assert run(data, "witness", "init-key", "--key-file", str(key)).exit_code == 0
    assert run(data, "witness", "add", "--name", "Canaryzad Quxbeh", "--pseudonym", "W-CQ02", env=env).exit_code == 0
    r = run(data, "add", "person", "--name", "Reza Ordinary", "--json")
    pid = json.loads(r.stdout)["id"]
    transcript = tmp_path / "t.txt"
    transcript.write_text("I was held with Canaryzad Quxbeh in ward 2.", encoding="utf-8")
    r = run(data, "testimony", "add", "--witness", pid, "--transcript", str(transcript), "--sensitivity",
            "restricted", "--json", env=env)
    assert r.exit_code == 0, r.output
    assert "warning:" in r.stderr and "names a protected witness" in r.stderr and "W-CQ02" in r.stderr
    assert json.loads(r.stdout)["id"]  # stdout stays one JSON document
    found = run(data, "search", "Quxbeh", "--audience", "restricted", "--json")
    assert found.exit_code == 0 and "quxbeh" not in found.stdout.lower()
    found = run(data, "search", "ward", "--audience", "restricted", "--json")
    assert "W-CQ02" in found.stdout and "quxbeh" not in found.stdout.lower()
