"""What the row digests cost on the write path: web-like writes with and without them.

    .venv/bin/python bench/integrity/audit_overhead.py [--writes 300] [--repeats 3] [--backend sqlite|postgresql]

Each write is one unit of work like the web app's: add a person with two names, record a claim citing a
source, edit a person. "without" switches off the per-row digests of update entries (what the chain
wrote before issue #18); "with" is the current code. Runs alternate (with, without, with, …) on the same
case. Reports p50/p95 milliseconds per write and SQL statements per write (round trips), per run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, event, text

from dadkhah.case import Case
from dadkhah.store import audit

PG_URL = os.environ.get("DADKHAH_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def one_write(case, i: int) -> None:
    from dadkhah.claims.service import add_claim
    from dadkhah.model import Person
    from dadkhah.records.service import add_person

    with case.session(actor="web") as s:
        p = add_person(s, names=[f"Person {i}", f"شخص {i}"], id=f"person-b{i}")
        add_claim(s, subject_id=p.id, predicate="death_toll", citations=[{"source_id": "src-b"}],
                  value_low=1, value_high=1, statement="one")
    with case.session(actor="web") as s:
        s.get(Person, f"person-b{i}").description = f"edited {i}"


def run(case, n: int, start: int) -> list[float]:
    times = []
    for i in range(start, start + n):
        t0 = time.perf_counter()
        one_write(case, i)
        times.append((time.perf_counter() - t0) * 1000)
    return times


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--writes", type=int, default=300)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--backend", default="sqlite", choices=["sqlite", "postgresql"])
    args = ap.parse_args(argv)
    schema = None
    if args.backend == "sqlite":
        case = Case.open(data_dir=Path(tempfile.mkdtemp()) / "c", create=True)
    else:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://"))
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        case = Case.open(db_url=PG_URL, schema=schema, create=True, data_dir=Path(tempfile.mkdtemp()))
    from dadkhah.records.service import add_source

    with case.session() as s:
        add_source(s, source_type="report", title="bench", id="src-b")
    counter: list = []

    @event.listens_for(case.engine, "before_cursor_execute")
    def _count(*_a, **_k):
        counter.append(1)

    original = audit._whole_rows
    results = {"with": [], "without": []}
    start = 0
    run(case, 30, 10_000_000)  # warm up
    for _ in range(args.repeats):
        for mode in ("with", "without"):
            audit._whole_rows = original if mode == "with" else (lambda obj: None)
            counter.clear()
            before = len(counter)
            times = run(case, args.writes, start)
            start += args.writes
            total = len(counter) - before
            q = statistics.quantiles(times, n=20)
            results[mode].append({"p50_ms": round(statistics.median(times), 2), "p95_ms": round(q[18], 2),
                                  "statements_per_write": round(total / args.writes, 2)})
    audit._whole_rows = original
    from dadkhah.integrity import run_checks

    status = run_checks(case, index=False)["status"]
    case.close()
    if schema:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    print(json.dumps({"backend": args.backend, "writes_per_run": args.writes, "runs": results,
                      "verify_after": status}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
