"""Benchmark: log-linear model search with many lists.

Six lists (the UK 2013 table): all 32,768 two-way hierarchical models fitted (batched IRLS) against the
guided stepwise-BIC search; 7 to 10 lists (simulated: independent lists plus two dependent pairs and
two-class heterogeneity): the guided search only (2^21 to 2^45 two-way models are too many to fit),
with its time, the models it fitted and whether it finds the planted dependences.

    .venv/bin/python bench/estimate/bench_loglinear.py [--repeats 3] [--json]
    .venv/bin/python bench/estimate/bench_loglinear.py --lists 7,8,9,10 --max-order 2,3 --no-six   # guided only
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

import numpy as np

from dadkhah.estimate.loglinear import fit_loglinear, guided_search, parse_model_name
from dadkhah.estimate.table import example_path, read_table_csv, table_from_counts


def simulated(t: int, seed: int):
    rng = np.random.default_rng(seed)
    N = 6000
    hard = rng.random(N) < 0.6
    p = np.where(hard[:, None], rng.uniform(0.05, 0.15, t)[None, :], rng.uniform(0.2, 0.45, t)[None, :])
    x = rng.random((N, t)) < p
    x[:, 1] |= x[:, 0] & (rng.random(N) < 0.35)
    x[:, 3] |= x[:, 2] & (rng.random(N) < 0.35)
    cells = x.astype(int) @ (1 << np.arange(t - 1, -1, -1))
    counts = np.bincount(cells, minlength=2**t)
    return N, table_from_counts({format(c, f"0{t}b"): int(counts[c]) for c in range(1, 2**t) if counts[c]})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--lists", default="7,8,9,10", help="numbers of simulated lists for the guided search")
    parser.add_argument("--max-order", default="2", help="interaction orders searched (comma-separated)")
    parser.add_argument("--no-six", action="store_true", help="skip the six-list UK table (a minute exhaustive)")
    args = parser.parse_args()
    rows = []
    if not args.no_six:
        rows += six_lists(args.repeats)
    for t in (int(x) for x in args.lists.split(",")):
        N, tab = simulated(t, 100 + t)
        for order in (int(x) for x in args.max_order.split(",")):
            ts = []
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                fits, info = guided_search(tab, order)
                ts.append(time.perf_counter() - t0)
            best = fits[0]
            rows.append({"table": f"simulated, {t} lists (N={N:,}, documented {tab.documented:,})",
                         "search": f"guided, order <= {order}", "models": info["models_fitted"],
                         "steps": info.get("steps"),
                         "seconds_median": round(statistics.median(ts), 2),
                         "seconds_range": [round(min(ts), 2), round(max(ts), 2)], "selected": best.name,
                         "estimate": round(best.abundance, 1),
                         "planted_pairs_found": sum(pair in parse_model_name(best.name, t).terms
                                                    for pair in ((0, 1), (2, 3)))})
            if not args.json:
                print(f"  {t} lists, order <= {order}: {rows[-1]['seconds_median']} s "
                      f"({rows[-1]['models']} models, {rows[-1]['steps']} steps)", flush=True)
    if args.json:
        print(json.dumps({"rows": rows, "load_average_1min": round(os.getloadavg()[0], 2)}, indent=1))
        return
    print(f"log-linear search; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
          f"{args.repeats} repeats")
    print("| table | search | steps | models fitted | seconds, median (range) | selected | estimate "
          "| planted pairs found |")
    print("|---|---|---:|---:|---:|---|---:|---:|")
    for r in rows:
        rng = r.get("seconds_range")
        spread = f" ({rng[0]}–{rng[1]})" if rng else ""
        print(f"| {r['table']} | {r['search']} | {r.get('steps', '')} | {r['models']:,} "
              f"| {r['seconds_median']}{spread} | `{r['selected']}` "
              f"| {r['estimate']:,.0f} | {r.get('planted_pairs_found', '')} |")


def six_lists(repeats: int) -> list[dict]:
    rows = []
    uk = read_table_csv(example_path("uk-2013")).total
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        res = fit_loglinear(uk, max_order=2, intervals=False)
        times.append(time.perf_counter() - t0)
    g_times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fits, info = guided_search(uk, 2)
        g_times.append(time.perf_counter() - t0)
    rows.append({"table": "UK 2013 (6 lists)", "search": "exhaustive", "models": len(res.models),
                 "seconds_median": round(statistics.median(times), 2), "seconds_range": [round(min(times), 2),
                                                                                       round(max(times), 2)],
                 "selected": res.best.name, "estimate": round(res.best.abundance, 1)})
    rows.append({"table": "UK 2013 (6 lists)", "search": "guided", "models": info["models_fitted"],
                 "seconds_median": round(statistics.median(g_times), 3), "selected": info["selected"],
                 "estimate": round(fits[0].abundance, 1)})
    return rows


if __name__ == "__main__":
    main()
