"""`dadkhah verify` re-hashes every original and derived file and checks every custody log:
one flipped byte anywhere is detected and named."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from dadkhah.access import SYSTEM
from dadkhah.ingest import IngestOptions, ingest_paths
from dadkhah.integrity import run_checks
from dadkhah.vault import evidence
from dadkhah.vault.integrity import check
from dadkhah.vault.tables import CustodyEvent, DerivedFile, EvidenceItem


def _flip(path, offset: int = 0) -> None:
    os.chmod(path, 0o644)
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.fixture
def ingested(case, tmp_path):
    (tmp_path / "a.txt").write_text("Report on the Ahvaz mass grave")
    (tmp_path / "b.txt").write_text("Minutes of the death commission")
    report = ingest_paths(case, [tmp_path / "a.txt", tmp_path / "b.txt"], options=IngestOptions(ocr=False))
    with case.session() as s:
        evidence.annotate(s, report.results[0].item_id, "checked against the archive copy")
    return {r.path.rsplit("/", 1)[-1]: r.item_id for r in report.results}


def test_an_intact_vault_verifies(case, ingested):
    result = check(case)
    assert result["ok"], result["problems"]
    assert result["items"] == 2 and result["derived"] == 2 and result["custody_entries"] == 5


def test_a_flipped_byte_in_an_original_is_detected_and_named(case, ingested):
    with case.reader(SYSTEM) as s:
        sha = s.get(EvidenceItem, ingested["a.txt"]).sha256
    _flip(case.blobs.path(sha), 3)
    problems = check(case)["problems"]
    assert len(problems) == 1
    assert problems[0]["item"] == ingested["a.txt"] and problems[0]["kind"] == "original"
    assert problems[0]["file"].endswith(sha) and problems[0]["problem"].startswith("changed")


def test_a_vanished_original_is_detected_and_named(case, ingested):
    with case.reader(SYSTEM) as s:
        sha = s.get(EvidenceItem, ingested["b.txt"]).sha256
    case.blobs.path(sha).unlink()
    [problem] = check(case)["problems"]
    assert problem["item"] == ingested["b.txt"] and problem["problem"].startswith("vanished")


def test_a_flipped_byte_in_a_derived_file_is_detected_and_named(case, ingested):
    with case.reader(SYSTEM) as s:
        sha = s.query(DerivedFile).filter_by(item_id=ingested["a.txt"]).one().sha256
    _flip(case.blobs.path(sha, "derived"), 0)
    [problem] = check(case)["problems"]
    assert problem["item"] == ingested["a.txt"] and problem["kind"] == "derived text"
    assert "derived" in problem["file"]


def test_a_custody_entry_altered_behind_the_tools_back_is_detected_and_named(case, ingested):
    item_id = ingested["a.txt"]
    with case.engine.begin() as conn:
        conn.execute(text("UPDATE custody_event SET actor = 'mallory' WHERE item_id = :i AND seq = 3"), {"i": item_id})
    problems = check(case)["problems"]
    assert problems and all(p["item"] == item_id for p in problems)
    assert any(p["file"] == f"custody log of {item_id}, entry 3" and "altered" in p["problem"] for p in problems)


def test_a_custody_entry_rewritten_with_a_recomputed_hash_still_differs_from_the_audit_log(case, ingested):
    from dadkhah.vault.custody import custody_hash

    item_id = ingested["a.txt"]
    with case.reader(SYSTEM) as s:
        e = s.query(CustodyEvent).filter_by(item_id=item_id, seq=3).one()
        new_details = {"note": "a different annotation"}
        forged = custody_hash(item_id, 3, e.ts, e.actor, e.action, new_details, e.prev_hash)
        event_id = e.id
    with case.engine.begin() as conn:
        conn.execute(CustodyEvent.__table__.update().where(CustodyEvent.id == event_id)
                     .values(details=new_details, hash=forged))
    problems = check(case)["problems"]
    assert any(p["file"] == f"custody log of {item_id}, entry 3" and "differs from the audit log" in p["problem"]
               for p in problems)


def test_a_deleted_custody_entry_is_detected(case, ingested):
    item_id = ingested["a.txt"]
    with case.engine.begin() as conn:
        conn.execute(text("DELETE FROM custody_event WHERE item_id = :i AND seq = 2"), {"i": item_id})
    problems = check(case)["problems"]
    assert any("entry 2 is missing" in p["problem"] for p in problems)
    assert any("vanished" in p["problem"] and p["item"] == item_id for p in problems)


def test_verify_runs_the_originals_check_beside_the_audit_chain(case, ingested):
    result = run_checks(case)
    assert result["ok"]
    assert {"audit chain", "rows", "originals"} <= {c["name"] for c in result["checks"]}


def test_an_s3_backed_case_is_verified_the_same_way(case, tmp_path, monkeypatch):
    moto = pytest.importorskip("moto")
    import boto3

    for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(k, "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("DADKHAH_S3_ENDPOINT", raising=False)
    with moto.mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="vault")
        case.blob_spec, case._blobs = "s3://vault/c1", None
        (tmp_path / "x.txt").write_text("stored in object storage")
        [r] = ingest_paths(case, [tmp_path / "x.txt"], options=IngestOptions(ocr=False)).results
        assert check(case)["ok"]
        key = f"c1/sha256/{r.sha256[:2]}/{r.sha256[2:4]}/{r.sha256}"
        client.put_object(Bucket="vault", Key=key, Body=b"stored in object storagE")
        [problem] = check(case)["problems"]
        assert problem["item"] == r.item_id and problem["file"] == f"s3://vault/{key}"


def test_custody_logs_survive_an_internal_export_and_import_into_a_new_case(case, ingested, tmp_path, sqlite_template):
    import shutil

    from dadkhah.case import Case
    from dadkhah.interchange.jsonl import export_jsonl, import_jsonl

    export_jsonl(case, tmp_path / "case.jsonl", SYSTEM)
    shutil.copytree(sqlite_template, tmp_path / "copy")
    shutil.copytree(case.data_dir / "blobs", tmp_path / "copy" / "blobs")
    with Case.open(data_dir=tmp_path / "copy", actor="tester") as copy:
        import_jsonl(copy, tmp_path / "case.jsonl")
        result = check(copy)
    assert result["ok"], result["problems"]
    assert result["custody_entries"] == 5
