"""A one-million-record dedupe: time and peak memory of dadkhah's linkage on 2 threads.

    # 1. simulate lists, read them as `lists import` would, compute the features (each step timed)
    .venv/bin/python bench/linkage/bench_scale.py prepare --records 1000000 -o /tmp/features.parquet
    # 2. the dedupe, in a fresh process: blocking, training, scoring, clustering (timed, peak RSS)
    .venv/bin/python bench/linkage/bench_scale.py dedupe /tmp/features.parquet --threads 2

Step 2 prints the time of each stage, the total, the peak resident memory of the process (DuckDB is
limited to --memory and spills to a temporary folder beyond it), and the
pairwise and B-cubed scores against the simulation's truth. Run it on an otherwise idle machine (it
needs about 8 GB). Figures for docs/benchmarks.md; not a test.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time


def prepare(args) -> None:
    from dadkhah.linkage.features import feature_frame
    from dadkhah.testing.simulate_lists import simulate

    t = time.perf_counter()
    population = max(10, int(args.records / 2.07))  # five lists hold about 2.07 records per victim
    sim = simulate(population, args.lists, seed=args.seed)
    print(f"simulated {population:,} victims, {sim.records:,} records [{time.perf_counter() - t:.0f}s]", flush=True)
    t = time.perf_counter()
    records, truth, errors = sim.parsed()
    del sim
    print(f"read {len(records):,} records as `lists import` does ({len(errors)} bad) "
          f"[{time.perf_counter() - t:.0f}s]", flush=True)
    t = time.perf_counter()
    df = feature_frame(records)
    print(f"features (name keys, dates, gazetteer) [{time.perf_counter() - t:.0f}s]", flush=True)
    df["person"] = df["unique_id"].map(truth)
    df.to_parquet(args.output, index=False)
    print(f"wrote {args.output}")


def dedupe(args) -> None:
    import pandas as pd

    from dadkhah.linkage import engine
    from dadkhah.linkage.evaluate import score

    df = pd.read_parquet(args.features)
    for c in df.columns:
        if df[c].dtype == object:
            df[c] = df[c].astype("string")
    truth = dict(zip(df["unique_id"].tolist(), df.pop("person").tolist(), strict=True))
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{len(df):,} records loaded (process at {rss0:,.0f} MB)", flush=True)
    t0 = time.perf_counter()
    options = engine.EngineOptions(threads=args.threads, memory_limit=args.memory)
    out = engine.link(df, args.threshold, options=options, step=lambda m: print(f"  … {m}", flush=True))
    total = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("stages: " + ", ".join(f"{k} {v:.0f}s" for k, v in out.timings.items() if k != "total"))
    used = [b for b in out.blocking if b.used]
    print(f"blocking: {len(used)} of {len(out.blocking)} rules, {sum(b.pairs for b in used):,} pairs at most; "
          f"{len(out.pairs):,} pairs kept; {out.vetoes:,} vetoes")
    print(f"dedupe of {len(df):,} records on {args.threads} threads: {total:.0f}s, peak memory {peak:,.0f} MB")
    print(score(out.clustering.clusters, truth).line(f"threshold {args.threshold}"))


def main(argv: list[str]) -> None:
    from dadkhah.linkage.service import DEFAULT_THRESHOLD

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("prepare")
    a.add_argument("--records", type=int, default=1_000_000)
    a.add_argument("--lists", type=int, default=5)
    a.add_argument("--seed", type=int, default=7)
    a.add_argument("-o", "--output", required=True)
    b = sub.add_parser("dedupe")
    b.add_argument("features")
    b.add_argument("--threads", type=int, default=2)
    b.add_argument("--memory", default="5GB", help="DuckDB memory limit (it spills to disk beyond)")
    b.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    args = p.parse_args(argv)
    prepare(args) if args.cmd == "prepare" else dedupe(args)


if __name__ == "__main__":
    main(sys.argv[1:])
