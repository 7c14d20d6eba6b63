"""Where the linkage errs: every missed and every false pair of a simulated population, counted by cause.

    # the independent generator (dadkhah.testing.population), a held-out seed, 10,000 victims
    .venv/bin/python bench/linkage/error_analysis.py --population 10000 --seed 12
    .venv/bin/python bench/linkage/error_analysis.py --population 10000 --seed 12 --json > errors.json
    # about a million records (the largest list then has more rows than one file may hold)
    .venv/bin/python bench/linkage/error_analysis.py --population 540000 --seed 12 --max-rows 400000
    # the engine's own simulator
    .venv/bin/python bench/linkage/error_analysis.py --generator simulate --population 10000 --seed 2

The lists are read exactly as ``dadkhah lists import`` reads them (``Population.parsed``), their features
computed as ``link run`` computes them, and linked with the same engine call and threshold. Then every
pair of records of one person that ends in two clusters (a missed pair) and every pair of two people that
ends in one (a false pair) is put under one cause, the first that applies:

missed pairs
  never blocked     no blocking rule the run used puts the two records together
  below the floor   blocked, but scored under the engine's floor (0.01) and so never kept
  kept apart        scored at or above the threshold, yet in two clusters: the pair itself vetoed (a
                    within-cluster check or a coherence split), or refused through the chain
  under threshold   scored between the floor and the threshold, split by how the names compare:
                    the same name keys; the same but for vowel letters; the same consonant skeleton;
                    names that differ beyond that (typos, a compound split two ways, another variant);
                    a name missing on one side

false pairs
  linked directly or only through other records, each split by names: equal keys (namesakes),
  equal family name and father with another given name (brothers, sisters), other.

Each cause also says how many of its pairs involve the press list (a name, a year and a note only).
Figures for docs/linkage.md; not a test.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict

import numpy as np
import pandas as pd

NAME_PARTS = ("given", "family")


def _pairs_of(groups: dict) -> set[tuple[int, int]]:
    """All record pairs (low id first) that share a group; ``groups`` maps record id → group."""
    members: dict = defaultdict(list)
    for rid, g in groups.items():
        members[g].append(rid)
    out: set[tuple[int, int]] = set()
    for m in members.values():
        m.sort()
        for i, a in enumerate(m):
            out.update((a, b) for b in m[i + 1:])
    return out


def _blocked(df: pd.DataFrame, blocking, pairs: list[tuple[int, int]]) -> np.ndarray:
    """Whether any used blocking rule puts each pair together (the run's capped rules by their derived
    column, as the engine blocked on it)."""
    from dadkhah.linkage import model as M

    if not pairs:
        return np.zeros(0, dtype=bool)
    pos = pd.Series(np.arange(len(df)), index=df["unique_id"].astype("int64").to_numpy())
    left = pos.loc[[a for a, _ in pairs]].to_numpy()
    right = pos.loc[[b for _, b in pairs]].to_numpy()
    return M.together(df, [M.rule_columns(b) for b in blocking if b.used], left, right)


def _name_relation(a: dict, b: dict) -> str:
    def known(v) -> bool:
        return v is not None and not pd.isna(v) and v != ""

    if not all(known(a[f"{p}_key"]) and known(b[f"{p}_key"]) for p in NAME_PARTS):
        return "a name missing on one side"
    if all(a[f"{p}_key"] == b[f"{p}_key"] for p in NAME_PARTS):
        return "same name keys"
    if all(a[f"{p}_vf"] == b[f"{p}_vf"] for p in NAME_PARTS):
        return "same but for vowel letters"
    if all(a[f"{p}_sk"] == b[f"{p}_sk"] for p in NAME_PARTS):
        return "same consonant skeleton"
    return "names differ beyond vowels and skeleton"


def _false_relation(a: dict, b: dict) -> str:
    def same(c: str) -> bool:
        return a[c] is not None and not pd.isna(a[c]) and a[c] == b[c]

    if same("given_key") and same("family_key"):
        return "namesakes (equal name keys)"
    if same("family_key") and same("father_key"):
        return "same family name and father, other given name (siblings)"
    return "different name keys"


def analyse(df: pd.DataFrame, truth: dict[int, int], out, threshold: float, floor: float,
            press: str = "press") -> dict:
    from dadkhah.linkage.evaluate import score

    clusters = out.clustering.clusters
    rows = {int(r["unique_id"]): r for r in df.to_dict("records")}
    lists = {rid: r["list_name"] for rid, r in rows.items()}
    true_pairs = _pairs_of(truth)
    predicted = _pairs_of(clusters)
    missed = sorted(true_pairs - predicted)
    false = sorted(predicted - true_pairs)
    prob = {(int(a), int(b)): float(p) for a, b, p in out.pairs[["unique_id_l", "unique_id_r", "match_probability"]]
            .itertuples(index=False, name=None)}
    vetoed = {(min(a, b), max(a, b)) for a, b in out.veto_pairs}
    blocked = dict(zip(missed, _blocked(df, out.blocking, missed), strict=True))

    def cause_missed(pair: tuple[int, int]) -> str:
        p = prob.get(pair)
        if p is None:
            return "never blocked" if not blocked[pair] else "blocked, below the floor"
        if p >= threshold:
            return "kept apart: the pair vetoed" if pair in vetoed else "kept apart: refused through the chain"
        return "under threshold: " + _name_relation(rows[pair[0]], rows[pair[1]])

    def cause_false(pair: tuple[int, int]) -> str:
        how = "linked directly" if prob.get(pair, 0.0) >= threshold else "joined through other records"
        return f"{how}: {_false_relation(rows[pair[0]], rows[pair[1]])}"

    def tally(pairs, cause) -> dict:
        counts, with_press, probs = Counter(), Counter(), defaultdict(list)
        for pair in pairs:
            c = cause(pair)
            counts[c] += 1
            if press in (lists[pair[0]], lists[pair[1]]):
                with_press[c] += 1
            if pair in prob:
                probs[c].append(prob[pair])
        return {c: {"pairs": n, "with_press_list": with_press[c],
                    "median_probability": round(float(np.median(probs[c])), 3) if probs[c] else None}
                for c, n in counts.most_common()}

    by_lists = Counter(tuple(sorted((lists[a], lists[b]))) for a, b in missed)
    s = score(clusters, truth)
    return {"records": len(df), "people": len(set(truth.values())), "true_pairs": len(true_pairs),
            "predicted_pairs": len(predicted), "scores": s.to_dict(), "line": s.line("dadkhah"),
            "missed": {"pairs": len(missed), "causes": tally(missed, cause_missed),
                       "by_list_pair": {" & ".join(k): n for k, n in by_lists.most_common()}},
            "false": {"pairs": len(false), "causes": tally(false, cause_false)},
            "blocking": [b.to_dict() for b in out.blocking],
            "pairs_scored": out.pairs_scored, "vetoes": out.vetoes, "expected_matches": out.expected_matches,
            "left_out_matches": out.left_out_matches,
            "true_matches_per_record": round(2 * len(true_pairs) / len(df), 3),
            # as `link run --json` reports it: the scored pairs' expected matches and those of the pairs the
            # capped blocking rules left out (their scored sample, counted for all of them)
            "estimated_matches_per_record": round(2 * (out.expected_matches + (out.left_out_matches or 0.0))
                                                  / len(df), 3) if out.expected_matches else None,
            "estimated_matches_per_record_scored_only": round(2 * out.expected_matches / len(df), 3)
            if out.expected_matches else None}


def raise_row_guard(rows: int | None) -> None:
    """Let one list file hold ``rows`` rows (when more than the importer's guard), for a bench's big lists."""
    if rows:
        from dadkhah.lists import readers

        readers.MAX_ROWS = max(readers.MAX_ROWS, rows)


def records_of(generator: str, size: int, seed: int, lists: int):
    if generator == "population":
        from dadkhah.testing.population import population

        return population(size, seed, lists=lists).parsed()
    from dadkhah.testing.simulate_lists import simulate

    return simulate(size, lists, seed=seed).parsed()


def main(argv: list[str]) -> None:
    from dadkhah.linkage import engine
    from dadkhah.linkage.features import feature_frame
    from dadkhah.linkage.service import DEFAULT_THRESHOLD

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--generator", choices=("population", "simulate"), default="population",
                   help="population: the independent generator (default); simulate: the engine's own")
    p.add_argument("--population", type=int, default=10_000)
    p.add_argument("--seed", type=int, default=12)
    p.add_argument("--lists", type=int, default=5)
    p.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--max-rows", type=int,
                   help="raise the importer's guard on rows per list file (200,000; `lists import` asks to split a "
                        "bigger file) for populations beyond about 340,000 victims")
    p.add_argument("--json", action="store_true", help="one JSON document on stdout")
    args = p.parse_args(argv)
    raise_row_guard(args.max_rows)
    log = sys.stderr
    t = time.perf_counter()
    records, truth, errors = records_of(args.generator, args.population, args.seed, args.lists)
    print(f"{len(records):,} records read ({len(errors)} bad rows) [{time.perf_counter() - t:.0f}s]", file=log)
    t = time.perf_counter()
    df = feature_frame(records)
    options = engine.EngineOptions(threads=args.threads)
    out = engine.link(df, args.threshold, options=options, step=lambda m: print(f"  … {m}", file=log, flush=True))
    linked = time.perf_counter() - t
    result = analyse(df, truth, out, args.threshold, options.floor)
    result.update(generator=args.generator, population=args.population, seed=args.seed,
                  seconds={"features and link": round(linked, 1)})
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return
    print(f"{result['line']}  ({result['records']:,} records, {linked:.0f}s)")
    for kind in ("missed", "false"):
        print(f"\n{result[kind]['pairs']:,} {kind} pairs")
        for cause, c in result[kind]["causes"].items():
            print(f"  {c['pairs']:>7,}  {cause}  (press list {c['with_press_list']:,}; "
                  f"median p {c['median_probability']})")
    print("\nmissed pairs by the lists they join:")
    for k, n in result["missed"]["by_list_pair"].items():
        print(f"  {n:>7,}  {k}")
    print(f"\nmatches per record: true {result['true_matches_per_record']}, "
          f"estimated {result['estimated_matches_per_record']}")


if __name__ == "__main__":
    main(sys.argv[1:])
