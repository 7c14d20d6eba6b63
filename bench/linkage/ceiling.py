"""How far the engine is from what its evidence allows: a classifier trained on the truth, as a ceiling.

    .venv/bin/pip install scikit-learn
    .venv/bin/python bench/linkage/ceiling.py --population 100000 --train-seed 1 --test-seeds 12 13
    .venv/bin/python bench/linkage/ceiling.py --population 10000 --train-seed 1 --test-seeds 12 13 --json
    .venv/bin/python bench/linkage/ceiling.py --generator simulate --population 100000 --train-seed 1 --test-seeds 7
    # the 1M-record dedupe's data (bench_scale.py prepare: its ``person`` column is the truth)
    .venv/bin/python bench/linkage/bench_scale.py prepare --records 1000000 --seed 8 -o /tmp/f8.parquet  # and 7
    .venv/bin/python bench/linkage/ceiling.py --features /tmp/f8.parquet /tmp/f7.parquet --memory 4GB

For each seed the lists are read as ``dadkhah lists import`` reads them and linked with the engine call
``link run`` makes (:func:`dadkhah.linkage.engine.link`, threshold 0.5). Then a gradient-boosted classifier
(scikit-learn's ``HistGradientBoostingClassifier``) is trained on the *truth* of the training seed's scored
pairs and replaces the engine's probability on each test seed's scored pairs, which are clustered as the
engine clusters them (the run's vetoes, then the coherence splits of
:func:`dadkhah.linkage.engine.incoherent_pairs` under the new probabilities).

The classifier sees everything the engine's model sees for a pair (every comparison's level and weight,
term frequencies included, and the total weight) and more, which the engine's model cannot use: how common
the two names are, how many records and lists hold the whole given+family combination (a name held by
one person appears at most about once per list; a namesake-rich one many times in one list), the pair of
lists, and the truth of 10⁵ pairs of the same generator, size and settings to learn from. It is a ceiling
for any *pairwise* scoring of these candidate pairs: where it does no better than the engine, better
pairwise weights cannot close a gap, and what is missing is evidence the records do not carry (or a model
of whole clusters). The share of true pairs among the scored ones bounds recall from blocking.

With ``--fragments``, a second ceiling, for a model of whole clusters: every pair of the engine's clusters
joined by a scored pair is a candidate merge; a classifier trained on the training seed's truth (is the
pair two fragments of one person?) sees the pair's strongest, mean and summed link, the number of links,
the two sizes, the lists they share and cover, whether a veto or a conflict lies between them, and the
engine's model applied to two *composite* records (each field taken from the member that gives it, the
narrowest date): the evidence of the whole cluster at once. Merges are taken strongest first at 0.5, 0.7
and 0.9, never across a veto or conflict.
Figures for docs/benchmarks.md and docs/linkage.md; not a test.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

from error_analysis import raise_row_guard, records_of  # noqa: E402  (the lists as `lists import` reads them)


def _scores(clusters: dict, truth: dict) -> dict:
    """Pairwise precision, recall and F1 of ``clusters`` (record → cluster) against the truth."""
    from dadkhah.linkage.evaluate import score

    s = score(clusters, truth)
    return {"precision": round(s.precision, 4), "recall": round(s.recall, 4), "f1": round(s.f1, 4)}


def features(df: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """The classifier's inputs per scored pair: the engine's levels and weights, and name counts."""
    rec = df.set_index("unique_id")
    left, right = rec.loc[pairs["unique_id_l"]], rec.loc[pairs["unique_id_r"]]
    x = pairs[[c for c in pairs.columns if c.startswith(("w_", "gamma_"))]].copy()
    x["match_weight"] = pairs["match_weight"].to_numpy()
    n_given = df.groupby("given_key").size()
    n_family = df.groupby("family_key").size()
    x["given_records"] = np.log1p(n_given.reindex(left["given_key"]).fillna(0).to_numpy())
    x["family_records"] = np.log1p(n_family.reindex(left["family_key"]).fillna(0).to_numpy())
    named = df.dropna(subset=["given_key", "family_key"])
    per_list = named.groupby(["given_key", "family_key", "list_name"], observed=True).size().unstack(fill_value=0)
    same = ((left["given_key"].to_numpy() == right["given_key"].to_numpy())
            & (left["family_key"].to_numpy() == right["family_key"].to_numpy()))
    index = pd.MultiIndex.from_arrays([left["given_key"], left["family_key"]])
    counts = per_list.reindex(index)
    x["name_records"] = np.where(same, counts.sum(axis=1).fillna(0).to_numpy(), -1)
    x["name_lists"] = np.where(same, (counts > 0).sum(axis=1).to_numpy(), -1)
    x["name_most_in_a_list"] = np.where(same, counts.max(axis=1).fillna(0).to_numpy(), -1)
    lists = sorted(df["list_name"].unique())
    code = {(a, b): i for i, (a, b) in enumerate((a, b) for a in lists for b in lists if a <= b)}
    x["list_pair"] = [code[tuple(sorted(p))] for p in zip(left["list_name"], right["list_name"], strict=True)]
    return x.astype("float64")


def _read_features(path: str) -> tuple[pd.DataFrame, dict]:
    """A feature table written by ``bench_scale.py prepare``, and its truth (the ``person`` column)."""
    df = pd.read_parquet(path)
    for c in df.columns:
        if df[c].dtype == object:
            df[c] = df[c].astype("string")
    return df, dict(zip(df["unique_id"].tolist(), df.pop("person").tolist(), strict=True))


def run_seed(generator: str, size: int, seed, lists: int, threads: int, log, memory: str | None = None) -> dict:
    """Link one seed's lists (or, with ``seed`` a path, a prepared feature table) as ``link run`` does."""
    from dadkhah.linkage import engine
    from dadkhah.linkage.features import feature_frame

    t = time.perf_counter()
    if isinstance(seed, str):
        df, truth = _read_features(seed)
    else:
        records, truth, _errors = records_of(generator, size, seed, lists)
        df = feature_frame(records)
    out = engine.link(df, 0.5, options=engine.EngineOptions(threads=threads, memory_limit=memory))
    print(f"seed {seed}: {len(df):,} records linked [{time.perf_counter() - t:.0f}s]", file=log, flush=True)
    clusters = out.clustering.clusters
    y = np.array([truth[a] == truth[b] for a, b in zip(out.pairs["unique_id_l"].tolist(),
                                                        out.pairs["unique_id_r"].tolist(), strict=True)])
    return {"seed": seed, "df": df, "truth": truth, "pairs": out.pairs, "clusters": clusters, "veto": out.veto_pairs,
            "y": y, "x": features(df, out.pairs), "model": out.model}


