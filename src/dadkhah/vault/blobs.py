"""The content-addressed store of originals and derived files.

Every stored file is addressed by the SHA-256 of its exact bytes and written once:

- originals live under ``sha256/ab/cd/<hash>``;
- derived files (extracted text, OCR, thumbnails, transcripts, working copies) live apart, under
  ``derived/ab/cd/<hash>``, and are linked to their original by a database row
  (:class:`dadkhah.vault.tables.DerivedFile`).

Two back ends share one interface (:class:`BlobStore`):

- :class:`LocalBlobStore` — a folder (default ``<data>/blobs``). A file is streamed into a temporary file
  in the same file system (``tmp/``), hashed on the way, fsync'ed, then renamed atomically into place
  and made read-only. A process killed mid-write leaves only a temporary file, never a half-written
  blob; temporary files are never counted as blobs and are swept by :meth:`LocalBlobStore.sweep_temp`.
- :class:`S3BlobStore` — ``s3://bucket/prefix`` on any S3-compatible object store (endpoint from
  ``DADKHAH_S3_ENDPOINT``). The hash is computed first, the object is uploaded under its final key with
  the SHA-256 checksum for the server to check, and a key that already exists is never overwritten.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from dadkhah.errors import DadkhahError

CHUNK = 1 << 20  # 1 MiB reads: hashing runs at OpenSSL speed
NAMESPACES = ("sha256", "derived")


class BlobError(DadkhahError, RuntimeError):
    """A blob could not be stored or read (the message says which and why)."""


class BlobMissing(BlobError):
    pass


class BlobChanged(BlobError):
    """The bytes changed while being stored (the file was modified during ingest)."""


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int
    namespace: str = "sha256"
    created: bool = True  # False when identical bytes were already stored

    @property
    def key(self) -> str:
        return blob_key(self.sha256, self.namespace)


def blob_key(sha256: str, namespace: str = "sha256") -> str:
    """The relative location of a blob: ``sha256/ab/cd/abcd…``."""
    check_hash(sha256)
    if namespace not in NAMESPACES:
        raise BlobError(f"unknown blob namespace {namespace!r} (use {', '.join(NAMESPACES)})")
    return f"{namespace}/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def check_hash(sha256: str) -> str:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise BlobError(f"not a SHA-256 hex digest: {sha256!r}")
    return sha256


def hash_file(path: str | Path, *, chunk: int = CHUNK) -> tuple[str, int]:
    """SHA-256 and size of a file, streamed (the hash ingest uses; see bench/vault/bench_hash.py)."""
    h = hashlib.sha256()
    size = 0
    buf = bytearray(chunk)
    view = memoryview(buf)
    with open(path, "rb", buffering=0) as f:
        while n := f.readinto(buf):
            h.update(view[:n])
            size += n
    return h.hexdigest(), size


def hash_stream(stream: BinaryIO, *, chunk: int = CHUNK) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    while data := stream.read(chunk):
        h.update(data)
        size += len(data)
    return h.hexdigest(), size


class BlobStore:
    """What every blob store offers (see module docstring)."""

    description = "blob store"

    def put_file(self, path: str | Path, *, namespace: str = "sha256", expected: str | None = None) -> StoredBlob:
        raise NotImplementedError

    def put_bytes(self, data: bytes, *, namespace: str = "sha256") -> StoredBlob:
        raise NotImplementedError

    def exists(self, sha256: str, namespace: str = "sha256") -> bool:
        raise NotImplementedError

    def size(self, sha256: str, namespace: str = "sha256") -> int:
        raise NotImplementedError

    def open(self, sha256: str, namespace: str = "sha256") -> BinaryIO:
        raise NotImplementedError

    def read_bytes(self, sha256: str, namespace: str = "sha256") -> bytes:
        with self.open(sha256, namespace) as f:
            return f.read()

    @contextlib.contextmanager
    def local_path(self, sha256: str, namespace: str = "sha256") -> Iterator[Path]:
        """A path on the local file system holding the blob's bytes (a temporary copy for remote stores)."""
        with tempfile.TemporaryDirectory(prefix="dadkhah-blob-") as tmp:
            target = Path(tmp) / sha256
            with self.open(sha256, namespace) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst, CHUNK)
            yield target

    def rehash(self, sha256: str, namespace: str = "sha256") -> tuple[str, int]:
        """Recompute the SHA-256 and size of what is stored now (raises :class:`BlobMissing`)."""
        with self.open(sha256, namespace) as f:
            return hash_stream(f)

    def iter_hashes(self, namespace: str = "sha256") -> Iterator[str]:
        raise NotImplementedError

    def location(self, sha256: str, namespace: str = "sha256") -> str:
        return blob_key(sha256, namespace)


# --- local folder ---------------------------------------------------------------------------------

