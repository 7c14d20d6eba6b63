"""Benchmark: Gibbs sweeps per second of the LCMCR sampler on the Kosovo table, one core.

Runs the reference protocol (K = 10, a_alpha = b_alpha = 0.25, 10,000 burn-in sweeps, then
1,000 draws thinned by 100: 110,000 sweeps) as a single chain in the calling thread, several
times, after one warm-up run that triggers (or loads) numba's compiled kernel.

    .venv/bin/python bench/estimate/bench_lcmcr.py [--repeats 5] [--json]   # corrected and previous kernels,
                                                                          # interleaved, same run
    .venv/bin/python bench/estimate/bench_lcmcr.py --command 3              # `dadkhah estimate --method lcmcr`
                                                                          # as a whole (start-up included)
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
    parser.add_argument("--command", type=int, default=0, metavar="N",
                        help="instead, time N runs of the whole `dadkhah estimate --method lcmcr` command")
    args = parser.parse_args()
    if args.replicates:
        replicate(args.replicates, args.K)
        return
    if args.command:
        time_command(args.command, args.json)
        return
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    import lcmcr_kernel_previous as previous

    table = read_table_csv(example_path("kosovo")).total
    x, counts = _inputs(table)
    burnin, samples, thin = 10_000, 1_000, 100
    sweeps = burnin + samples * thin

    start = time.perf_counter()
    lcmcr_kernel.run_chain(x, counts, args.K, 0.25, 0.25, 10, 10, 1, 0)
    warmup = time.perf_counter() - start
    previous.run_chain(x, counts, args.K, 0.25, 0.25, 10, 10, 1, 0)

    rates, cpu_rates, medians = [], [], []
    prev_cpu_rates, prev_rates = [], []
    for rep in range(args.repeats):
        # Interleaved, so both kernels meet the same load on a shared machine.
        start, cpu_start = time.perf_counter(), time.process_time()
        draws, *_ = lcmcr_kernel.run_chain(x, counts, args.K, 0.25, 0.25, burnin, samples, thin, 1000 + rep)
        seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
        rates.append(sweeps / seconds)
        cpu_rates.append(sweeps / cpu_seconds)
        medians.append(float(np.median(draws)))
        start, cpu_start = time.perf_counter(), time.process_time()
        previous.run_chain(x, counts, args.K, 0.25, 0.25, burnin, samples, thin, 1000 + rep)
        seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
        prev_rates.append(sweeps / seconds)
        prev_cpu_rates.append(sweeps / cpu_seconds)

    result = {
        "benchmark": "LCMCR Gibbs sweeps per second, Kosovo (4 lists, 15 patterns, n=4,400), one core",
        "K": args.K,
        "sweeps_per_run": sweeps,
        "repeats": args.repeats,
        "sweeps_per_second_best": round(max(rates)),
        "sweeps_per_second_median": round(statistics.median(rates)),
        "seconds_per_run_median": round(sweeps / statistics.median(rates), 3),
        "sweeps_per_cpu_second_median": round(statistics.median(cpu_rates)),
        "sweeps_per_cpu_second_range": [round(min(cpu_rates)), round(max(cpu_rates))],
        "previous_kernel_sweeps_per_cpu_second_median": round(statistics.median(prev_cpu_rates)),
        "previous_kernel_sweeps_per_cpu_second_range": [round(min(prev_cpu_rates)), round(max(prev_cpu_rates))],
        "ratio_to_previous_kernel_cpu": round(statistics.median(cpu_rates) / statistics.median(prev_cpu_rates), 3),
        "speedup_vs_r_cpu_median": round(statistics.median(cpu_rates) / R_LCMCR_SWEEPS_PER_SECOND, 2),
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
        print(f"  previous kernel (before the log-space fix), same run: "
              f"{result['previous_kernel_sweeps_per_cpu_second_median']:,} sweeps per CPU-second "
              f"(range {result['previous_kernel_sweeps_per_cpu_second_range']}); corrected/previous = "
              f"{result['ratio_to_previous_kernel_cpu']}")
        print(f"  corrected kernel per CPU-second range: {result['sweeps_per_cpu_second_range']}")
        print(f"  R LCMCR reference: {R_LCMCR_SWEEPS_PER_SECOND:,} sweeps/s  -> x{result['speedup_vs_r_median']} "
              f"(wall), x{result['speedup_vs_r_cpu_median']} (CPU)")
        print(f"  load average during the run: {result['load_average_1min']} on {os.cpu_count()} cores")
        print(f"  first call (numba compile or cache load): {warmup:.2f} s")


def time_command(n: int, as_json: bool) -> None:
    """Time the whole command, a fresh Python process each time (imports, numba cache load, 3 chains run
    until converged, JSON written)."""
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "dadkhah.cli", "estimate", "--table", str(example_path("kosovo")),
           "--method", "lcmcr", "--seed", "1", "--json"]
    walls, cpus, sweeps = [], [], []
    for _ in range(n):
        before = os.times()
        start = time.perf_counter()
        out = subprocess.run(cmd, capture_output=True, text=True, check=True)
        walls.append(time.perf_counter() - start)
        after = os.times()
        cpus.append((after.children_user - before.children_user) + (after.children_system - before.children_system))
        sweeps.append(json.loads(out.stdout)["diagnostics"]["sweeps"])
    result = {"command": " ".join(cmd[2:]), "runs": n, "wall_seconds": [round(w, 2) for w in walls],
              "cpu_seconds": [round(c, 2) for c in cpus], "sweeps": sweeps,
              "load_average_1min": round(os.getloadavg()[0], 2)}
    if as_json:
        print(json.dumps(result, indent=2))
    else:
        print(f"`dadkhah {result['command']}`, {n} runs (fresh process each)")
        print(f"  wall seconds: {result['wall_seconds']}; CPU seconds: {result['cpu_seconds']}")
        print(f"  sweeps (3 chains, run until converged): {sweeps}; load average {result['load_average_1min']}")


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