#: Field groups a composite record takes whole from one member (the first column says whether it gives them).
GROUPS = {
    "name": ["given_key", "given_sk", "given_vf", "given_p2", "family_key", "family_sk", "family_vf", "family_p2",
             "family_p3", "family_s3", "name_sorted", "joined_vf", "whole_name"],
    "father": ["father_key", "father_sk", "father_vf"], "gender": ["gender"],
    "birth": ["birth_lo", "birth_hi", "birth_year"], "death": ["death_lo", "death_hi", "death_ym"],
    "age": ["age_lo", "age_hi"], "origin": ["origin_city", "origin_province"],
    "prison": ["prison", "prison_city", "prison_province"], "burial": ["burial", "burial_province"],
    "id": ["id_number"], "address": ["address_key"], "postcode": ["postcode"]}
INTERVALS = ("birth", "death", "age")


def composites(df: pd.DataFrame, clusters: dict) -> pd.DataFrame:
    """One feature row per cluster (``unique_id`` = the cluster): each field group from the member that
    gives it (the member giving the most fields first; for dates and ages the narrowest interval); the list
    is the cluster's list when it has one, else all its lists joined (so never "the same list")."""
    base = [c for c in df.columns if not c.startswith("_")]
    work = df[base].copy()
    work["cluster"] = work["unique_id"].map(clusters).astype("int64")
    work["_given"] = work[base].notna().sum(axis=1)
    work = work.sort_values(["cluster", "_given"], ascending=[True, False], kind="stable")
    index = pd.Index(sorted(work["cluster"].unique()))
    out = pd.DataFrame(index=index)
    for group, cols in GROUPS.items():
        cols = [c for c in cols if c in work.columns]
        if not cols:
            continue
        giving = work[work[cols[0]].notna()]
        if group in INTERVALS and len(cols) > 1:
            giving = giving.assign(_span=giving[cols[1]] - giving[cols[0]]).sort_values(["cluster", "_span"],
                                                                                      kind="stable")
        chosen = giving.groupby("cluster", sort=True).head(1).set_index("cluster")[cols].reindex(index)
        for c in cols:
            out[c] = chosen[c].astype(df[c].dtype)
    lists = work.groupby("cluster")["list_name"].agg(lambda v: "|".join(sorted(set(v))))
    out["list_name"] = lists.reindex(index).astype(df["list_name"].dtype)
    out = out.rename_axis("unique_id").reset_index()
    return out[[c for c in base if c in out.columns]]


