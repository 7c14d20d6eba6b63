"""Issue #14: notes read into fields, vowel-letter variants, coarse agreement, cluster coherence, EM that
falls back to the next training rule."""

from types import SimpleNamespace

import pandas as pd
import pytest
from record_fields import day, fields

from dadkhah.linkage import engine
from dadkhah.linkage import model as M
from dadkhah.linkage.cluster import cluster
from dadkhah.linkage.features import feature_frame, features, read_note, vowel_fold


def year(y: int) -> dict:
    return {"text": str(y), "low": f"{y}-01-01", "high": f"{y}-12-31"}


def levels_of(trained_model: dict, a: dict, b: dict) -> dict[str, str]:
    """comparison → the label of the level the two records fall in, under the session's trained model."""
    df = feature_frame([(1, "one", a), (2, "two", b)])
    trained = engine.Trained(db_api=engine.database_api(engine.EngineOptions()), df=df, model=trained_model,
                             blocking=[], labels_used=0, timings={})
    pair = engine.score_within(trained, {1: 0, 2: 0}).iloc[0]
    labels = engine.LinkOutput(pairs=pd.DataFrame(), model={}, blocking=[],
                               comparisons=trained.comparisons).level_labels()
    return {name: labels[name][int(pair[f"gamma_{name}"])] for name in labels}


@pytest.mark.parametrize("note, expected", [
    ("from Mashhad", {"origin": "mashhad"}),
    ("اهل مشهد", {"origin": "mashhad"}),
    ("Evin prison, aged 27", {"prison": "evin", "age": 27}),
    ("زندان اوین، ۲۷ ساله", {"prison": "evin", "age": 27}),
    ("executed in Gohardasht", {"prison": "gohardasht"}),
    ("۳۰ ساله، اهل رشت", {"origin": "rasht", "age": 30}),
    ("buried in Khavaran", {"burial": "khavaran"}),
])
def test_a_free_text_note_is_read_into_the_fields_it_names(note, expected):
    got = features(1, "press", fields(given="Ali", family="Karimi", notes=note))
    columns = {"origin": "origin_city", "prison": "prison", "burial": "burial", "age": "age_lo"}
    assert {k: got[columns[k]] for k in expected} == expected


def test_a_note_fills_only_what_the_record_leaves_empty_and_a_note_without_places_gives_nothing():
    got = features(1, "x", fields(given="Ali", family="Karimi", place_of_origin="Shiraz", notes="from Mashhad"))
    assert got["origin_city"] == "shiraz"
    assert read_note("a brave man, loved by all") == {}
    assert read_note("born 1340 in Rasht")["born"] == "1340"
    assert features(1, "x", fields(given="Ali", family="Karimi", notes="born 1340"))["birth_year"] == 1961


def test_spellings_that_differ_in_vowel_letters_share_the_vowel_fold_but_mohammad_and_mahmoud_do_not():
    from dadkhah.linkage.features import key

    for a, b in (("Mehdi", "Mihdi"), ("Simin", "Semin"), ("Montazeri", "Muntazeri"), ("Kazemi", "Kazimi"),
                 ("Mohsen", "Muhsin"), ("Naser", "Nasir")):
        assert vowel_fold(key(a)) == vowel_fold(key(b)), (a, b)
    assert vowel_fold(key("Mohammad")) != vowel_fold(key("Mahmoud"))


def test_a_vowel_variant_falls_in_its_own_level_whose_weight_is_learnt(trained_model):
    got = levels_of(trained_model, fields(given="Simin", family="Sadighi"), fields(given="Semin", family="Sadeghi"))
    assert got["given"] == got["family"] == "same but for vowel letters (e/i, o/u)"
    family = next(c for c in engine._comparisons_summary(trained_model) if c["name"] == "family")
    vowel = next(lv for lv in family["levels"] if lv["label"].startswith("same but for vowel"))
    assert vowel["m"] is not None and vowel["u"] is not None  # trained, not assumed


def test_agreement_as_far_as_the_coarser_record_goes_never_counts_against_a_match():
    comp = {"output_column_name": "death", "comparison_levels": [
        {"is_null_level": True},
        {"label_for_charts": "same day", "m_probability": 0.7, "u_probability": 0.001},
        {"label_for_charts": "intervals overlap", "m_probability": 0.1, "u_probability": 0.3},
        {"label_for_charts": "All other comparisons", "m_probability": 0.2, "u_probability": 0.699}]}
    bounded = engine.bounded_model({"comparisons": [comp]}, min_m=0.001)
    levels = bounded["comparisons"][0]["comparison_levels"]
    assert levels[2]["m_probability"] == pytest.approx(0.3)  # weight 0, not log2(0.1/0.3) = -1.6 bits
    assert sum(lv["m_probability"] for lv in levels[1:]) == pytest.approx(1.0)
    assert levels[1]["m_probability"] > levels[3]["m_probability"]  # the others keep their order