class LocalBlobStore(BlobStore):
    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.description = str(self.root)
        self.tmp = self.root / "tmp"

    def path(self, sha256: str, namespace: str = "sha256") -> Path:
        return self.root / blob_key(sha256, namespace)

    def location(self, sha256: str, namespace: str = "sha256") -> str:
        return str(self.path(sha256, namespace))

    def _temp(self) -> tuple[int, Path]:
        self.tmp.mkdir(parents=True, exist_ok=True)
        path = self.tmp / f"{os.getpid()}-{uuid.uuid4().hex}.part"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        return fd, path

    def _commit(self, tmp: Path, sha256: str, size: int, namespace: str) -> StoredBlob:
        final = self.path(sha256, namespace)
        if final.exists():
            tmp.unlink(missing_ok=True)
            return StoredBlob(sha256, size, namespace, created=False)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(tmp, 0o444)
        os.replace(tmp, final)  # atomic within one file system
        _fsync_dir(final.parent)
        return StoredBlob(sha256, size, namespace, created=True)

    def _write(self, chunks, namespace: str, expected: str | None) -> StoredBlob:
        fd, tmp = self._temp()
        h = hashlib.sha256()
        size = 0
        try:
            with os.fdopen(fd, "wb", buffering=0) as out:
                for data in chunks:
                    h.update(data)
                    out.write(data)
                    size += len(data)
                out.flush()
                os.fsync(out.fileno())
            digest = h.hexdigest()
            if expected is not None and digest != expected:
                raise BlobChanged(f"the bytes changed while being stored (hash {digest[:12]}…, "
                                  f"expected {expected[:12]}…): was the file modified during ingest?")
            return self._commit(tmp, digest, size, namespace)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def put_file(self, path: str | Path, *, namespace: str = "sha256", expected: str | None = None) -> StoredBlob:
        """Copy a file in (hashing it on the way); identical bytes already stored are not written twice."""
        if expected is not None and self.path(expected, namespace).exists():
            return StoredBlob(expected, self.path(expected, namespace).stat().st_size, namespace, created=False)

        def chunks():
            buf = bytearray(CHUNK)
            view = memoryview(buf)
            with open(path, "rb", buffering=0) as f:
                while n := f.readinto(buf):
                    yield view[:n]

        return self._write(chunks(), namespace, expected)

    def put_bytes(self, data: bytes, *, namespace: str = "sha256") -> StoredBlob:
        digest = hashlib.sha256(data).hexdigest()
        if self.path(digest, namespace).exists():
            return StoredBlob(digest, len(data), namespace, created=False)
        return self._write([data], namespace, digest)

    def exists(self, sha256: str, namespace: str = "sha256") -> bool:
        return self.path(sha256, namespace).is_file()

    def size(self, sha256: str, namespace: str = "sha256") -> int:
        try:
            return self.path(sha256, namespace).stat().st_size
        except FileNotFoundError:
            raise BlobMissing(f"blob {blob_key(sha256, namespace)} is missing from {self.root}") from None

    def open(self, sha256: str, namespace: str = "sha256") -> BinaryIO:
        try:
            return open(self.path(sha256, namespace), "rb")
        except FileNotFoundError:
            raise BlobMissing(f"blob {blob_key(sha256, namespace)} is missing from {self.root}") from None

    @contextlib.contextmanager
    def local_path(self, sha256: str, namespace: str = "sha256") -> Iterator[Path]:
        path = self.path(sha256, namespace)
        if not path.is_file():
            raise BlobMissing(f"blob {blob_key(sha256, namespace)} is missing from {self.root}")
        yield path

    def rehash(self, sha256: str, namespace: str = "sha256") -> tuple[str, int]:
        path = self.path(sha256, namespace)
        if not path.is_file():
            raise BlobMissing(f"blob {blob_key(sha256, namespace)} is missing from {self.root}")
        return hash_file(path)

    def iter_hashes(self, namespace: str = "sha256") -> Iterator[str]:
        base = self.root / namespace
        if not base.is_dir():
            return
        for p in sorted(base.glob("??/??/*")):
            if p.is_file() and len(p.name) == 64:
                yield p.name

    def sweep_temp(self) -> int:
        """Remove temporary files left by processes that no longer run; returns how many."""
        if not self.tmp.is_dir():
            return 0
        n = 0
        for p in self.tmp.glob("*.part"):
            pid = p.name.split("-", 1)[0]
            if pid.isdigit() and _alive(int(pid)):
                continue
            p.unlink(missing_ok=True)
            n += 1
        return n


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


# --- S3-compatible object storage -------------------------------------------------------------------

