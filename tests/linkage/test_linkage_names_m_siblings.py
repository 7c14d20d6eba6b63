"""Issue #14: m re-estimated on every scored pair (names, lists), and brothers and sisters kept apart."""

import numpy as np
import pytest
from record_fields import day, fields

from dadkhah.linkage import engine
from dadkhah.linkage.cluster import cluster
from dadkhah.linkage.features import feature_frame, features

NAMES = ("given", "family", "father", "list")  # the comparisons checked against the truth


def row(**kw):
    return features(1, "x", fields(**kw))


def test_brothers_share_family_name_and_father_but_not_the_given_name():
    ali = row(given="Ali", family="Karimi", father="Mahmoud")
    assert engine.siblings(ali, row(given="Hassan", family="Karimi", father="Mahmoud")) is not None


@pytest.mark.parametrize("other, why", [
    (dict(given="Ali", family="Karimi", father="Mahmoud"), "the same given name"),
    (dict(given="Aly", family="Karimi", father="Mahmoud"), "a spelling of the same name"),
    (dict(given="Ali-Reza", family="Karimi", father="Mahmoud"), "one name holds the other (a compound)"),
    (dict(given="Hassan", family="Karimi", father="Ahmad"), "another father: not this rule's business"),
    (dict(given="Hassan", family="Karimi"), "no father to compare"),
    (dict(given="Hassan", family="Rahimi", father="Mahmoud"), "another family name"),
])
def test_what_is_not_taken_for_brothers(other, why):
    assert engine.siblings(row(given="Ali", family="Karimi", father="Mahmoud"), row(**other)) is None, why


def test_the_same_birth_day_or_identity_number_overrides_the_sibling_rule():
    a = row(given="Ali", family="Karimi", father="Mahmoud", birth=day("1960-03-01"))
    assert engine.siblings(a, row(given="Hassan", family="Karimi", father="Mahmoud", birth=day("1960-03-01"))) is None
    assert engine.siblings(a, row(given="Hassan", family="Karimi", father="Mahmoud", birth=day("1962-05-01")))
    b = {**row(given="Ali", family="Karimi", father="Mahmoud"), "id_number": "123"}
    assert engine.siblings(b, {**row(given="Hassan", family="Karimi", father="Mahmoud"), "id_number": "123"}) is None


def test_brothers_are_split_however_strong_their_link():
    df = feature_frame([(1, "a", fields(given="Ali", family="Karimi", father="Mahmoud")),
                        (2, "b", fields(given="Hassan", family="Karimi", father="Mahmoud")),
                        (3, "c", fields(given="Ali", family="Karimi", father="Mahmoud"))])
    edges = [(1, 2, 0.99), (1, 3, 0.98), (2, 3, 0.97)]
    together = cluster([1, 2, 3], edges, 0.5)
    assert len(set(together.clusters.values())) == 1
    scored = {(a, b): p for a, b, p in edges}
    bad = engine.incoherent_pairs(df, together, scored, strong=0.9)
    assert bad == {(1, 2), (2, 3)}  # past "strong": the rule does not give way to the link's strength
    split = cluster([1, 2, 3], edges, 0.5, veto=bad)
    assert split.clusters[1] == split.clusters[3] != split.clusters[2]


@pytest.fixture(scope="module")
def two_runs():
    """A small population of the independent generator, linked with and without the names' re-estimation."""
    from dadkhah.testing.population import population

    records, truth, _errors = population(2000, seed=2).parsed()
    df = feature_frame(records)
    runs = {refine: engine.link(df.copy(), 0.5, options=engine.EngineOptions(refine_m=refine))
            for refine in (False, True)}
    return runs, truth, df


def _m_and_truth(out, truth) -> list[tuple[str, str, float, float]]:
    """Per name comparison and level: the model's m and the share of the true matches among the scored pairs
    that fall in that level."""
    pairs = out.pairs
    match = np.array([truth[a] == truth[b] for a, b in zip(pairs["unique_id_l"], pairs["unique_id_r"], strict=True)])
    rows = []
    for comp in out.comparisons:
        if comp["name"] not in NAMES:
            continue
        gamma = pairs[f"gamma_{comp['name']}"].to_numpy()
        matched = (match & (gamma >= 0)).sum()
        for lv in comp["levels"]:
            if lv["gamma"] >= 0:
                rows.append((comp["name"], lv["label"], lv["m"], ((gamma == lv["gamma"]) & match).sum() / matched))
    return rows


