"""Tamper detection rates of `dadkhah verify`: random edits to every table's rows, deletions, raw bytes of
the SQLite file, stored files, audit-chain attacks (delete, reorder, truncate, hash-recomputing forgery).

    .venv/bin/python bench/integrity/tamper.py [--trials 5] [--backend sqlite|postgresql|both] [--seed 1]

Each trial starts from a fresh copy of the same case (dadkhah.testing.integrity_case), makes one change
behind the tool's back, and runs every check. "detected" = verify's status is not intact; "named" = a
problem names the changed table and record (or file, or entry). Raw byte flips are grouped by what they
changed, comparing what SQLite reads before and after: case data, derived data only (search index,
planner statistics), or nothing readable (free space; left out of the totals). Prints one JSON document.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from dadkhah.access import SYSTEM
from dadkhah.case import Case
from dadkhah.integrity import run_checks
from dadkhah.testing import integrity_case as ic

PG_URL = os.environ.get("DADKHAH_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


class Fixture:
    """A built case and a way to get a fresh copy of it for each trial."""

    def __init__(self, backend: str, root: Path):
        self.backend, self.root = backend, root
        self.template = root / "template"
        # automatic anchors on every commit while the case is built (kept in the case's copy for the bench)
        os.environ["DADKHAH_ANCHOR_DIR"] = str(self.template / "anchors")
        os.environ["DADKHAH_ANCHOR_EVERY"] = "1"
        try:
            self._build()
        finally:
            os.environ.pop("DADKHAH_ANCHOR_DIR")
            os.environ.pop("DADKHAH_ANCHOR_EVERY")

    def _build(self) -> None:
        backend, root = self.backend, self.root
        if backend == "sqlite":
            case = Case.open(data_dir=self.template, create=True)
            ic.build(case, root / "files")
            case.close()
        else:
            self.admin = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://"))
            self.schema = f"tamper_{uuid.uuid4().hex[:8]}"
            with self.admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{self.schema}"'))
            case = Case.open(db_url=PG_URL, schema=self.schema, create=True, data_dir=self.template)
            ic.build(case, root / "files")
            case.close()
            self.tables = ic.audited_tables(case)

    def fresh(self) -> Case:
        n = uuid.uuid4().hex[:8]
        folder = self.root / f"trial-{n}"
        shutil.copytree(self.template, folder)
        if self.backend == "sqlite":
            return Case.open(data_dir=folder)
        schema = f"{self.schema}_{n}"
        with self.admin.begin() as conn:  # copy every table (data only) into a new schema
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            for t in ["alembic_version"] + [t.name for t in _all_tables()]:
                conn.execute(text(f'CREATE TABLE "{schema}"."{t}" (LIKE "{self.schema}"."{t}" INCLUDING ALL)'))
                conn.execute(text(f'INSERT INTO "{schema}"."{t}" SELECT * FROM "{self.schema}"."{t}"'))
        case = Case.open(db_url=PG_URL, schema=schema, data_dir=folder)
        case._bench_schema = schema
        return case

    def drop(self, case: Case) -> None:
        case.close()
        if self.backend == "postgresql":
            with self.admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{case._bench_schema}" CASCADE'))
        else:
            shutil.rmtree(case.data_dir, ignore_errors=True)

    def close(self) -> None:
        if self.backend == "postgresql":
            with self.admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{self.schema}" CASCADE'))


def _all_tables():
    from dadkhah.model import Base, load_all_tables

    load_all_tables()
    return Base.metadata.sorted_tables


def _flip_file_byte(case, rng) -> dict | None:
    from dadkhah.vault.tables import EvidenceItem

    with case.reader(SYSTEM) as s:
        items = s.query(EvidenceItem.id, EvidenceItem.sha256).all()
    item_id, sha = rng.choice(items)
    path = case.blobs.path(sha)
    os.chmod(path, 0o644)
    data = bytearray(path.read_bytes())
    data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    path.write_bytes(bytes(data))
    return {"item": item_id}


DERIVED = ("search_doc", "search_fts", "sqlite_stat")


def _logical(path: Path):
    """Every table's rows as SQLite reads them (None when the file cannot be read at all)."""
    import sqlite3

    out = {}
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as c:
            names = c.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
            c.text_factory = bytes
            for (name,) in names:
                try:
                    out[name] = sorted(map(repr, c.execute(f'SELECT * FROM "{name}"').fetchall()))
                except (sqlite3.Error, UnicodeDecodeError) as exc:
                    out[name] = f"unreadable: {exc}"
    except (sqlite3.Error, UnicodeDecodeError):  # the schema itself is damaged
        return None
    return out


