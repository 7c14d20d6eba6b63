"""Fuzzing figures: mutated real files of every format, counted by outcome.

    .venv/bin/python bench/integrity/fuzz.py [--per-format 400] [--seed 1]

For CSV, XLSX (damage inside the sheet XML, and raw bytes), JSON and PDF: write a valid file
(dadkhah.testing.fuzz_inputs), damage it, read it as the importer / ingest would, and count ``ok``
(read, nothing garbled), ``refused`` (an InputError naming file and line, or a problem recorded on the
item), ``traceback`` and ``garbled`` — the last two are failures. For JSON Lines case files: a value of
a random row replaced by a hostile one, imported into an empty case; every accepted file must verify.
Prints one JSON document.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from dadkhah.access import SYSTEM
from dadkhah.testing import fuzz_inputs as fz

HOSTILE = ["1367/13/40", "2026-01-01T00:00:00", "\x00", -1.2e21, "\ud800", [[[[[[]]]]]], {"$base64": "!!"}, 2**40,
           True, "", "x" * 5000, None, -1, 1e308, "ظ†ظˆط±غŒ"]


def fuzz_files(kind: str, n: int, rng: random.Random, root: Path) -> dict:
    make = {"csv": fz.make_csv, "xlsx": fz.make_xlsx, "json": fz.make_json, "pdf": fz.make_pdf}[kind]
    good = make(root / f"good.{kind}").read_bytes()
    counts = {"ok": 0, "refused": 0, "traceback": 0, "garbled": 0}
    failures = []
    for i in range(n):
        path = root / f"m{i}.{kind}"
        if kind == "xlsx" and rng.random() < 0.8:
            path.write_bytes(fz.mutate_member(good, rng))
        else:
            path.write_bytes(fz.mutate(good, rng, edits=rng.randint(1, 10 if kind == "pdf" else 4)))
        outcome, detail = fz.run_pdf(path) if kind == "pdf" else fz.run_list_file(path)
        counts[outcome] += 1
        if outcome in ("traceback", "garbled"):
            failures.append(detail)
        path.unlink()
    return {"files": n, **counts, "failures": failures[:10]}


def fuzz_casefiles(n: int, rng: random.Random, root: Path) -> dict:
    from dadkhah.case import Case
    from dadkhah.errors import InputError
    from dadkhah.integrity import run_checks
    from dadkhah.interchange.jsonl import export_jsonl, import_jsonl
    from dadkhah.testing import integrity_case

    src = Case.open(data_dir=root / "src", create=True)
    integrity_case.build(src, root / "files", list_rows=10)
    export_jsonl(src, root / "case.jsonl", SYSTEM)
    src.close()
    template = root / "empty"
    Case.open(data_dir=template, create=True).close()
    lines = (root / "case.jsonl").read_text(encoding="utf-8").splitlines()
    counts = {"imported_and_verified": 0, "refused": 0, "traceback": 0, "imported_but_broken": 0}
    failures = []
    for i in range(n):
        m = list(lines)
        j = rng.randrange(1, len(m))
        if rng.random() < 0.3:  # raw byte damage of one line
            raw = fz.mutate(m[j].encode("utf-8"), rng)
            body = ("\n".join(m[:j]) + "\n").encode() + raw + ("\n" + "\n".join(m[j + 1:]) + "\n").encode()
        else:
            rec = json.loads(m[j])
            rec["row"][rng.choice(sorted(rec["row"]))] = rng.choice(HOSTILE)
            m[j] = json.dumps(rec)
            body = ("\n".join(m) + "\n").encode("utf-8", "surrogatepass")
        path = root / "m.jsonl"
        path.write_bytes(body)
        target = root / f"t{i}"
        shutil.copytree(template, target)
        case = Case.open(data_dir=target)
        try:
            import_jsonl(case, path)
            status = run_checks(case, index=False)["status"]
            key = "imported_and_verified" if status in ("intact", "tampered") else "imported_but_broken"
            # "tampered" here: list files and originals are not in a JSON Lines file (verify names each)
        except InputError:
            key = "refused"
        except Exception as exc:  # noqa: BLE001
            key = "traceback"
            failures.append(f"{type(exc).__name__}: {str(exc)[:120]}")
        counts[key] += 1
        case.close()
        shutil.rmtree(target, ignore_errors=True)
    return {"files": n, **counts, "failures": failures[:10]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--per-format", type=int, default=400)
    ap.add_argument("--casefiles", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    root = Path(tempfile.mkdtemp(prefix="fuzz-"))
    report: dict = {"seed": args.seed, "formats": {}}
    t0 = time.perf_counter()
    for kind in ("csv", "xlsx", "json", "pdf"):
        report["formats"][kind] = fuzz_files(kind, args.per_format, rng, root)
        print(f"{kind}: {report['formats'][kind]}", file=sys.stderr)
    report["formats"]["jsonl case file"] = fuzz_casefiles(args.casefiles, rng, root)
    report["seconds"] = round(time.perf_counter() - t0, 1)
    fails = sum(v.get("traceback", 0) + v.get("garbled", 0) + v.get("imported_but_broken", 0)
                for v in report["formats"].values())
    report["total_files"] = sum(v["files"] for v in report["formats"].values())
    report["failures"] = fails
    shutil.rmtree(root, ignore_errors=True)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