def test_an_age_with_no_date_of_death_is_not_turned_into_a_birth_date():
    ngo = features(1, "ngo", fields(given="Ali", family="Karimi", age="39", birth_from_age=True,
                                    birth={"text": "aged 39", "low": "1948-01-02", "high": "1949-01-01"}))
    assert ngo["birth_lo"] is None and ngo["age_lo"] == 39
    dated = features(2, "ngo", fields(given="Ali", family="Karimi", age="39", birth_from_age=True,
                                      death=day("1983-05-01"),
                                      birth={"text": "aged 39", "low": "1943-05-02", "high": "1944-05-01"}))
    assert dated["birth_lo"] is not None


def test_records_with_different_fathers_or_contradicting_exact_dates_conflict():
    def row(**kw):
        return features(1, "x", fields(given="Ali", family="Karimi", **kw))

    assert engine.conflicts(row(father="Hassan"), row(father="Mahmoud")) == "different fathers"
    assert engine.conflicts(row(father="Hassan"), row(father="Hasan")) is None  # a spelling, not another man
    assert engine.conflicts(row(father="Hassan"), row()) is None  # nothing to contradict
    assert engine.conflicts(row(death=day("1988-08-01")), row(death=day("1988-08-12"))) == \
        "death dates 11 days apart"
    assert engine.conflicts(row(death=day("1988-08-01")), row(death=day("1988-08-05"))) is None
    assert engine.conflicts(row(death=day("1988-08-01")), row(death=year(1988))) is None  # coarse: no conflict


def test_a_cluster_holding_different_fathers_is_split_at_its_weakest_link():
    df = feature_frame([(1, "a", fields(given="Ali", family="Karimi", father="Hassan")),
                        (2, "b", fields(given="Ali", family="Karimi")),
                        (3, "c", fields(given="Ali", family="Karimi", father="Mahmoud"))])
    edges = [(1, 2, 0.95), (2, 3, 0.6)]
    chained = cluster([1, 2, 3], edges, 0.5)
    assert len(set(chained.clusters.values())) == 1
    bad = engine.incoherent_pairs(df, chained, {(1, 2): 0.95, (2, 3): 0.6, (1, 3): 0.3}, strong=0.9)
    assert bad == {(1, 3)}
    split = cluster([1, 2, 3], edges, 0.5, veto=bad)
    assert split.clusters == {1: 1, 2: 1, 3: 3}  # the weaker link (0.6) is the one cut
    # direct evidence this strong keeps them together
    assert engine.incoherent_pairs(df, chained, {(1, 2): 0.95, (2, 3): 0.6, (1, 3): 0.97}, strong=0.9) == set()


class _FakeTraining:
    def __init__(self, fail: set):
        self.fail, self.calls = fail, []

    def estimate_parameters_using_expectation_maximisation(self, rule, max_pairs=None):
        self.calls.append(rule)
        if len(self.calls) in self.fail:
            raise ValueError("m_probability value 2.5e-314 is below the minimum allowed value of 1e-300")


def test_an_em_session_that_fails_is_retried_on_the_entrys_next_rule():
    rows = []
    for i in range(60):
        for copy in range(2):
            rows.append((len(rows) + 1, f"list{copy}", fields(given="Ali", family=f"Name{chr(97 + i % 26)}{i}",
                                                               father="Hassan", death=day(f"1988-08-{1 + i % 28:02d}"),
                                                               place_of_origin="Tehran", birth=year(1950))))
    df = feature_frame(rows)
    options = M.training_options(df)
    assert all(len(alts) >= 2 for alts in options[1:])  # the name sessions have alternatives
    training = _FakeTraining(fail={2})  # the second session (the given name's first rule) fails
    linker = SimpleNamespace(training=training, _settings_obj=SimpleNamespace(core_model_settings={}))
    done = engine._em(linker, df, engine.EngineOptions(), lambda _m: None)
    statuses = [d["status"].split(":")[0] for d in done]
    assert statuses[:3] == ["trained", "failed", "trained"]
    assert done[1]["rule"] != done[2]["rule"]  # the retry used another rule of the same entry
    assert len([s for s in statuses if s == "trained"]) == len(options)  # every entry trained once


def test_the_blocking_keys_include_the_vowel_fold():
    df = feature_frame([(1, "a", fields(given="Mehdi", family="Montazeri")),
                        (2, "b", fields(given="Mihdi", family="Muntazeri"))])
    assert M.rule_pairs(df, ("given_vf", "family_vf")) == 1
    assert isinstance(df, pd.DataFrame) and "family_vf" in df.columns