def test_the_names_m_are_re_estimated_towards_their_share_among_true_matches(two_runs):
    runs, truth, _df = two_runs
    refined, session = _m_and_truth(runs[True], truth), _m_and_truth(runs[False], truth)
    for name, label, m, share in refined:
        if share >= 0.01:  # one EM step: within a factor of 2.5 of the truth (the sessions were off 20-fold)
            assert share / 2.5 <= m <= 2.5 * share, (name, label, m, share)
    error = {k: sum(abs(m - share) for _n, _l, m, share in rows) for k, rows in (("refined", refined),
                                                                               ("session", session))}
    assert error["refined"] < error["session"]


def test_the_pairs_weights_agree_with_the_re_estimated_model_the_run_reports(two_runs):
    runs, _truth, _df = two_runs
    refined = runs[True]
    for comp in refined.comparisons:
        if comp["name"] not in NAMES:
            continue
        gamma = refined.pairs[f"gamma_{comp['name']}"].to_numpy()
        assert (gamma != engine.LEVEL_UNKNOWN).all(), comp["name"]  # every pair's level read back from its weight
        for lv in comp["levels"]:
            if lv["gamma"] >= 0 and not lv["tf"] and (gamma == lv["gamma"]).any():
                w = refined.pairs.loc[gamma == lv["gamma"], f"w_{comp['name']}"].to_numpy(dtype="float64")
                assert np.allclose(w, np.log2(lv["m"] / lv["u"])), (comp["name"], lv["label"])
    assert refined.model["probability_two_random_records_match"] != \
        runs[False].model["probability_two_random_records_match"]


def test_one_full_name_split_at_two_places_shares_the_joined_key_and_is_blocked_on_it():
    from dadkhah.linkage import model as M

    a = row(given="Abdolsattar", family="Farid")
    b = row(given="Abdol", family="Sattarfarid")
    assert a["given_key"] != b["given_key"] and a["family_key"] != b["family_key"]
    assert a["joined_vf"] == b["joined_vf"] == row(given="عبدال", family="ستارفرید")["joined_vf"]
    assert row(given="Abdolsattar", family="Farahani")["joined_vf"] != a["joined_vf"]
    assert row(given="Abdolsattar")["joined_vf"] is None  # one name alone: nothing to split
    assert ("joined_vf",) in M.BROAD_RULES


def test_the_split_level_counts_once_for_the_family_name_and_not_for_the_given_name(trained_model):
    from test_linkage_generalise import levels_of

    from dadkhah.linkage import model as M

    got = levels_of(trained_model, fields(given="Abdolsattar", family="Farid"),
                    fields(given="Abdol", family="Sattarfarid"))
    assert got["given"] == got["family"] == M.SPLIT_ELSEWHERE
    by_name = {c["name"]: c for c in engine._comparisons_summary(trained_model)}
    weight = {n: next(lv["weight"] for lv in by_name[n]["levels"] if lv["label"] == M.SPLIT_ELSEWHERE)
              for n in ("given", "family")}
    assert abs(weight["given"]) < 0.01 < weight["family"]


def test_a_level_no_random_pair_fell_in_gets_half_a_pair_of_u():
    model = {"comparisons": [{"output_column_name": "family", "comparison_levels": [
        {"is_null_level": True},
        {"label_for_charts": "same key", "m_probability": 0.9, "u_probability": 0.01},
        {"label_for_charts": "rare", "m_probability": 0.05},
        {"label_for_charts": "else", "m_probability": 0.05, "u_probability": 0.99}]}]}
    levels = engine.bounded_model(model, 0.001, min_u=1e-7)["comparisons"][0]["comparison_levels"]
    assert levels[2]["u_probability"] == 1e-7
    assert engine.bounded_model(model, 0.001)["comparisons"][0]["comparison_levels"][2].get("u_probability") is None


def test_after_re_estimation_the_split_level_still_counts_once(two_runs):
    from dadkhah.linkage import model as M

    runs, _truth, _df = two_runs
    weight = {c["name"]: next(lv["weight"] for lv in c["levels"] if lv["label"] == M.SPLIT_ELSEWHERE)
              for c in runs[True].comparisons if c["name"] in ("given", "family")}
    assert abs(weight["given"]) < 0.01 < weight["family"]  # re-estimated m must not count it a second time