class S3BlobStore(BlobStore):
    """Blobs in ``s3://bucket/prefix`` (MinIO, Ceph, AWS…). Endpoint from ``DADKHAH_S3_ENDPOINT``."""

    def __init__(self, bucket: str, prefix: str = "", *, client=None, endpoint_url: str | None = None):
        if client is None:
            import boto3

            client = boto3.client("s3", endpoint_url=endpoint_url or os.environ.get("DADKHAH_S3_ENDPOINT"))
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.description = f"s3://{bucket}/{self.prefix}" if self.prefix else f"s3://{bucket}"

    def _key(self, sha256: str, namespace: str) -> str:
        key = blob_key(sha256, namespace)
        return f"{self.prefix}/{key}" if self.prefix else key

    def location(self, sha256: str, namespace: str = "sha256") -> str:
        return f"s3://{self.bucket}/{self._key(sha256, namespace)}"

    def _head(self, sha256: str, namespace: str) -> dict | None:
        from botocore.exceptions import ClientError

        try:
            return self.client.head_object(Bucket=self.bucket, Key=self._key(sha256, namespace))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise BlobError(f"cannot reach {self.description}: {exc}") from exc

    def _upload(self, body, sha256: str, size: int, namespace: str) -> StoredBlob:
        import base64

        from botocore.exceptions import ClientError

        if self._head(sha256, namespace) is not None:
            return StoredBlob(sha256, size, namespace, created=False)
        checksum = base64.b64encode(bytes.fromhex(sha256)).decode()
        try:
            self.client.put_object(Bucket=self.bucket, Key=self._key(sha256, namespace), Body=body,
                                   ChecksumSHA256=checksum, IfNoneMatch="*",
                                   Metadata={"sha256": sha256})
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code in ("PreconditionFailed", "412", "ConditionalRequestConflict"):
                return StoredBlob(sha256, size, namespace, created=False)
            if code in ("BadDigest", "InvalidDigest", "XAmzContentChecksumMismatch"):
                raise BlobChanged(f"the object store rejected {sha256[:12]}…: its bytes do not match "
                                  "their SHA-256 (was the file modified during ingest?)") from exc
            raise BlobError(f"cannot store {sha256[:12]}… in {self.description}: {exc}") from exc
        head = self._head(sha256, namespace)
        if head is None or int(head["ContentLength"]) != size:
            raise BlobError(f"{self.location(sha256, namespace)} was not stored whole")
        return StoredBlob(sha256, size, namespace, created=True)

    def put_file(self, path: str | Path, *, namespace: str = "sha256", expected: str | None = None) -> StoredBlob:
        digest, size = hash_file(path)
        if expected is not None and digest != expected:
            raise BlobChanged(f"the bytes changed while being stored (hash {digest[:12]}…, "
                              f"expected {expected[:12]}…): was the file modified during ingest?")
        with open(path, "rb") as body:
            return self._upload(body, digest, size, namespace)

    def put_bytes(self, data: bytes, *, namespace: str = "sha256") -> StoredBlob:
        return self._upload(data, hashlib.sha256(data).hexdigest(), len(data), namespace)

    def exists(self, sha256: str, namespace: str = "sha256") -> bool:
        return self._head(sha256, namespace) is not None

    def size(self, sha256: str, namespace: str = "sha256") -> int:
        head = self._head(sha256, namespace)
        if head is None:
            raise BlobMissing(f"{self.location(sha256, namespace)} is missing")
        return int(head["ContentLength"])

    def open(self, sha256: str, namespace: str = "sha256") -> BinaryIO:
        from botocore.exceptions import ClientError

        try:
            obj = self.client.get_object(Bucket=self.bucket, Key=self._key(sha256, namespace))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                raise BlobMissing(f"{self.location(sha256, namespace)} is missing") from None
            raise BlobError(f"cannot read {self.location(sha256, namespace)}: {exc}") from exc
        return contextlib.closing(obj["Body"])  # type: ignore[return-value]

    def rehash(self, sha256: str, namespace: str = "sha256") -> tuple[str, int]:
        with self.open(sha256, namespace) as body:
            h = hashlib.sha256()
            size = 0
            for data in body.iter_chunks(CHUNK):
                h.update(data)
                size += len(data)
        return h.hexdigest(), size

    def iter_hashes(self, namespace: str = "sha256") -> Iterator[str]:
        base = f"{self.prefix}/{namespace}/" if self.prefix else f"{namespace}/"
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=base):
            for obj in page.get("Contents", []):
                name = obj["Key"].rsplit("/", 1)[-1]
                if len(name) == 64:
                    yield name

    def sweep_temp(self) -> int:
        return 0


def open_blob_store(spec: str | None, data_dir: Path) -> BlobStore:
    """The blob store named by ``spec``: None → ``<data_dir>/blobs``; a folder; or ``s3://bucket/prefix``."""
    if spec and spec.startswith("s3://"):
        rest = spec[len("s3://"):]
        bucket, _, prefix = rest.partition("/")
        if not bucket:
            raise BlobError(f"no bucket in {spec!r} (use s3://bucket/prefix)")
        return S3BlobStore(bucket, prefix)
    if spec and "://" in spec:
        raise BlobError(f"unsupported blob store {spec!r}: use a folder or s3://bucket/prefix")
    return LocalBlobStore(Path(spec) if spec else Path(data_dir) / "blobs")
