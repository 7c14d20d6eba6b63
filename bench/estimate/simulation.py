"""Simulation study: bias and 95% coverage of each MSE method on populations of known size.

Every population has a known size N and four lists. Three designs, each violating the
independence that the simplest estimators need:

- ``heterogeneous``: victims fall in two hidden groups, one hard to record (most victims) and one
  easy; within a group the lists record independently. This is what the latent-class model
  assumes and what log-linear models handle only through interactions.
- ``dependent``: all victims alike, but list 2 is much more likely to record a victim list 1
  recorded (shared sources), and list 4 less likely to record one list 3 recorded.
- ``both``: hidden groups and the direct dependence together.
- ``independent``: victims alike and lists independent (every method's assumptions hold).

The ``heterogeneous`` and ``independent`` designs are latent-class models (two classes, or one) with
lists independent within a class: there the latent-class model's assumptions hold, and its 95%
intervals should cover N about 95% of the time.

For each population we record each method's estimate and whether its 95% interval covers N.
LCMCR runs 3 chains of 5,000 burn-in sweeps then 1,000 draws thinned by 25, doubled until R-hat <= 1.01
and ESS >= 400 or 205,000 sweeps per chain (``--full``: the reference 10,000 burn-in and thinning by
100, up to 810,000 sweeps).

    .venv/bin/python bench/estimate/simulation.py [--per-design 50] [--workers 2] [--seed 2024]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

DESIGNS = ("heterogeneous", "dependent", "both", "independent", "latent-class")
METHODS = ("loglinear", "loglinear-avg", "Mth Chao", "lcmcr", "bma")


@dataclass(frozen=True)
class Population:
    design: str
    index: int
    seed: int


def _logit(p):
    return np.log(p / (1 - p))


def _expit(x):
    return 1 / (1 + np.exp(-x))


def simulate_counts(design: str, rng: np.random.Generator) -> tuple[int, dict[str, int]]:
    """Draw one population and its four lists; returns (N, {pattern: count})."""
    N = int(rng.integers(2000, 6001))
    t = 4
    if design == "latent-class":
        # A finite mixture of 2 or 3 latent classes on five lists, lists independent within a class,
        # every capture probability between 0.15 and 0.6: LCMCR's model, identifiable (3 classes on 5
        # lists have 17 parameters and N for 31 observed cells; on 4 lists they would have 15 for 15) and
        # with classes the lists do record (a victim of any class is on no list with probability <= 0.44).
        t = 5
        k = int(rng.integers(2, 4))
        weights = rng.dirichlet(np.full(k, 3.0))
        cls = rng.choice(k, size=N, p=weights)
        lam = rng.uniform(0.15, 0.6, size=(k, t))
        x = (rng.random((N, t)) < lam[cls]).astype(np.int64)
        cells = x @ (1 << np.arange(t - 1, -1, -1))
        counts = np.bincount(cells, minlength=2**t)
        return N, {format(c, f"0{t}b"): int(counts[c]) for c in range(1, 2**t)}
    if design in ("heterogeneous", "both"):
        w_hard = rng.uniform(0.6, 0.85)
        group = rng.random(N) < w_hard
        p_hard = rng.uniform(0.05, 0.2, size=t)
        p_easy = rng.uniform(0.3, 0.6, size=t)
        p = np.where(group[:, None], p_hard[None, :], p_easy[None, :])
    elif design == "independent":
        p = np.tile(rng.uniform(0.1, 0.4, size=t), (N, 1))
    else:
        p = np.tile(rng.uniform(0.12, 0.35, size=t), (N, 1))
    x = np.zeros((N, t), dtype=np.int64)
    x[:, 0] = rng.random(N) < p[:, 0]
    x[:, 2] = rng.random(N) < p[:, 2]
    if design in ("dependent", "both"):
        boost = rng.uniform(1.0, 2.0)  # list 2 follows list 1 (log-odds shift)
        damp = rng.uniform(0.5, 1.2)  # list 4 avoids list 3
        p2 = _expit(_logit(p[:, 1]) + boost * x[:, 0])
        p4 = _expit(_logit(p[:, 3]) - damp * x[:, 2])
    else:
        p2, p4 = p[:, 1], p[:, 3]
    x[:, 1] = rng.random(N) < p2
    x[:, 3] = rng.random(N) < p4
    cells = x @ np.array([8, 4, 2, 1])
    counts = np.bincount(cells, minlength=16)
    return N, {format(c, "04b"): int(counts[c]) for c in range(1, 16)}


def run_one(pop: Population, full: bool) -> dict:
    from dadkhah.estimate.bma import fit_bma
    from dadkhah.estimate.closed import fit_closed_models
    from dadkhah.estimate.lcmcr import LcmcrSettings, fit_lcmcr
    from dadkhah.estimate.loglinear import fit_loglinear
    from dadkhah.estimate.table import table_from_counts

    rng = np.random.default_rng(pop.seed)
    N, counts = simulate_counts(pop.design, rng)
    table = table_from_counts(counts)
    out = {"design": pop.design, "index": pop.index, "N": N, "documented": table.documented, "results": {}}
    ll = fit_loglinear(table, max_order=3 if table.t == 4 else 2, intervals=1)
    out["results"]["loglinear"] = (ll.best.abundance, ll.best.lower, ll.best.upper)
    out["results"]["loglinear-avg"] = (ll.average, *ll.average_interval)
    chao = fit_closed_models(table)["Mth Chao"]
    out["results"]["Mth Chao"] = (chao.abundance, chao.lower, chao.upper)
    settings = (
        LcmcrSettings(seed=pop.seed, parallel=False, max_sweeps=810_000)
        if full
        else LcmcrSettings(burnin=5000, samples=1000, thin=25, chains=3, seed=pop.seed, parallel=False,
                           max_sweeps=205_000)
    )
    lc = fit_lcmcr(table, settings)
    out["results"]["lcmcr"] = (lc.estimate, lc.lower, lc.upper)
    out["lcmcr_rhat"] = lc.summary.get("rhat")
    out["lcmcr_ess"] = lc.summary.get("ess")
    out["lcmcr_converged"] = lc.converged
    out["lcmcr_sweeps_per_chain"] = lc.sweeps_per_chain
    # The grid of unrecorded counts: 30 x documented on four lists (the heterogeneous designs leave most
    # victims unrecorded); 3 x on the five-list latent-class design (56% or more of victims are recorded),
    # where 822 graphs make the grid cost ten times as much.
    bm = fit_bma(table, n_max=(30 if table.t == 4 else 3) * table.documented, draws=0)
    out["results"]["bma"] = (bm.estimate, bm.lower, bm.upper)
    return out


def summarise(rows: list[dict]) -> dict:
    table: dict[str, dict[str, dict]] = {}
    for design in (*DESIGNS, "all"):
        sel = [r for r in rows if design == "all" or r["design"] == design]
        if not sel:
            continue
        table[design] = {}
        for m in METHODS:
            rel = np.array([(r["results"][m][0] - r["N"]) / r["N"] for r in sel])
            cover = np.array(
                [(r["results"][m][1] or -math.inf) <= r["N"] <= (r["results"][m][2] or math.inf) for r in sel]
            )
            width = np.array([((r["results"][m][2] or math.inf) - (r["results"][m][1] or 0)) / r["N"] for r in sel])
            table[design][m] = {
                "populations": len(sel),
                "mean_relative_bias_pct": round(100 * float(rel.mean()), 1),
                "median_relative_bias_pct": round(100 * float(np.median(rel)), 1),
                "rmse_pct": round(100 * float(np.sqrt(np.mean(rel**2))), 1),
                "coverage_95_pct": round(100 * float(cover.mean()), 1),
                "coverage_mcse_pct": round(100 * float(math.sqrt(cover.mean() * (1 - cover.mean()) / len(sel))), 1),
                "median_interval_width_pct_of_N": round(100 * float(np.median(width)), 1),
            }
    return table


def markdown(summary: dict) -> str:
    lines = [
        "| design | method | populations | mean bias | median bias | RMSE | 95% coverage | median width |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for design, methods in summary.items():
        for m, s in methods.items():
            lines.append(
                f"| {design} | {m} | {s['populations']} | {s['mean_relative_bias_pct']:+.1f}% "
                f"| {s['median_relative_bias_pct']:+.1f}% | {s['rmse_pct']:.1f}% "
                f"| {s['coverage_95_pct']:.0f}% (±{s['coverage_mcse_pct']:.0f}) "
                f"| {s['median_interval_width_pct_of_N']:.0f}% |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-design", type=int, default=50, help="populations per design (4 designs)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--full", action="store_true", help="reference MCMC settings (slow)")
    parser.add_argument("--json", metavar="FILE", help="also write every population's results here")
    parser.add_argument("--progress", metavar="FILE.jsonl",
                        help="append each population's result here as it is done; a run cut short keeps them, "
                             "and the same command again resumes it (same seeds, the done populations skipped)")
    parser.add_argument("--summarise", metavar="FILE.jsonl", help="only summarise a --progress file (even partial)")
    args = parser.parse_args()
    if args.summarise:
        with open(args.summarise, encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh if line.strip()]
        print(f"{len(rows)} populations from {args.summarise}: "
              + ", ".join(f"{d} {sum(r['design'] == d for r in rows)}" for d in DESIGNS))
        report(rows, None, args)
        return

    # Populations are run design by design in turn (population 0 of every design, then 1, …), so that a
    # run cut short has every design about equally; each keeps the seed it has in a full run.
    seeds = np.random.SeedSequence(args.seed).generate_state(args.per_design * len(DESIGNS), dtype=np.uint32)
    pops = [
        Population(design, i, int(seeds[d * args.per_design + i] >> 1))
        for i in range(args.per_design)
        for d, design in enumerate(DESIGNS)
    ]
    rows = []
    if args.progress and os.path.exists(args.progress):  # resume: the populations already done are kept
        with open(args.progress, encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh if line.strip()]
        done = {(r["design"], r["index"]) for r in rows}
        pops = [p for p in pops if (p.design, p.index) not in done]
        print(f"resuming: {len(rows)} populations already in {args.progress}, {len(pops)} to go", flush=True)
    start = time.perf_counter()
    progress = open(args.progress, "a", encoding="utf-8") if args.progress else None  # noqa: SIM115
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        for row in pool.map(run_one, pops, [args.full] * len(pops)):
            rows.append(row)
            if progress:
                progress.write(json.dumps(row, default=_plain) + "\n")
                progress.flush()
    if progress:
        progress.close()
    seconds = time.perf_counter() - start
    report(rows, seconds, args)


def _plain(value):
    """numpy scalars (np.bool_, np.int64) as the Python values JSON knows."""
    return value.item() if hasattr(value, "item") else str(value)


def report(rows: list[dict], seconds: float | None, args) -> None:
    summary = summarise(rows)
    rhats = [r["lcmcr_rhat"] for r in rows if r["lcmcr_rhat"] is not None]
    if seconds is not None:
        print(
            f"{len(rows)} simulated populations (N between 2,000 and 6,000; 4 lists, 5 in latent-class), "
            f"{seconds:.0f} s on {args.workers} workers; seed {args.seed}"
        )
    conv = [r for r in rows if r["lcmcr_converged"]]
    print(
        f"LCMCR: {'reference' if args.full else 'short'} MCMC run until converged; R-hat > 1.01 in "
        f"{sum(r > 1.01 for r in rhats)} and not converged (R-hat <= 1.01, ESS >= 400) in "
        f"{len(rows) - len(conv)} of {len(rows)} populations"
    )
    if len(conv) < len(rows):
        cs = summarise(conv)
        print("LCMCR coverage among converged populations only: " + ", ".join(
            f"{d} {v['lcmcr']['coverage_95_pct']:.0f}% of {v['lcmcr']['populations']}" for d, v in cs.items()))
    print()
    print(markdown(summary))
    if args.json and seconds is not None:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"summary": summary, "populations": rows, "seconds": seconds}, fh, indent=1, default=_plain)


if __name__ == "__main__":
    main()
