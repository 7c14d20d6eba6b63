"""Ingest hashing throughput against `sha256sum`, on the same generated files, in one run.

    .venv/bin/python bench/vault/bench_hash.py            # 1 GiB in 64 files of 16 MiB
    .venv/bin/python bench/vault/bench_hash.py --mib 256  # smaller

Prints the throughput of `sha256sum` and of the hash ingest uses (``dadkhah.vault.blobs.hash_file``),
their ratio (the target is ≥ 0.9), and, for context, the end-to-end throughput of `ingest_paths`
(hash + copy into the blob store + fsync + database rows, OCR off) on the same files. Each timing is
the best of ``--repeat`` runs over page-cache-warm files, so both hashers read the same way.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def make_files(folder: Path, total_mib: int, file_mib: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    block = os.urandom(1 << 20)
    for i in range(max(1, total_mib // file_mib)):
        p = folder / f"f{i:03d}.bin"
        with open(p, "wb") as f:
            for j in range(file_mib):
                f.write(block[: (1 << 20) - 8] + i.to_bytes(4, "big") + j.to_bytes(4, "big"))
        files.append(p)
    return files


def best_of(n: int, fn) -> float:
    best = float("inf")
    for _ in range(n):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mib", type=int, default=1024, help="total size of the generated files (MiB)")
    ap.add_argument("--file-mib", type=int, default=16, help="size of each file (MiB)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-ingest", action="store_true", help="skip the end-to-end ingest timing")
    args = ap.parse_args(argv)
    if shutil.which("sha256sum") is None:
        print("sha256sum not found", file=sys.stderr)
        return 2
    from dadkhah.vault.blobs import hash_file

    with tempfile.TemporaryDirectory(prefix="dadkhah-bench-") as tmp:
        files = make_files(Path(tmp) / "in", args.mib, args.file_mib)
        total = sum(p.stat().st_size for p in files)
        subprocess.run(["cat", *map(str, files)], stdout=subprocess.DEVNULL, check=True)  # warm the page cache
        t_sum = best_of(args.repeat, lambda: subprocess.run(["sha256sum", *map(str, files)], check=True,
                                                            stdout=subprocess.DEVNULL))
        t_ours = best_of(args.repeat, lambda: [hash_file(p) for p in files])
        mib = total / (1 << 20)
        print(f"data: {len(files)} files, {mib:.0f} MiB")
        print(f"sha256sum:          {mib / t_sum:8.1f} MiB/s  ({t_sum:.2f} s)")
        print(f"dadkhah hash_file:  {mib / t_ours:8.1f} MiB/s  ({t_ours:.2f} s)")
        print(f"ratio (dadkhah / sha256sum): {t_sum / t_ours:.2f}  (target >= 0.90)")
        if not args.no_ingest:
            from dadkhah.case import Case
            from dadkhah.ingest import IngestOptions, ingest_paths

            with Case.open(data_dir=Path(tmp) / "case", create=True, actor="bench") as case:
                t = time.perf_counter()
                report = ingest_paths(case, [Path(tmp) / "in"], options=IngestOptions(ocr=False))
                t_ingest = time.perf_counter() - t
            assert report.count("stored") == len(files), report.to_dict()
            print(f"ingest end to end:  {mib / t_ingest:8.1f} MiB/s  ({t_ingest:.2f} s: hash + copy + fsync + rows)")
        return 0 if t_sum / t_ours >= 0.9 else 1


if __name__ == "__main__":
    sys.exit(main())
