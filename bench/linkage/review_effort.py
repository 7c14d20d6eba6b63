"""What clerical review buys at scale: the clusters after a reviewer has decided the first k pairs of the review
queue, for several k, against the truth.

    .venv/bin/python bench/linkage/review_effort.py --population 100000 --seed 13 --decisions 0 1000 5000 20000

The records are read as ``dadkhah lists import`` reads them and linked with the engine call ``link run`` makes
(as :mod:`error_analysis` does). The queue is :func:`dadkhah.linkage.review.next_pairs`'s: the scored pairs
in its band, closest to the threshold (in logits) first. The reviewer is perfect (the truth decides "same" or
"different"), so the figures are what review effort can buy at best. Decisions are re-clustered as
:func:`dadkhah.linkage.service.recluster` does after every decision: the run's scored pairs at the
threshold, its vetoes, the decisions as hard constraints (k = 0 must reproduce the run's own clusters).
Prints one line per k; ``--json`` one document. Figures for docs/benchmarks.md; not a test.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from error_analysis import raise_row_guard, records_of  # noqa: E402


def queue(out, threshold: float) -> list[tuple[int, int, float]]:
    """The scored pairs in the review band, most uncertain first (the review queue's order)."""
    from dadkhah.linkage.review import REVIEW_BAND
    from dadkhah.linkage.service import logit

    pairs = out.pairs[(out.pairs["match_probability"] >= REVIEW_BAND[0])
                      & (out.pairs["match_probability"] < REVIEW_BAND[1])]
    centre = logit(threshold)
    rows = [(int(a), int(b), float(p)) for a, b, p in pairs[["unique_id_l", "unique_id_r", "match_probability"]]
            .itertuples(index=False, name=None)]
    return sorted(rows, key=lambda r: (abs(logit(r[2]) - centre), r[0], r[1]))


def main(argv: list[str]) -> None:
    from dadkhah.linkage import engine
    from dadkhah.linkage.cluster import cluster
    from dadkhah.linkage.evaluate import score
    from dadkhah.linkage.features import feature_frame
    from dadkhah.linkage.service import DEFAULT_THRESHOLD

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--generator", choices=("population", "simulate"), default="population")
    p.add_argument("--population", type=int, default=100_000)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--lists", type=int, default=5)
    p.add_argument("--decisions", type=int, nargs="+", default=[0, 1000, 2000, 5000, 10000, 20000])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--max-rows", type=int)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    raise_row_guard(args.max_rows)
    log = sys.stderr
    records, truth, _ = records_of(args.generator, args.population, args.seed, args.lists)
    df = feature_frame(records)
    t = time.perf_counter()
    out = engine.link(df, DEFAULT_THRESHOLD, options=engine.EngineOptions(threads=args.threads),
                      step=lambda m: print(f"  … {m}", file=log, flush=True))
    print(f"{len(records):,} records linked in {time.perf_counter() - t:.0f}s", file=log)
    ids = [int(i) for i in df["unique_id"].tolist()]
    edges = out.pairs[["unique_id_l", "unique_id_r", "match_probability"]]
    ordered = queue(out, DEFAULT_THRESHOLD)
    run_scores = score(out.clustering.clusters, truth)
    rows = []
    for k in sorted(set(args.decisions)):
        decided = ordered[:k]
        same = [(a, b) for a, b, _ in decided if truth[a] == truth[b]]
        different = [(a, b) for a, b, _ in decided if truth[a] != truth[b]]
        t = time.perf_counter()
        result = cluster(ids, edges, DEFAULT_THRESHOLD, same=same, different=different, veto=out.veto_pairs)
        s = score(result.clusters, truth)
        row = {"decisions": len(decided), "same": len(same), "different": len(different),
               "lowest_probability_decided": round(min((x[2] for x in decided), default=math.nan), 4),
               "precision": round(s.precision, 4), "recall": round(s.recall, 4), "f1": round(s.f1, 4),
               "b3_f1": round(s.b3_f1, 4), "recluster_seconds": round(time.perf_counter() - t, 1)}
        rows.append(row)
        if not args.json:
            print(f"{row['decisions']:>7,} decisions ({row['same']:,} same, {row['different']:,} different): "
                  f"P {row['precision']:.4f} R {row['recall']:.4f} F1 {row['f1']:.4f} B3 {row['b3_f1']:.4f}  "
                  f"[{row['recluster_seconds']}s]", flush=True)
    doc = {"generator": args.generator, "population": args.population, "seed": args.seed, "records": len(records),
           "queue": len(ordered), "run": {"f1": round(run_scores.f1, 4), "b3_f1": round(run_scores.b3_f1, 4)},
           "rows": rows}
    if args.json:
        print(json.dumps(doc))
    else:
        print(f"queue: {len(ordered):,} pairs in the review band; the run's own clusters: F1 {run_scores.f1:.4f}")


if __name__ == "__main__":
    main(sys.argv[1:])
