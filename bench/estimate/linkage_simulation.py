"""Validation of linkage uncertainty in the estimate, end to end: noisy lists → linkage → estimate vs true N.

For each simulated population (``dadkhah.testing.simulate_lists``: heterogeneous, dependent capture,
transliteration variants, typos, missing fields, within-list duplicates):

1. the lists are linked by dadkhah's linkage (``linkage.engine.link``: Splink model trained on the lists,
   pairs scored, clustered at the threshold 0.5 with vetoes);
2. three capture-history tables: the **true** one (records grouped by the person they describe), the
   **fixed** one (the clusters at the threshold) and ``--draws`` tables from linkage configurations drawn
   from the scored pairs (``estimate.linkage_uncertainty``);
3. each method estimates the true and fixed tables, and the drawn tables are pooled;
4. coverage of the true N by each 95% interval, and the linkage's pairwise precision and recall.

    .venv/bin/python bench/estimate/linkage_simulation.py [--populations 20] [--population 1200] [--draws 10]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np


def _table(records, assignment, names):
    from dadkhah.estimate.table import table_from_counts

    members: dict = {}
    for rid, name, _ in records:
        members.setdefault(assignment[rid], set()).add(name)
    counts: dict[str, int] = {}
    for on in members.values():
        pattern = "".join("1" if n in on else "0" for n in names)
        counts[pattern] = counts.get(pattern, 0) + 1
    return table_from_counts(counts, lists=names)


def _pairwise_pr(assign, truth) -> tuple[float, float]:
    from itertools import combinations

    def pairs(groups):
        by: dict = {}
        for rid, g in groups.items():
            by.setdefault(g, []).append(rid)
        return {tuple(sorted(p)) for m in by.values() for p in combinations(m, 2)}

    predicted, actual = pairs(assign), pairs(truth)
    tp = len(predicted & actual)
    return (tp / len(predicted) if predicted else 1.0), (tp / len(actual) if actual else 1.0)


def missed_links(fixed: dict, truth: dict, scored: dict) -> dict:
    """The true pairs the fixed linkage left apart: how many, how many were never scored (blocking), and
    the sum of the match probabilities of the scored ones (what drawn configurations can bring back)."""
    from itertools import combinations

    by: dict = {}
    for rid, person in truth.items():
        by.setdefault(person, []).append(rid)
    pairs = [tuple(sorted(p)) for m in by.values() for p in combinations(m, 2)]
    missed = [p for p in pairs if fixed[p[0]] != fixed[p[1]]]
    q = [scored[p] for p in missed if p in scored]
    return {"true_pairs": len(pairs), "missed": len(missed), "missed_never_scored": len(missed) - len(q),
            "missed_scored_probability_sum": round(sum(q), 1)}


def run_one(args: tuple) -> dict:
    seed, population, n_lists, draws, methods, noise = args
    os.environ.setdefault("NUMBA_NUM_THREADS", "1")
    from dadkhah.estimate.lcmcr import LcmcrSettings
    from dadkhah.estimate.linkage_uncertainty import LinkageGraph, propagate_tables, sample_assignments
    from dadkhah.estimate.service import EstimateOptions, estimate_table
    from dadkhah.linkage.engine import EngineOptions, link
    from dadkhah.linkage.features import feature_frame
    from dadkhah.testing.simulate_lists import simulate

    t0 = time.perf_counter()
    sim = simulate(population=population, lists=n_lists, seed=seed, noise=noise)
    records, truth, _ = sim.parsed()
    names = [sl.name for sl in sim.lists]
    opts_link = EngineOptions()
    out = link(feature_frame(records), 0.5, options=opts_link)
    t_link = time.perf_counter() - t0
    fixed = {rid: f"c{c}" for rid, c in out.clustering.clusters.items()}
    true = {rid: f"p{p}" for rid, p in truth.items()}
    precision, recall = _pairwise_pr(fixed, true)
    p = out.pairs
    edges = [(int(a), int(b), float(q)) for a, b, q in
             zip(p["unique_id_l"], p["unique_id_r"], p["match_probability"], strict=True) if q >= opts_link.floor]
    veto = [(int(a), int(b)) for a, b, q in zip(p["unique_id_l"], p["unique_id_r"], p["match_probability"],
                                                strict=True) if q < opts_link.veto]
    graph = LinkageGraph([rid for rid, _, _ in records], edges, veto=veto)
    scored = {tuple(sorted((int(a), int(b)))): float(q) for a, b, q in
              zip(p["unique_id_l"], p["unique_id_r"], p["match_probability"], strict=True)}
    assignments = sample_assignments(graph, draws, seed)
    t_true, t_fixed = _table(records, true, names), _table(records, fixed, names)
    drawn = [_table(records, a, names) for a in assignments]
    lc = LcmcrSettings(burnin=3000, samples=1000, thin=10, chains=2, parallel=False, target_rhat=None,
                       target_ess=None)
    options = EstimateOptions(seed=seed, lcmcr=lc, closed=False)
    res = {"seed": seed, "N": population, "documented_true": t_true.documented, "documented_fixed": t_fixed.documented,
           "precision": precision, "recall": recall, "link_seconds": round(t_link, 1), "results": {},
           "missed_links": missed_links(fixed, true, scored)}
    pooled = propagate_tables(drawn, options, methods, seed)
    for m_i, m in enumerate(methods):
        row = {}
        for label, tab in (("true linkage", t_true), ("fixed threshold", t_fixed)):
            try:
                e = estimate_table(tab, m, options, seed + m_i)
                row[label] = (e.estimate, e.lower, e.upper)
            except Exception as exc:  # noqa: BLE001 - recorded, the study goes on
                row[label] = (math.nan, None, None, str(exc))
        pm = pooled.get(m) or {}
        row["pooled"] = (pm.get("estimate", math.nan), pm.get("lower"), pm.get("upper"))
        res["results"][m] = row
    res["seconds"] = round(time.perf_counter() - t0, 1)
    return res


def summarise(rows: list[dict], methods) -> list[dict]:
    out = []
    for m in methods:
        for label in ("true linkage", "fixed threshold", "pooled"):
            vals = [r["results"][m][label] for r in rows]
            ok = [(v, r["N"]) for v, r in zip(vals, rows, strict=True) if v[0] == v[0] and v[1] is not None]
            if not ok:
                continue
            cover = np.array([(v[1] <= N <= (v[2] if v[2] is not None else math.inf)) for v, N in ok])
            bias = np.array([(v[0] - N) / N for v, N in ok])
            width = np.array([((v[2] if v[2] is not None else math.inf) - v[1]) / N for v, N in ok])
            out.append({"method": m, "table": label, "populations": len(ok),
                        "coverage_pct": round(100 * cover.mean(), 1),
                        "coverage_mcse_pct": round(100 * math.sqrt(cover.mean() * (1 - cover.mean()) / len(ok)), 1),
                        "mean_bias_pct": round(100 * bias.mean(), 1),
                        "median_width_pct": round(100 * float(np.median(width)), 1)})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--populations", type=int, default=20)
    parser.add_argument("--population", type=int, default=1200)
    parser.add_argument("--lists", type=int, default=4)
    parser.add_argument("--draws", type=int, default=10)
    parser.add_argument("--methods", default="lcmcr,bma")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=515)
    parser.add_argument("--noise", type=float, default=1.0,
                        help="how much worse than the generator's conventions the lists are (0: as generated; "
                             "1: more typos and blank fields, so that the linkage makes real errors)")
    parser.add_argument("--json", metavar="FILE")
    parser.add_argument("--progress", metavar="FILE.jsonl",
                        help="append each population's result here as it is done (a run cut short keeps them)")
    parser.add_argument("--summarise", metavar="FILE.jsonl", help="only summarise a --progress file (even partial)")
    args = parser.parse_args()
    methods = tuple(args.methods.split(","))
    if args.summarise:
        with open(args.summarise, encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh if line.strip()]
        print(f"{len(rows)} populations from {args.summarise}")
        report(rows, methods, None, args)
        return
    jobs = [(args.seed + i, args.population, args.lists, args.draws, methods, args.noise)
            for i in range(args.populations)]
    start = time.perf_counter()
    rows = []
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        for row in pool.map(run_one, jobs):
            rows.append(row)
            if args.progress:
                with open(args.progress, "a", encoding="utf-8") as fh:
                    fh.write(json.dumps(row, default=str) + "\n")
    seconds = time.perf_counter() - start
    report(rows, methods, seconds, args)


def report(rows: list[dict], methods, seconds: float | None, args) -> None:
    summary = summarise(rows, methods)
    pr = np.array([(r["precision"], r["recall"]) for r in rows])
    if seconds is not None:
        print(f"{len(rows)} simulated populations of {args.population} victims on {args.lists} lists, "
              f"{args.draws} linkage draws each; noise {args.noise}; {seconds:.0f} s on {args.workers} workers; "
              f"seed {args.seed}")
    docs = np.array([(r["documented_true"], r["documented_fixed"]) for r in rows])
    print(f"documented victims: true linkage {docs[:, 0].mean():.0f}, fixed threshold {docs[:, 1].mean():.0f} "
          f"(mean over populations; {100 * np.mean(docs[:, 1] / docs[:, 0] - 1):+.1f}%)")
    print(f"linkage at threshold 0.5: pairwise precision {pr[:, 0].mean():.3f}, recall {pr[:, 1].mean():.3f} "
          f"(means over populations)")
    ml = [r["missed_links"] for r in rows if "missed_links" in r]
    if ml:
        print(f"missed true pairs: {sum(m['missed'] for m in ml):,} of {sum(m['true_pairs'] for m in ml):,}; never "
              f"scored (blocking) {sum(m['missed_never_scored'] for m in ml):,}; the scored ones' match "
              f"probabilities sum to {sum(m['missed_scored_probability_sum'] for m in ml):,.0f}")
    print("| method | table | populations | 95% coverage | mean bias | median width |")
    print("|---|---|---:|---:|---:|---:|")
    for s in summary:
        print(f"| {s['method']} | {s['table']} | {s['populations']} | {s['coverage_pct']:.0f}% "
              f"(±{s['coverage_mcse_pct']:.0f}) | {s['mean_bias_pct']:+.1f}% | {s['median_width_pct']:.0f}% |")
    if args.json and seconds is not None:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"summary": summary, "populations": rows, "seconds": seconds}, fh, indent=1, default=str)


if __name__ == "__main__":
    main()
