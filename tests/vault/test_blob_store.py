"""The content-addressed blob store: a local folder by default, S3-compatible object storage for servers."""

from __future__ import annotations

import hashlib
import os

import pytest

from dadkhah.vault.blobs import (
    BlobChanged,
    BlobError,
    BlobMissing,
    LocalBlobStore,
    S3BlobStore,
    blob_key,
    open_blob_store,
)


def test_a_blob_is_stored_under_the_sha256_of_its_exact_bytes(tmp_path):
    store = LocalBlobStore(tmp_path / "blobs")
    src = tmp_path / "f.bin"
    src.write_bytes(b"exhibit A")
    stored = store.put_file(src)
    digest = hashlib.sha256(b"exhibit A").hexdigest()
    assert stored.sha256 == digest and stored.created
    assert store.path(digest) == tmp_path / "blobs" / "sha256" / digest[:2] / digest[2:4] / digest
    assert store.read_bytes(digest) == b"exhibit A"
    assert store.path(digest).stat().st_mode & 0o777 == 0o444


def test_identical_bytes_are_written_once(tmp_path):
    store = LocalBlobStore(tmp_path)
    first = store.put_bytes(b"same")
    second = store.put_bytes(b"same")
    assert first.sha256 == second.sha256 and first.created and not second.created
    assert list(store.iter_hashes()) == [first.sha256]


def test_derived_files_live_apart_from_originals(tmp_path):
    store = LocalBlobStore(tmp_path)
    store.put_bytes(b"original")
    d = store.put_bytes(b"extracted text", namespace="derived")
    assert store.exists(d.sha256, "derived") and not store.exists(d.sha256, "sha256")
    assert (tmp_path / blob_key(d.sha256, "derived")).is_file()


def test_a_file_that_changes_while_being_stored_is_refused_and_leaves_nothing(tmp_path):
    store = LocalBlobStore(tmp_path / "blobs")
    src = tmp_path / "f.bin"
    src.write_bytes(b"version 2")
    with pytest.raises(BlobChanged, match="modified during ingest"):
        store.put_file(src, expected=hashlib.sha256(b"version 1").hexdigest())
    assert list(store.iter_hashes()) == []
    assert list((tmp_path / "blobs" / "tmp").iterdir()) == []


def test_temporary_files_of_dead_writers_are_swept_and_never_counted(tmp_path):
    store = LocalBlobStore(tmp_path)
    store.tmp.mkdir(parents=True)
    dead = store.tmp / "999999999-abc.part"  # no such process
    dead.write_bytes(b"half")
    mine = store.tmp / f"{os.getpid()}-def.part"
    mine.write_bytes(b"in progress")
    assert list(store.iter_hashes()) == []
    assert store.sweep_temp() == 1
    assert not dead.exists() and mine.exists()


def test_a_missing_blob_is_reported_by_name(tmp_path):
    store = LocalBlobStore(tmp_path)
    with pytest.raises(BlobMissing, match="sha256/00/00/0000"):
        store.open("0" * 64)


def test_only_hex_sha256_addresses_are_accepted(tmp_path):
    with pytest.raises(BlobError, match="not a SHA-256"):
        LocalBlobStore(tmp_path).path("../../etc/passwd")


def test_the_blob_store_spec_chooses_folder_or_s3(tmp_path):
    assert isinstance(open_blob_store(None, tmp_path), LocalBlobStore)
    assert open_blob_store(None, tmp_path).root == tmp_path / "blobs"
    assert open_blob_store(str(tmp_path / "elsewhere"), tmp_path).root == tmp_path / "elsewhere"
    with pytest.raises(BlobError, match="unsupported blob store"):
        open_blob_store("ftp://host/x", tmp_path)


@pytest.fixture
def s3(monkeypatch):
    moto = pytest.importorskip("moto")
    import boto3

    for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(k, "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("DADKHAH_S3_ENDPOINT", raising=False)
    with moto.mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="evidence")
        yield client


def test_s3_store_keeps_originals_under_their_hash_and_never_overwrites(s3, tmp_path):
    store = open_blob_store("s3://evidence/case-1", tmp_path)
    assert isinstance(store, S3BlobStore)
    src = tmp_path / "f.pdf"
    src.write_bytes(b"%PDF-1.4 exhibit")
    stored = store.put_file(src)
    digest = hashlib.sha256(b"%PDF-1.4 exhibit").hexdigest()
    assert stored.sha256 == digest and stored.created
    key = f"case-1/sha256/{digest[:2]}/{digest[2:4]}/{digest}"
    assert s3.get_object(Bucket="evidence", Key=key)["Body"].read() == b"%PDF-1.4 exhibit"
    assert not store.put_file(src).created
    assert store.rehash(digest) == (digest, len(b"%PDF-1.4 exhibit"))
    assert list(store.iter_hashes()) == [digest]
    d = store.put_bytes(b"text", namespace="derived")
    assert store.read_bytes(d.sha256, "derived") == b"text"
    with store.local_path(digest) as p:
        assert p.read_bytes() == b"%PDF-1.4 exhibit"


def test_s3_store_reports_a_missing_object(s3, tmp_path):
    store = open_blob_store("s3://evidence", tmp_path)
    with pytest.raises(BlobMissing):
        store.rehash("a" * 64)