def fragments(run: dict, threads: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Candidate merges (pairs of the run's clusters joined by a scored pair), their features and truth."""
    from dadkhah.linkage import engine

    df, pairs, clusters = run["df"], run["pairs"], run["clusters"]
    cl = pairs["unique_id_l"].map(clusters).to_numpy()
    cr = pairs["unique_id_r"].map(clusters).to_numpy()
    links = pd.DataFrame({"a": np.minimum(cl, cr), "b": np.maximum(cl, cr), "p": pairs["match_probability"].to_numpy()})
    cand = links[links["a"] != links["b"]].groupby(["a", "b"])["p"].agg(["max", "mean", "sum", "count"]).reset_index()
    members: dict = defaultdict(list)
    for rid, c in clusters.items():
        members[c].append(rid)
    left, right, which = [], [], []
    for k, (a, b) in enumerate(zip(cand["a"].tolist(), cand["b"].tolist(), strict=True)):
        for x in members[a]:
            for y in members[b]:
                left.append(min(x, y))
                right.append(max(x, y))
                which.append(k)
    left, right, which = np.array(left), np.array(right), np.array(which)
    apart = engine.conflicting(df, left, right)
    siblings = engine._sibling_pairs(df, left, right)
    apart |= np.array([(x, y) in run["veto"] or (x, y) in siblings for x, y in zip(left.tolist(), right.tolist(),
                                                                                  strict=True)], dtype=bool)
    cand["apart"] = np.bincount(which[apart], minlength=len(cand)) > 0
    lists = df.set_index("unique_id")["list_name"]
    held = {c: set(lists.loc[m]) for c, m in members.items()}
    cand["size_a"] = [len(members[a]) for a in cand["a"]]
    cand["size_b"] = [len(members[b]) for b in cand["b"]]
    cand["lists_shared"] = [len(held[a] & held[b]) for a, b in zip(cand["a"], cand["b"], strict=True)]
    cand["lists_covered"] = [len(held[a] | held[b]) for a, b in zip(cand["a"], cand["b"], strict=True)]
    model = dict(run["model"], blocking_rules_to_generate_predictions=[])  # (only the listed pairs are scored)
    linker = engine._linker(engine.duckdb_api(threads=threads), composites(df, clusters), model)
    cand["composite_weight"] = engine._score_listed(linker, None, cand.rename(columns={"a": "unique_id_l",
                                                                                      "b": "unique_id_r"}))
    person = {c: Counter(run["truth"][rid] for rid in m).most_common(1)[0][0] for c, m in members.items()}
    truth = np.array([person[a] == person[b] for a, b in zip(cand["a"], cand["b"], strict=True)])
    x = cand[["max", "mean", "sum", "count", "apart", "size_a", "size_b", "lists_shared", "lists_covered",
              "composite_weight"]].astype("float64")
    return cand.assign(truth=truth), x


def merged(run: dict, cand: pd.DataFrame, q: np.ndarray, threshold: float) -> dict:
    """The run's clusters with the candidate merges at or above ``threshold`` made, strongest first, never
    across a veto or conflict."""
    parent: dict = {}

    def find(c):
        while parent.get(c, c) != c:
            c = parent[c]
        return c

    for i in np.argsort(-q):
        if q[i] < threshold:
            break
        if cand["apart"].iloc[i]:
            continue
        ra, rb = find(cand["a"].iloc[i]), find(cand["b"].iloc[i])
        if ra != rb:
            parent[ra] = rb
    return {rid: find(c) for rid, c in run["clusters"].items()}


def recluster(run: dict, probability: np.ndarray, threshold: float = 0.5) -> dict:
    from dadkhah.linkage import engine
    from dadkhah.linkage.cluster import cluster

    pairs = run["pairs"][["unique_id_l", "unique_id_r"]].copy()
    pairs["match_probability"] = probability
    ids = run["df"]["unique_id"].tolist()
    scored = dict(zip(zip(pairs["unique_id_l"].tolist(), pairs["unique_id_r"].tolist(), strict=True),
                      probability.tolist(), strict=True))
    veto = set(run["veto"])
    options = engine.EngineOptions()
    first = cluster(ids, pairs, threshold, veto=veto)
    result, _added = engine.split_incoherent(run["df"], ids, pairs, threshold, first, scored, veto,
                                             strong=options.strong, rounds=options.check_rounds)
    return result.clusters


def main(argv: list[str]) -> None:
    from sklearn.ensemble import HistGradientBoostingClassifier

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--generator", choices=("population", "simulate"), default="population")
    p.add_argument("--population", type=int, default=10_000)
    p.add_argument("--train-seed", type=int, default=1)
    p.add_argument("--test-seeds", type=int, nargs="+", default=[12])
    p.add_argument("--lists", type=int, default=5)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--features", nargs="+", metavar="PARQUET",
                   help="prepared feature tables (bench_scale.py prepare) instead of generated lists: the first "
                        "trains, the others are tested")
    p.add_argument("--memory", help="DuckDB's memory limit, e.g. 4GB")
    p.add_argument("--max-rows", type=int, help="raise the importer's guard on rows per list file (200,000), as "
                                                 "error_analysis.py --max-rows does, for a million records")
    p.add_argument("--fragments", action="store_true",
                   help="also the ceiling of a model of whole clusters (merging the engine's clusters)")
    p.add_argument("--json", action="store_true", help="one JSON document on stdout")
    args = p.parse_args(argv)
    log = sys.stderr
    raise_row_guard(args.max_rows)
    if args.features:
        if len(args.features) < 2:
            p.error("--features takes a table to train on and at least one to test")
        args.train_seed, args.test_seeds = args.features[0], args.features[1:]
    train = run_seed(args.generator, args.population, args.train_seed, args.lists, args.threads, log, args.memory)
    clf = HistGradientBoostingClassifier(max_iter=300, learning_rate=0.1, max_leaf_nodes=63, random_state=0)
    t = time.perf_counter()
    clf.fit(train["x"], train["y"])
    print(f"classifier trained on {len(train['y']):,} pairs of seed {args.train_seed} "
          f"({int(train['y'].sum()):,} true) [{time.perf_counter() - t:.0f}s]", file=log)
    merger = None
    if args.fragments:
        cand, x = fragments(train, args.threads)
        merger = HistGradientBoostingClassifier(max_iter=300, random_state=0).fit(x, cand["truth"])
        print(f"merge classifier trained on {len(cand):,} candidate merges ({int(cand['truth'].sum()):,} true)",
              file=log)
    for k in ("df", "pairs", "truth", "clusters", "veto"):  # (memory, at a million records)
        train.pop(k)
    rows = []
    for seed in args.test_seeds:
        run = run_seed(args.generator, args.population, seed, args.lists, args.threads, log, args.memory)
        truth = run["truth"]
        x = run["x"][list(train["x"].columns)]
        sizes = pd.Series(list(truth.values())).value_counts().to_numpy()
        row = {"seed": seed, "records": len(run["df"]), "true_pairs": int((sizes * (sizes - 1) // 2).sum()),
               "true_pairs_scored": int(run["y"].sum()),
               "engine": _scores(run["clusters"], truth),
               "classifier": _scores(recluster(run, clf.predict_proba(x)[:, 1]), truth)}
        if merger is not None:
            cand, x = fragments(run, args.threads)
            q = merger.predict_proba(x)[:, 1]
            row["merges"] = {str(t): _scores(merged(run, cand, q, t), truth) for t in (0.5, 0.7, 0.9)}
        rows.append(row)
        print(f"seed {seed}: engine F1 {row['engine']['f1']}, classifier trained on the truth "
              f"{row['classifier']['f1']} (true pairs scored {row['true_pairs_scored'] / row['true_pairs']:.3f})",
              file=log, flush=True)
    result = {"generator": args.generator, "population": args.population, "train_seed": args.train_seed,
              "runs": rows}
    if args.json:
        print(json.dumps(result))
        return
    print("| seed | records | engine P / R / F1 | classifier on the truth P / R / F1 | true pairs scored |")
    print("|---|---|---|---|---|")
    for r in rows:
        e, c = r["engine"], r["classifier"]
        print(f"| {r['seed']} | {r['records']:,} | {e['precision']} / {e['recall']} / **{e['f1']}** | "
              f"{c['precision']} / {c['recall']} / **{c['f1']}** | {r['true_pairs_scored'] / r['true_pairs']:.3f} |")
    for r in rows:
        for t, m in r.get("merges", {}).items():
            print(f"seed {r['seed']}: engine's clusters merged by the classifier of whole clusters at {t}: "
                  f"{m['precision']} / {m['recall']} / {m['f1']}")


if __name__ == "__main__":
    main(sys.argv[1:])