def test_a_rule_that_would_burst_the_budget_keeps_its_smaller_blocks_instead_of_being_dropped():
    rows = [(i, "a", fields(given="Mohammad", family="Mohammadi")) for i in range(1, 201)]  # 19,900 pairs
    rare = ["Tabrizi", "Shirazi", "Kermani", "Yazdi", "Rashti", "Qazvini", "Zanjani", "Hamadani", "Semnani", "Kashani"]
    rows += [(1000 + i, "b", fields(given="Kiumars", family=rare[i // 2])) for i in range(20)]
    df = feature_frame(rows)
    choices = {c.rule: c for c in M.choose_blocking(df, budget=500)}
    names = choices[("name_sorted",)]
    assert names.used and names.cap == 2 and names.kept_pairs == 10  # the ten rare pairs, not the namesakes
    assert df[names.column].notna().sum() == 20
    settings = M.settings(list(choices.values())).create_settings_dict("duckdb")
    assert any(names.column in r["blocking_rule"] for r in settings["blocking_rules_to_generate_predictions"])
    assert names.to_dict()["largest_block"] == 2


def test_conflicts_tested_column_by_column_agree_with_the_pair_by_pair_rule():
    import random

    import numpy as np

    rng = random.Random(3)
    fathers = [None, "Hassan", "Hasan", "Mahmoud", "Hossein"]
    deaths = [None, day("1988-08-01"), day("1988-08-05"), day("1988-08-12"), year(1988)]
    births = [None, day("1960-01-01"), day("1960-01-20"), day("1960-03-01"), year(1960)]
    recs = []
    for i in range(1, 41):
        kw = {k: v for k, v in (("father", rng.choice(fathers)), ("death", rng.choice(deaths)),
                                ("birth", rng.choice(births))) if v is not None}
        recs.append((i, "x", fields(given="Ali", family="Karimi", **kw)))
    df = feature_frame(recs)
    rows = {int(r["unique_id"]): r for r in df.to_dict("records")}
    left, right = np.array([a for a in range(1, 41) for b in range(a + 1, 41)]), \
        np.array([b for a in range(1, 41) for b in range(a + 1, 41)])
    fast = engine.conflicting(df, left, right)
    slow = np.array([engine.conflicts(rows[a], rows[b]) is not None for a, b in zip(left, right, strict=True)])
    assert slow.any() and not slow.all()
    assert (fast == slow).all()


def _namesakes_frame():
    """200 namesakes in two lists (some the same person, with a day of death) and a few rare names."""
    rows = []
    for i in range(1, 201):
        death = day(f"1988-0{1 + i % 9}-{1 + i % 28:02d}") if i % 3 else None
        rows.append((i, "ab"[i % 2], fields(given="Mohammad", family="Mohammadi", death=death)))
    rare = ["Tabrizi", "Shirazi", "Kermani", "Yazdi", "Rashti", "Qazvini", "Zanjani", "Hamadani", "Semnani", "Kashani"]
    rows += [(1000 + i, "b", fields(given="Kiumars", family=rare[i // 2])) for i in range(20)]
    return feature_frame(rows)


def test_a_sample_of_the_pairs_the_caps_left_out_stands_for_them_all():
    df = _namesakes_frame()
    blocking = M.choose_blocking(df, budget=500)
    sample = M.left_out_sample(df, blocking, 20_000, seed=1)
    # the left-out pairs, counted by brute force: no rule used proposes them, some rule's dropped block holds them
    by_id = df.set_index("unique_id")
    used = [b for b in blocking if b.used]
    left_out = [b for b in blocking if b.pairs > 0 and (not b.used or b.cap is not None)]

    def same(a, b, cols):
        return all(pd.notna(by_id.at[a, c]) and by_id.at[a, c] == by_id.at[b, c] for c in cols)

    ids = by_id.index.tolist()
    exact = sum(1 for i, a in enumerate(ids) for b in ids[i + 1:]
                if not any(same(a, b, [u.column] if u.column else u.rule) for u in used)
                and any(same(a, b, r.rule) for r in left_out))
    assert exact > 5000
    assert abs(sample["stands_for"].sum() - exact) < 0.05 * exact
    assert not any(same(a, b, [u.column] if u.column else u.rule) for u in used
                   for a, b in zip(sample["unique_id_l"][:300], sample["unique_id_r"][:300], strict=True))
    assert (sample["unique_id_l"] < sample["unique_id_r"]).all()
    # nothing is left out when the budget holds every rule
    assert M.left_out_sample(df, M.choose_blocking(df), 1000).empty


def test_the_prior_counts_the_matches_among_the_pairs_the_caps_left_out():
    df = _namesakes_frame()
    counted = engine.link(df.copy(), 0.5, options=engine.EngineOptions(budget=500))
    ignored = engine.link(df.copy(), 0.5, options=engine.EngineOptions(budget=500, left_out_sample=0))
    assert counted.left_out_matches > 0 and not ignored.left_out_matches
    from dadkhah.linkage.service import explain_run

    rate = explain_run(counted, len(df))["match_rate"]
    assert rate["left_out_matches"] == round(counted.left_out_matches, 1) and "left out" in rate["how"]
    assert counted.model["probability_two_random_records_match"] > \
        ignored.model["probability_two_random_records_match"]


def test_scoring_the_left_out_sample_leaves_the_within_cluster_checks_their_own_pairs():
    df = _namesakes_frame()
    options = engine.EngineOptions(budget=500)
    trained = engine.train(df, options=options)
    engine.score(trained, options=options)
    assert trained.left_out_matches > 0  # the sample was scored
    within = engine.score_within(trained, {1000: 1, 1001: 1, 1002: 1, 5: 2, 7: 2})
    got = set(zip(within["unique_id_l"], within["unique_id_r"], strict=True))
    assert got == {(1000, 1001), (1000, 1002), (1001, 1002), (5, 7)}
