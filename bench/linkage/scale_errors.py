"""Where the errors of a large dedupe go: recall lost per mechanism, false links by kind.

    .venv/bin/python bench/linkage/bench_scale.py prepare --records 200000 -o /tmp/features200k.parquet
    .venv/bin/python bench/linkage/scale_errors.py /tmp/features200k.parquet --threads 2 --memory 4GB

Runs :func:`dadkhah.linkage.engine.link` on a feature table written by ``bench_scale.py prepare`` (its
``person`` column is the truth), then scores every true pair with the trained model (blocked or not) and
sorts each *missed* true pair (two records of one person left in different clusters) into the first
mechanism that explains it:

- ``split``: the two records are in one connected component of the links at the threshold, but the
  vetoes (within-cluster checks) or the coherence checks kept them apart;
- ``below threshold``: the pair was scored (kept above the floor) but below the threshold, and no chain of
  links joins them;
- ``below floor``: blocked and scored, but below the floor (not kept);
- ``not blocked, capped``: a blocking rule would have proposed the pair, but its block was left out by the
  rule's cap (too common a key); ``not blocked``: no rule proposes it.

For the last three, the pair's own probability under the trained model says whether blocking it (or a
lower floor) would have linked it. False links (two people in one cluster) are split into direct links at
the threshold (and of those, namesakes: equal given and family keys) and chained ones (no direct link).
Figures for docs/linkage.md; not a test.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter


def _pairs_of(groups: dict) -> set[tuple[int, int]]:
    out = set()
    for members in groups.values():
        m = sorted(members)
        for i, a in enumerate(m):
            for b in m[i + 1:]:
                out.add((a, b))
    return out


def _components(ids, edges, threshold):
    from dadkhah.linkage.cluster import cluster

    return cluster(ids, edges, threshold).clusters


def _equal(column, left, right):
    """Whether the column's values at positions ``left`` and ``right`` are equal and known, per pair."""
    lv = column.iloc[left].reset_index(drop=True)
    rv = column.iloc[right].reset_index(drop=True)
    return (lv == rv).fillna(False).to_numpy(dtype=bool)


def _blocked_by(df, pairs, blocking):
    """Per pair: 'blocked' (a used rule, within its cap), 'capped' (a rule whose block the cap dropped), or ''."""
    import numpy as np
    import pandas as pd

    left = pd.Index(df["unique_id"]).get_indexer([a for a, _ in pairs])
    right = pd.Index(df["unique_id"]).get_indexer([b for _, b in pairs])
    status = np.zeros(len(pairs), dtype="int8")  # 0 none, 1 capped, 2 blocked
    for b in blocking:
        if not b.used and b.pairs == 0:
            continue
        cols = list(b.rule)
        eq = np.ones(len(pairs), dtype=bool)
        for c in cols:
            eq &= _equal(df[c], left, right)
        if b.used and b.column:
            inside = _equal(df[b.column], left, right)
            status = np.maximum(status, np.where(eq & inside, 2, np.where(eq, 1, 0)))
        elif b.used:
            status = np.maximum(status, np.where(eq, 2, 0))
        else:
            status = np.maximum(status, np.where(eq, 1, 0))
    return status


