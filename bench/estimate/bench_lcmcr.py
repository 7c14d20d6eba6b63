"""Benchmark: Gibbs sweeps per second of the LCMCR sampler on the Kosovo table, one core.

Runs the reference protocol (K = 10, a_alpha = b_alpha = 0.25, 10,000 burn-in sweeps, then
1,000 draws thinned by 100: 110,000 sweeps) as a single chain in the calling thread, several
times, after one warm-up run that triggers (or loads) numba's compiled kernel.

    .venv/bin/python bench/estimate/bench_lcmcr.py [--repeats 5] [--json]
    .venv/bin/python bench/estimate/bench_lcmcr.py --replicates 60   # Monte Carlo spread of the
                                                                     # reference protocol's summaries

The reference figure is R's LCMCR: 110,000 sweeps in 1.62 s on one core (about 68,000 per second).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time

import numpy as np

from dadkhah.estimate import lcmcr_kernel
from dadkhah.estimate.lcmcr import _inputs
from dadkhah.estimate.table import example_path, read_table_csv

R_LCMCR_SWEEPS_PER_SECOND = 68_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--K", type=int, default=10)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--replicates",
        type=int,
        default=0,
        help="instead of timing, run this many independent reference-protocol chains (all cores) and "
        "print the spread of their posterior summaries: the Monte Carlo error of a single LCMCR run",
    )
    args = parser.parse_args()
    if args.replicates:
        replicate(args.replicates, args.K)
        return

    table = read_table_csv(example_path("kosovo")).total
    x, counts = _inputs(table)
    burnin, samples, thin = 10_000, 1_000, 100
    sweeps = burnin + samples * thin

    start = time.perf_counter()
    lcmcr_kernel.run_chain(x, counts, args.K, 0.25, 0.25, 10, 10, 1, 0)
    warmup = time.perf_counter() - start

    rates, cpu_rates, medians = [], [], []
    for rep in range(args.repeats):
        start, cpu_start = time.perf_counter(), time.process_time()
        draws, *_ = lcmcr_kernel.run_chain(x, counts, args.K, 0.25, 0.25, burnin, samples, thin, 1000 + rep)
        seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
        rates.append(sweeps / seconds)
        cpu_rates.append(sweeps / cpu_seconds)
        medians.append(float(np.median(draws)))

    result = {
        "benchmark": "LCMCR Gibbs sweeps per second, Kosovo (4 lists, 15 patterns, n=4,400), one core",
        "K": args.K,
        "sweeps_per_run": sweeps,
        "repeats": args.repeats,
        "sweeps_per_second_best": round(max(rates)),
        "sweeps_per_second_median": round(statistics.median(rates)),
        "seconds_per_run_median": round(sweeps / statistics.median(rates), 3),
        "sweeps_per_cpu_second_median": round(statistics.median(cpu_rates)),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "r_lcmcr_sweeps_per_second": R_LCMCR_SWEEPS_PER_SECOND,
        "speedup_vs_r_median": round(statistics.median(rates) / R_LCMCR_SWEEPS_PER_SECOND, 2),
        "posterior_median_per_run": medians,
        "first_call_seconds (compile or cache load)": round(warmup, 2),
        "numba": lcmcr_kernel.HAVE_NUMBA,
        "cpu": platform.processor() or platform.machine(),
        "cores_visible": os.cpu_count(),
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"LCMCR sampler, Kosovo, K={args.K}, one chain on one core, {sweeps:,} sweeps per run")
        print(f"  median {result['sweeps_per_second_median']:,} sweeps/s  (best {result['sweeps_per_second_best']:,})")
        print(
            f"  per CPU-second (excludes time the process waited for a core): "
            f"{result['sweeps_per_cpu_second_median']:,} sweeps/s"
        )
        print(f"  R LCMCR reference: {R_LCMCR_SWEEPS_PER_SECOND:,} sweeps/s  -> x{result['speedup_vs_r_median']}")
        print(f"  load average during the run: {result['load_average_1min']} on {os.cpu_count()} cores")
        print(f"  first call (numba compile or cache load): {warmup:.2f} s")


def replicate(n: int, K: int) -> None:
    table = read_table_csv(example_path("kosovo")).total
    x, counts = _inputs(table)
    seeds = np.arange(5000, 5000 + n, dtype=np.int64)
    draws, *_ = lcmcr_kernel.run_chains_parallel(x, counts, K, 0.25, 0.25, 10_000, 1_000, 100, seeds)
    summaries = {
        "median": np.median(draws, axis=1),
        "mean": draws.mean(axis=1),
        "2.5%": np.quantile(draws, 0.025, axis=1),
        "97.5%": np.quantile(draws, 0.975, axis=1),
    }
    print(f"{n} independent runs of the reference protocol (one chain, 1,000 draws thinned by 100)")
    print(f"{'summary':>8} {'mean':>9} {'sd':>7} {'2.5%':>9} {'97.5%':>9}")
    for name, v in summaries.items():
        lo, hi = np.quantile(v, [0.025, 0.975])
        print(f"{name:>8} {v.mean():9.0f} {v.std(ddof=1):7.0f} {lo:9.0f} {hi:9.0f}")
    pooled = draws.ravel()
    q = np.quantile(pooled, [0.025, 0.5, 0.975])
    print(f"pooled over all runs: median {q[1]:.0f}, 95% interval {q[0]:.0f}-{q[2]:.0f}, mean {pooled.mean():.0f}")


if __name__ == "__main__":
    main()
