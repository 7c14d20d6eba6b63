
"""Issue #14: the term frequency of the whole given+family combination, learnt from the lists."""

import math
import random
import statistics

import pandas as pd
from record_fields import day, fields

from dadkhah.linkage import engine
from dadkhah.linkage import model as M
from dadkhah.linkage.features import feature_frame

GIVENS = [f"G{c}{d}" for c in "bdfgk" for d in "aeiou"]
FAMILIES = [f"F{c}{d}ri" for c in "bdfgklm" for d in "aeiou"]


def _rows(people: int, seed: int, correlated: bool):
    """Two lists of the same people; with ``correlated``, every fifth person is a Hossein Hosseini (the
    names are also common apart, but together far commoner than their frequencies predict)."""
    rng = random.Random(seed)
    rows = []
    for i in range(people):
        if correlated and i % 5 == 0:
            g, f = "Hossein", "Hosseini"
        else:
            g, f = rng.choice([*GIVENS, "Hossein", "Hossein"]), rng.choice([*FAMILIES, "Hosseini", "Hosseini"])
        born = day(f"19{rng.randint(30, 70)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")
        place = rng.choice(["Tehran", "Tabriz", "Rasht", "Shiraz"])
        for lst in ("a", "b"):
            rows.append((len(rows) + 1, lst, fields(given=g, family=f, birth=born, place_of_origin=place)))
    return rows


def _log_ratio(lookup: pd.DataFrame) -> dict[str, float]:
    return {w: math.log2(tf / M.WHOLE_NAME_M[0]) for w, tf in zip(lookup["whole_name"], lookup["tf_whole_name"],
                                                                   strict=True)}


def test_a_combination_commoner_than_its_names_predict_is_found_and_independent_ones_are_not():
    df = feature_frame(_rows(1500, 1, correlated=True))
    ratios = _log_ratio(M.whole_name_lookup(df))
    hh = df.loc[df["given_key"].eq("hsin") & df["family_key"].eq("hsini"), "whole_name"].iloc[0]
    assert ratios[hh] > 1.0  # more than twice as common as "Hossein" and "Hosseini" apart predict
    # (the other Hosseins and Hosseinis are rarer than predicted: Hossein Hosseini took them)
    assert ratios[hh] > max(r for w, r in ratios.items() if w != hh)
    independent = list(_log_ratio(M.whole_name_lookup(feature_frame(_rows(1500, 1, correlated=False)))).values())
    # names chosen apart: no bias either way, and small counts shrunk towards "as predicted"
    assert abs(statistics.mean(independent)) < 0.15
    assert statistics.median(abs(r) for r in independent) < 0.3


def test_a_rare_combination_counted_given_it_occurs_is_not_made_common():
    """One person, once in each of two lists, with names no one else has together: nothing says the
    combination is commoner than its names (counted against e, not e given that it occurs, it would be)."""
    rows = [(i + 1, lst, fields(given=g, family=f)) for i, (lst, g, f) in enumerate(
        [("a", "Kiumars", "Sarlak"), ("b", "Kiumars", "Sarlak")]
        + [(lst, g, f) for lst in ("a", "b") for g, f in zip(GIVENS, FAMILIES, strict=False)])]
    df = feature_frame(rows)
    ratios = _log_ratio(M.whole_name_lookup(df))
    assert ratios[df.loc[0, "whole_name"]] <= 0
    assert M.whole_name_lookup(df.iloc[0:0]).empty


def test_scored_pairs_carry_the_whole_name_adjustment_only_where_both_names_agree():
    df = feature_frame(_rows(800, 2, correlated=True))
    out = engine.predict(df)
    pairs = out.pairs
    ids = set(df.loc[df["given_key"].eq("hsin") & df["family_key"].eq("hsini"), "unique_id"])
    hh = pairs["unique_id_l"].isin(ids) & pairs["unique_id_r"].isin(ids)
    assert hh.sum() > 100
    assert (pairs.loc[hh, "w_whole_name"] < -1).all()  # less telling than the two names say apart
    assert (pairs.loc[hh, "gamma_whole_name"] == 1).all()  # its level is known (not "level not known")
    by_id = df.set_index("unique_id")
    other = pairs[~hh]
    same = (by_id.loc[other["unique_id_l"], "whole_name"].to_numpy()
            == by_id.loc[other["unique_id_r"], "whole_name"].to_numpy())
    assert (other.loc[~same, "w_whole_name"] == 0).all()  # a name differs: the comparison says nothing
    assert abs(other.loc[same, "w_whole_name"].median()) < 0.6
    levels = {c["name"]: c for c in out.comparisons}["whole_name"]["levels"]
    assert [lv["m"] for lv in levels if lv["gamma"] >= 0] == list(M.WHOLE_NAME_M)  # fixed, never trained
