"""Simulation-based calibration of the LCMCR sampler (Talts et al. 2018): the bigger run behind the figures
in docs/estimate.md, for the corrected kernel and, beside it, the kernel before the fix.

    .venv/bin/python bench/estimate/sbc.py [--replicates 1000] [--thin 100] [--figure docs/figures/lcmcr-sbc.png]

Prints the rank histograms (20 bins) of N and alpha with chi-square and KS p-values; with --figure draws them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))


def main() -> None:
    import lcmcr_kernel_previous as previous

    from dadkhah.estimate import lcmcr_kernel
    from dadkhah.testing.lcmcr_sbc import SbcSettings, run_sbc

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=1000)
    parser.add_argument("--thin", type=int, default=100)
    parser.add_argument("--burnin", type=int, default=2000)
    parser.add_argument("--lists", type=int, default=3)
    parser.add_argument("--K", type=int, default=4)
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--figure", type=Path)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    s = SbcSettings(lists=args.lists, K=args.K, replicates=args.replicates, thin=args.thin, burnin=args.burnin,
                    seed=args.seed)
    results = {}
    for label, kernel in (("corrected", lcmcr_kernel.run_chain), ("previous", previous.run_chain)):
        t0 = time.perf_counter()
        res = run_sbc(s, bins=20, kernel=kernel)
        results[label] = {"seconds": round(time.perf_counter() - t0, 1),
                          **{p: {k: v for k, v in r.items() if k != "ranks"} for p, r in res.items()}}
        results[label]["_ranks"] = {p: r["ranks"] for p, r in res.items()}
    settings = (f"{args.replicates} replicates, {args.lists} lists, K={args.K}, a=b=0.25, N ~ NegBin(mean 200), "
                f"burn-in {args.burnin}, 99 draws thinned by {args.thin}")
    if args.json:
        print(json.dumps({k: {kk: vv for kk, vv in v.items() if kk != "_ranks"} for k, v in results.items()},
                         indent=1))
    else:
        print(f"SBC of the LCMCR kernel: {settings}")
        print("| kernel | parameter | chi-square p | KS p | rank histogram (20 bins) |")
        print("|---|---|---:|---:|---|")
        for label, r in results.items():
            for p in ("N", "alpha"):
                hist = " ".join(map(str, r[p]["histogram"]))
                print(f"| {label} | {p} | {r[p]['chi2_p']:.3g} | {r[p]['ks_p']:.3g} | {hist} |")
        print(f"seconds: corrected {results['corrected']['seconds']}, previous {results['previous']['seconds']}")
    if args.figure:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        fig = Figure(figsize=(9, 5.5), dpi=100)
        FigureCanvasAgg(fig)
        expected = args.replicates / 20
        for i, label in enumerate(("corrected", "previous")):
            for j, p in enumerate(("N", "alpha")):
                ax = fig.add_subplot(2, 2, 2 * i + j + 1)
                hist = results[label][p]["histogram"]
                ax.bar(range(20), hist, color="#c0392b" if label == "previous" else "#1b6ca8")
                ax.axhline(expected, color="k", lw=0.8, ls="--")
                ax.set_title(f"{label} kernel: rank of {p} (KS p = {results[label][p]['ks_p']:.2g})", fontsize=9)
                ax.set_xticks([])
        fig.suptitle(f"Simulation-based calibration of LCMCR ({settings})", fontsize=8)
        fig.tight_layout()
        args.figure.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(args.figure)


if __name__ == "__main__":
    main()
