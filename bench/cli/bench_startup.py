"""How fast `dadkhah --help` starts, against importing typer and rich (the floor any typer CLI pays).

    .venv/bin/python bench/cli/bench_startup.py [--runs 20] [--rounds 3]

Each round runs the two commands alternately ``--runs`` times each in fresh interpreters and prints the
median wall time of each and their ratio; rounds repeat that to show the spread. The target: ``--help``
within 3× the import of typer + rich.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

PEER = [sys.executable, "-c", "import typer, rich.console"]
OURS = [sys.executable, "-m", "dadkhah.cli", "--help"]
LINK = [sys.executable, "-m", "dadkhah.cli", "link", "--help"]


def timed(cmd: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    for cmd in (PEER, OURS, LINK):  # warm the page cache and the bytecode caches
        timed(cmd)
    ratios = []
    for r in range(args.rounds):
        peer, ours, link = [], [], []
        for _ in range(args.runs):
            peer.append(timed(PEER))
            ours.append(timed(OURS))
            link.append(timed(LINK))
        p, o, k = statistics.median(peer), statistics.median(ours), statistics.median(link)
        ratios.append(o / p)
        print(f"round {r + 1}: import typer+rich {p * 1000:.0f} ms · dadkhah --help {o * 1000:.0f} ms "
              f"({o / p:.2f}×) · dadkhah link --help {k * 1000:.0f} ms ({k / p:.2f}×)")
    print(f"dadkhah --help / import typer+rich: {min(ratios):.2f}–{max(ratios):.2f}× over {args.rounds} rounds "
          f"of {args.runs} runs (target ≤ 3×)")


if __name__ == "__main__":
    main()
