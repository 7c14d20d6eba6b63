"""kill -9 in the middle of ingesting a large folder leaves no half-stored item; re-running completes it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dadkhah.access import SYSTEM
from dadkhah.case import Case
from dadkhah.ingest import IngestOptions, ingest_paths
from dadkhah.integrity import run_checks
from dadkhah.vault.tables import EvidenceItem

N_FILES = 400
HERE = Path(__file__).resolve().parent

RUNNER = """
import sys
from dadkhah.cli import app
app(sys.argv[1:])
"""


def _blob_count(data: Path) -> int:
    return sum(1 for _ in (data / "blobs" / "sha256").glob("??/??/*")) if (data / "blobs").exists() else 0


@pytest.mark.slow
def test_kill_9_mid_ingest_leaves_no_half_stored_item_and_a_rerun_completes(tmp_path, sqlite_template):
    import shutil

    data = tmp_path / "case"
    shutil.copytree(sqlite_template, data)
    src = tmp_path / "big"
    src.mkdir()
    for i in range(N_FILES):
        (src / f"doc-{i:04d}.txt").write_bytes(os.urandom(16_000) + f"document number {i}".encode())
    code = RUNNER
    proc = subprocess.Popen([sys.executable, "-c", code, "--data", str(data), "ingest", str(src), "--batch", "7",
                             "--no-ocr"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while _blob_count(data) < N_FILES // 4 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    assert proc.poll() is None, "ingest finished before it could be killed: " + proc.stderr.read().decode()[-500:]
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL

    with Case.open(data_dir=data, actor="tester") as case:
        with case.reader(SYSTEM) as s:
            rows = s.query(EvidenceItem).count()
        blobs = _blob_count(data)
        assert 0 < rows <= blobs < N_FILES  # killed mid-way: some committed, some stored but not yet registered
        checks = run_checks(case)
        assert checks["ok"], checks  # every registered item has its blob, intact; the audit chain is whole
        originals = next(c for c in checks["checks"] if c["name"] == "originals")
        assert originals["items"] == rows
        # temporary files of the killed writer are never counted as items or blobs
        assert all(len(p.name) == 64 for p in (data / "blobs" / "sha256").glob("??/??/*"))

        report = ingest_paths(case, [src], options=IngestOptions(ocr=False))
        assert report.ok
        assert report.count("stored") + report.count("duplicate") == N_FILES
        with case.reader(SYSTEM) as s:
            assert s.query(EvidenceItem).count() == N_FILES
        checks = run_checks(case)
        originals = next(c for c in checks["checks"] if c["name"] == "originals")
        assert checks["ok"] and originals["unregistered"] == 0
        assert not list((data / "blobs" / "tmp").glob("*.part"))