def _flip_db_byte(case, rng) -> dict | None:
    path = case.data_dir / "case.sqlite"
    case.engine.dispose()
    with case.engine.connect() as conn:  # fold the WAL into the file first
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    case.engine.dispose()
    before = _logical(path)
    data = bytearray(path.read_bytes())
    pos = rng.randrange(100, len(data))  # past the header (a broken header only makes the file unopenable)
    data[pos] ^= 1 << rng.randrange(8)
    path.write_bytes(bytes(data))
    after = _logical(path)
    changed: list = []
    if after is None:
        effect = "case data"
    else:
        changed = [k for k in set(before) | set(after) if before.get(k) != after.get(k)]
        effect = ("nothing readable" if not changed else
                  "derived data only" if all(k.startswith(DERIVED) for k in changed) else "case data")
    return {"byte": pos, "effect": effect, **({"tables": sorted(changed)[:5]} if after is not None else {})}


def _chain_attack(kind: str):
    def run(case, rng) -> dict | None:
        from dadkhah.testing.integrity_case import forge_chain

        return forge_chain(case, kind, rng)
    return run


def trial_kinds(tables):
    kinds = {}
    for t in tables:
        kinds[f"edit {t.name}"] = ("data row edited", lambda c, r, t=t: ic.tamper_edit(c, t, r))
        kinds[f"delete {t.name}"] = ("data row deleted", lambda c, r, t=t: ic.tamper_delete(c, t, r))
    kinds["flip stored file"] = ("byte flipped in a stored file", _flip_file_byte)
    for a in ("edit-entry", "delete-entry", "reorder", "truncate", "forge-append", "forge-rewrite"):
        kinds[f"chain {a}"] = (f"audit chain: {a}", _chain_attack(a))
    return kinds


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=3, help="trials per kind of change")
    ap.add_argument("--backend", default="sqlite", choices=["sqlite", "postgresql", "both"])
    ap.add_argument("--db-bytes", type=int, default=40, help="raw SQLite byte flips")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    report = {"trials_per_kind": args.trials, "backends": {}}
    for backend in backends:
        root = Path(tempfile.mkdtemp(prefix=f"tamper-{backend}-"))
        t0 = time.perf_counter()
        fx = Fixture(backend, root)
        rng = random.Random(args.seed)
        tables = ic.audited_tables(Case.open(data_dir=fx.template)) if backend == "sqlite" else fx.tables
        rows: dict[str, dict] = {}
        misses: list[dict] = []
        kinds = trial_kinds(tables)
        if backend == "sqlite":
            kinds["flip SQLite byte"] = ("raw byte flipped in the SQLite file", _flip_db_byte)
        for name, (group, fn) in kinds.items():
            n = args.db_bytes if name == "flip SQLite byte" else args.trials
            for _ in range(n):
                case = fx.fresh()
                try:
                    anchors = case.data_dir / "anchors"
                    target = fn(case, rng)
                    if target is None:
                        continue
                    try:
                        result = run_checks(case, anchors=str(anchors) if anchors.exists() else None)
                    except Exception as exc:  # noqa: BLE001 - a crash of verify is a miss, and is counted
                        result = {"status": f"crashed: {type(exc).__name__}: {exc}", "checks": []}
                    if "effect" in target:  # a raw byte: grouped by what it changed
                        group = f"raw byte flipped in the SQLite file: changed {target['effect']}"
                    g = rows.setdefault(group, {"runs": 0, "detected": 0, "named": 0, "crashed": 0})
                    g["runs"] += 1
                    detected = result["status"] in ("tampered", "unreadable")
                    g["detected"] += detected
                    g["crashed"] += result["status"].startswith("crashed")
                    is_named = ic.named(result, target) or "byte" in target
                    g["named"] += detected and is_named
                    if not detected and target.get("effect") != "nothing readable":
                        misses.append({"kind": name, **{k: str(v) for k, v in target.items()}})
                finally:
                    fx.drop(case)
        fx.close()
        shutil.rmtree(root, ignore_errors=True)
        # a flipped byte that changes nothing SQLite reads (free space, unused bytes of a page) is not a change
        # to detect: counted apart, left out of the totals
        real = {k: g for k, g in rows.items() if not k.endswith("changed nothing readable")}
        total = {k: sum(g[k] for g in real.values()) for k in ("runs", "detected", "named", "crashed")}
        report["backends"][backend] = {"groups": rows, "total": total, "misses": misses[:50],
                                       "seconds": round(time.perf_counter() - t0, 1)}
        print(f"{backend}: {total['detected']}/{total['runs']} detected, {total['named']} named, "
              f"{total['crashed']} crashed", file=sys.stderr)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
