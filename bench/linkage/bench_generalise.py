"""Linkage on a population the engine was not tuned on, through the command line a user would run.

    # tuning seeds (1-3): look at these while changing the engine
    .venv/bin/python bench/linkage/bench_generalise.py --population 10000 --seeds 1 2 3
    # held-out seeds (11-15): report only, never tune on them
    .venv/bin/python bench/linkage/bench_generalise.py --population 10000 --held-out

For each seed: simulate with :mod:`dadkhah.testing.population` (a generator written apart from the
engine's own simulator), write the five lists with their mapping files, then in a fresh case folder run
the real commands — ``dadkhah lists import FILE --name NAME --mapping MAP``, ``dadkhah link run --json``,
``dadkhah link export --format csv`` — and score the export against the truth (pairwise and B-cubed
precision, recall, F1). Beside it, in the same run and on the same rows: Splink with its default
comparisons on the raw columns (:func:`dadkhah.linkage.engine.predict_baseline`). Prints one line per
seed and a summary (mean and spread). Runs of 20,000 victims and more belong under
``flock /tmp/heavy.lock``. Figures for docs/benchmarks.md; not a test.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def cli(data: Path, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    out = subprocess.run([sys.executable, "-m", "dadkhah.cli", "--data", str(data), *args], capture_output=True,
                         text=True, env=env, check=False)
    if out.returncode != 0:
        raise SystemExit(f"dadkhah {' '.join(args)} failed ({out.returncode}):\n{out.stderr[-3000:]}")
    return out.stdout


def read_keyed(path: Path, column: str) -> dict[tuple[str, int], str]:
    with open(path, newline="", encoding="utf-8") as f:
        return {(r["list"], int(r["row"])): r[column] for r in csv.DictReader(f)}


def run_seed(size: int, seed: int, lists: int, work: Path, baseline: bool, duplicates: float,
             noise: float = 0.15) -> dict:
    from dadkhah.linkage import engine
    from dadkhah.linkage.cluster import cluster
    from dadkhah.linkage.evaluate import score
    from dadkhah.linkage.model import baseline_frame
    from dadkhah.testing.population import population

    t = time.perf_counter()
    pop = population(size, seed, lists=lists, duplicates=duplicates, noise=noise)
    folder = pop.write(work / "lists")
    made = time.perf_counter() - t
    case = work / "case"
    t = time.perf_counter()
    for file in (folder / "lists.txt").read_text(encoding="utf-8").split():
        name = file.rsplit(".", 1)[0]
        cli(case, "lists", "import", str(folder / file), "--name", name, "--mapping",
            str(folder / f"{name}.mapping.yaml"), "--json")
    imported = time.perf_counter() - t
    t = time.perf_counter()
    run = json.loads(cli(case, "link", "run", "--json", "--no-merge"))
    linked = time.perf_counter() - t
    cli(case, "link", "export", "--format", "csv", "-o", str(work / "export.csv"))
    exported, truth = read_keyed(work / "export.csv", "cluster"), read_keyed(folder / "truth.csv", "person")
    common = set(exported) & set(truth)
    ours = score({k: exported[k] for k in common}, {k: truth[k] for k in common})
    out = {"seed": seed, "population": size, "records": len(truth), "imported": len(common),
           "ours": ours.to_dict(), "line": ours.line(f"seed {seed} dadkhah"),
           "seconds": {"simulate": round(made, 1), "import": round(imported, 1), "link run": round(linked, 1)},
           "prior": run.get("prior"), "match_rate": run.get("match_rate"),
           "blocking_used": sum(1 for b in run.get("blocking", []) if b.get("used")),
           "blocking_rules": len(run.get("blocking", []))}
    if baseline:
        records, rtruth, _errors = pop.parsed()
        t = time.perf_counter()
        pairs = engine.predict_baseline(baseline_frame(records))
        edges = pairs[["unique_id_l", "unique_id_r", "match_probability"]].itertuples(index=False, name=None)
        base = score(cluster(list(rtruth), edges, 0.5).clusters, rtruth)
        out["splink_defaults"] = base.to_dict()
        out["baseline_line"] = base.line(f"seed {seed} Splink defaults") + f"  [{time.perf_counter() - t:.0f}s]"
    return out


def main(argv: list[str]) -> None:
    from dadkhah.testing.population import HELD_OUT_SEEDS, TUNING_SEEDS

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--population", type=int, default=10_000)
    p.add_argument("--lists", type=int, default=5)
    p.add_argument("--seeds", type=int, nargs="+", default=list(TUNING_SEEDS))
    p.add_argument("--held-out", action="store_true", help=f"the held-out seeds {HELD_OUT_SEEDS} (report only)")
    p.add_argument("--duplicates", type=float, default=0.15, help="share of rows repeated inside a list")
    p.add_argument("--noise", type=float, default=0.15, help="chance a name is written with a letter swapped")
    p.add_argument("--no-baseline", action="store_true")
    p.add_argument("--work", help="keep the lists, case and export here (default: a temporary folder)")
    p.add_argument("--json", action="store_true", help="print the results as one JSON document")
    args = p.parse_args(argv)
    seeds = list(HELD_OUT_SEEDS) if args.held_out else args.seeds
    results = []
    for seed in seeds:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(args.work) / f"seed{seed}" if args.work else Path(tmp)
            work.mkdir(parents=True, exist_ok=True)
            r = run_seed(args.population, seed, args.lists, work, not args.no_baseline, args.duplicates, args.noise)
        results.append(r)
        if not args.json:
            print(f"{r['line']}  (records {r['records']:,}, import {r['seconds']['import']}s, "
                  f"link run {r['seconds']['link run']}s, blocking {r['blocking_used']}/{r['blocking_rules']})",
                  flush=True)
            if "baseline_line" in r:
                print(r["baseline_line"], flush=True)
    f1 = [r["ours"]["f1"] for r in results]
    summary = {"population": args.population, "lists": args.lists, "seeds": seeds,
               "pairwise_f1_mean": round(statistics.mean(f1), 4),
               "pairwise_f1_spread": [round(min(f1), 4), round(max(f1), 4)], "runs": results}
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        print(f"pairwise F1 over seeds {seeds}: mean {summary['pairwise_f1_mean']}, "
              f"min {summary['pairwise_f1_spread'][0]}, max {summary['pairwise_f1_spread'][1]}")


if __name__ == "__main__":
    main(sys.argv[1:])
