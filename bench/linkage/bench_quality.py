"""Linkage quality on simulated victim lists: dadkhah's model beside Splink's defaults on raw names.

    .venv/bin/python bench/linkage/bench_quality.py --population 10000 --lists 5 --seed 2

Simulates a population and its lists (dadkhah.testing.simulate_lists), reads every row with the lists' own
mapping files exactly as `dadkhah lists import` does, then in the same run:

- dadkhah: cross-script keys, gazetteer, date intervals, term frequencies, constrained clustering
  (dadkhah.linkage.engine.link) at the default threshold;
- baseline: Splink with default comparisons (NameComparison, ExactMatch, Levenshtein) on the raw
  columns (lower-cased), trained as Splink's tutorials do, clustered by connected components at the
  same threshold; and the same with dadkhah's re-estimation of the prior, to show what the features
  (not that step) contribute.

Prints pairwise and B-cubed precision, recall and F1 for both, and the time each took. Figures for
docs/benchmarks.md; not a test.
"""

from __future__ import annotations

import argparse
import sys
import time


def main(argv: list[str]) -> None:
    from dadkhah.linkage import engine
    from dadkhah.linkage.cluster import cluster
    from dadkhah.linkage.evaluate import score
    from dadkhah.linkage.features import feature_frame
    from dadkhah.linkage.model import baseline_frame
    from dadkhah.linkage.service import DEFAULT_THRESHOLD
    from dadkhah.testing.simulate_lists import simulate

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--population", type=int, default=10_000)
    p.add_argument("--lists", type=int, default=5)
    p.add_argument("--seed", type=int, default=2)
    p.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    p.add_argument("--no-baseline", action="store_true")
    args = p.parse_args(argv)

    t = time.perf_counter()
    sim = simulate(args.population, args.lists, seed=args.seed)
    records, truth, errors = sim.parsed()
    documented = len(set(truth.values()))
    print(f"population {args.population:,}, {args.lists} lists, seed {args.seed}: {len(records):,} records "
          f"({', '.join(f'{sl.name} {len(sl.rows):,}' for sl in sim.lists)}), {documented:,} documented "
          f"victims, {len(errors)} bad rows  [{time.perf_counter() - t:.1f}s]")

    t = time.perf_counter()
    out = engine.link(feature_frame(records), args.threshold)
    ours = score(out.clustering.clusters, truth)
    print(ours.line(f"dadkhah (threshold {args.threshold})") + f"  [{time.perf_counter() - t:.1f}s]")

    if not args.no_baseline:
        frame = baseline_frame(records)
        for refine, label in ((False, "Splink defaults, raw names"), (True, "  same + dadkhah's prior step")):
            t = time.perf_counter()
            pairs = engine.predict_baseline(frame, refine=refine)
            edges = pairs[["unique_id_l", "unique_id_r", "match_probability"]].itertuples(index=False, name=None)
            base = score(cluster(list(truth), edges, args.threshold).clusters, truth)
            print(base.line(label) + f"  [{time.perf_counter() - t:.1f}s]")

if __name__ == "__main__":
    main(sys.argv[1:])