def main(argv: list[str]) -> None:
    import numpy as np
    import pandas as pd

    from dadkhah.linkage import engine
    from dadkhah.linkage.evaluate import score
    from dadkhah.linkage.service import DEFAULT_THRESHOLD

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("features")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--memory", default="4GB")
    p.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    p.add_argument("--profile", help="write a cProfile of the link run to this file")
    args = p.parse_args(argv)

    df = pd.read_parquet(args.features)
    for c in df.columns:
        if df[c].dtype == object:
            df[c] = df[c].astype("string")
    person = dict(zip(df["unique_id"].tolist(), df.pop("person").tolist(), strict=True))
    captured = {}
    train = engine.train

    def keep(*a, **k):
        captured["trained"] = train(*a, **k)
        return captured["trained"]

    engine.train = keep
    options = engine.EngineOptions(threads=args.threads, memory_limit=args.memory)
    t0 = time.perf_counter()
    if args.profile:
        import cProfile

        prof = cProfile.Profile()
        out = prof.runcall(engine.link, df, args.threshold, options=options,
                           step=lambda m: print(f"  … {m}", flush=True))
        prof.dump_stats(args.profile)
    else:
        out = engine.link(df, args.threshold, options=options, step=lambda m: print(f"  … {m}", flush=True))
    print(f"link: {time.perf_counter() - t0:.0f}s; stages: "
          + ", ".join(f"{k} {v:.0f}s" for k, v in out.timings.items()))
    print(score(out.clustering.clusters, person).line(f"threshold {args.threshold}"))
    trained = captured["trained"]
    model_prior = trained.model["probability_two_random_records_match"]
    true_matches = sum(n * (n - 1) // 2 for n in Counter(person.values()).values())
    print(f"prior {model_prior:.3g}; expected matches {trained.expected_matches or 0:,.0f} "
          f"(per record {2 * (trained.expected_matches or 0) / len(df):.3f}); true {true_matches:,} "
          f"(per record {2 * true_matches / len(df):.3f}); "
          f"left out by the caps, estimated {out.left_out_matches or 0:,.0f}")

    clusters = out.clustering.clusters
    by_person: dict = {}
    for rid, pid in person.items():
        by_person.setdefault(pid, []).append(rid)
    true_pairs = _pairs_of({k: v for k, v in by_person.items() if len(v) > 1})
    missed = sorted((a, b) for a, b in true_pairs if clusters[a] != clusters[b])
    print(f"true pairs {len(true_pairs):,}; missed {len(missed):,}")

    # every true pair's probability under the trained model (blocked or not)
    t = time.perf_counter()
    groups = {rid: i for i, members in enumerate(by_person.values()) if len(members) > 1 for rid in members}
    within = engine.score_within(trained, groups)
    prob = dict(zip(zip(within["unique_id_l"].tolist(), within["unique_id_r"].tolist(), strict=True),
                    within["match_probability"].tolist(), strict=True))
    print(f"scored all true pairs [{time.perf_counter() - t:.0f}s]")

    scored = dict(zip(zip(out.pairs["unique_id_l"].tolist(), out.pairs["unique_id_r"].tolist(), strict=True),
                      out.pairs["match_probability"].tolist(), strict=True))
    ids = df["unique_id"].astype("int64").tolist()
    edges = list(out.pairs[["unique_id_l", "unique_id_r", "match_probability"]].itertuples(index=False, name=None))
    free = _components(ids, edges, args.threshold)  # the clusters without any veto
    block_status = _blocked_by(df, missed, out.blocking)
    kinds: Counter = Counter()
    would: Counter = Counter()  # of the pairs not linked directly: how many score >= threshold themselves
    for (a, b), bs in zip(missed, block_status, strict=True):
        if free[a] == free[b]:
            kind = "split by vetoes / coherence"
        elif (a, b) in scored:
            kind = "scored, below threshold"
        elif bs == 2:
            kind = "blocked, below floor"
        elif bs == 1:
            kind = "not blocked: cap dropped its block"
        else:
            kind = "not blocked by any rule"
        kinds[kind] += 1
        if prob.get((a, b), 0.0) >= args.threshold:
            would[kind] += 1
    print("missed true pairs, by first mechanism (of which the pair itself scores >= threshold):")
    for kind, n in kinds.most_common():
        print(f"  {kind:<40} {n:>9,} ({n / max(len(true_pairs), 1):.1%} of true pairs); "
              f"own p >= {args.threshold}: {would[kind]:,}")
    # the splits: which veto kept the person's records apart
    veto = out.veto_pairs
    true_vetoes = {(a, b) for a, b in veto if person[a] == person[b]}
    low = sum(1 for v in true_vetoes if scored.get(v, 1.0) < options.veto)
    print(f"vetoes {len(veto):,}: between records of one person {len(true_vetoes):,} "
          f"(model's own check, p < {options.veto}: {low:,}; "
          f"the rest conflicts: different fathers or exact dates)")
    comp_of_true_veto = Counter(free[a] for a, b in true_vetoes)
    why: Counter = Counter()
    for a, b in missed:
        if free[a] != free[b]:
            continue
        if (a, b) in veto:
            why["the pair itself vetoed" + (" (p < veto)" if scored.get((a, b), 1.0) < options.veto
                                            else " (a conflict)")] += 1
        elif comp_of_true_veto.get(free[a]):
            why["another pair of the same person vetoed in the component"] += 1
        else:
            why["only vetoes between different people: cut at a true link"] += 1
    for kind, n in why.most_common():
        print(f"  split: {kind:<58} {n:>8,}")
    ps = np.array([prob.get(pr, 0.0) for pr in missed])
    for lo, hi in ((0, 0.01), (0.01, 0.1), (0.1, 0.5), (0.5, 0.9), (0.9, 1.01)):
        print(f"  missed pairs with own p in [{lo}, {hi}): {int(((ps >= lo) & (ps < hi)).sum()):,}")

    # calibration: of the scored pairs in each band of probability, the share that is one person
    pl, pr = out.pairs["unique_id_l"].tolist(), out.pairs["unique_id_r"].tolist()
    same = np.array([person[a] == person[b] for a, b in zip(pl, pr, strict=True)])
    pp = out.pairs["match_probability"].to_numpy(dtype="float64")
    print("calibration of the kept pairs (band: pairs, share true, mean p):")
    for lo, hi in ((0.01, 0.05), (0.05, 0.1), (0.1, 0.2), (0.2, 0.3), (0.3, 0.4), (0.4, 0.5), (0.5, 0.6),
                   (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 0.99), (0.99, 1.01)):
        band = (pp >= lo) & (pp < hi)
        if band.any():
            print(f"  [{lo}, {hi}): {int(band.sum()):>9,}  {same[band].mean():.3f}  {pp[band].mean():.3f}")

    # false links
    members: dict = {}
    for rid, c in clusters.items():
        members.setdefault(c, []).append(rid)
    predicted = _pairs_of({k: v for k, v in members.items() if len(v) > 1})
    false = [(a, b) for a, b in predicted if person[a] != person[b]]
    cols = df.set_index("unique_id")[["given_key", "family_key", "father_key"]]
    g = cols["given_key"].to_dict()
    f = cols["family_key"].to_dict()
    fa = cols["father_key"].to_dict()
    fk: Counter = Counter()
    for a, b in false:
        direct = scored.get((a, b), 0.0) >= args.threshold
        names = g[a] is not pd.NA and g[a] == g[b] and f[a] is not pd.NA and f[a] == f[b]
        father = fa[a] is not pd.NA and fa[b] is not pd.NA and fa[a] == fa[b]
        kind = ("direct link" if direct else "chained") + (", namesakes" if names else ", names differ") \
            + (", same father" if names and father else "")
        fk[kind] += 1
    print(f"false pairs {len(false):,} of {len(predicted):,} predicted:")
    for kind, n in fk.most_common():
        print(f"  {kind:<40} {n:>9,}")
    sizes = Counter(len(v) for v in members.values())
    big = sorted(((len(v), sum(1 for a, b in _pairs_of({0: v}) if person[a] != person[b])) for v in members.values()
                  if len(v) > 6), reverse=True)[:5]
    print(f"cluster sizes: {dict(sorted(sizes.items())[:12])}; largest (size, false pairs): {big}")


if __name__ == "__main__":
    main(sys.argv[1:])
