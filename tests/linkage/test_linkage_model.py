"""The model's comparisons and training: which level a pair of records falls in, and which pairs EM learns from."""

from copy import deepcopy

import pandas as pd
import pytest
from record_fields import day, fields

from dadkhah.linkage import engine
from dadkhah.linkage import model as M
from dadkhah.linkage.features import feature_frame


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


def test_a_transliteration_variant_falls_in_the_skeleton_level_not_among_strangers(trained_model):
    # ق written k (Kasemi), a short vowel written i (Nadir), the father's Muhsin for محسن
    got = levels_of(trained_model, fields(given="نادر", family="قاسمی", father="محسن"),
                    fields(given="Nadir", family="Kasemi", father="Muhsin"))
    alike = {"same but for vowel letters (e/i, o/u)", "same skeleton"}
    assert {got["given"], got["family"], got["father"]} <= alike
    assert got["family"] == "same skeleton"  # Kasemi/قاسمی differ in k/q: only the skeleton joins them


def test_names_that_differ_in_consonants_are_not_the_same_skeleton(trained_model):
    got = levels_of(trained_model, fields(given="Ali", family="Sharifi"), fields(given="Ali", family="Rafiei"))
    assert got["given"] == "same key"
    assert got["family"] != "same skeleton"


def test_an_age_without_a_date_of_death_is_compared_with_the_other_records_age(trained_model):
    # the witness gives an age and no date, so no birth interval; the other record's age at death is known
    ngo = fields(given="Reza", family="Asgharnejad", age="19", death=day("1981-07-31"),
                 birth={"text": "aged 19", "low": "1961-08-01", "high": "1962-07-31"})
    witness_42 = fields(given="Reza", family="Asgharnejad", age="42")
    witness_19 = fields(given="Reza", family="Asgharnejad", age="19")
    witness_20 = fields(given="Reza", family="Asgharnejad", age="20")
    assert levels_of(trained_model, ngo, witness_42)["birth"] == "no dates to compare; ages at death differ"
    assert levels_of(trained_model, ngo, witness_19)["birth"] == "no dates to compare; same age at death"
    assert levels_of(trained_model, ngo, witness_20)["birth"] == "no dates to compare; ages at death a year apart"


def test_the_age_at_death_also_comes_from_birth_and_death_dates(trained_model):
    family = fields(given="Ali", family="Karimi", birth=year(1950), death=day("1988-08-10"))
    assert levels_of(trained_model, family, fields(given="Ali", family="Karimi", age="38"))["birth"] == \
        "no dates to compare; same age at death"
    assert levels_of(trained_model, family, fields(given="Ali", family="Karimi", age="25"))["birth"] == \
        "no dates to compare; ages at death differ"


def test_birth_dates_when_both_have_them_and_no_evidence_when_neither_date_nor_age_is_known(trained_model):
    a = fields(given="Ali", family="Karimi", birth=year(1950), age="38")
    assert levels_of(trained_model, a, fields(given="Ali", family="Karimi", birth=year(1950)))["birth"] == \
        "overlap, both within 366 days"  # ages are compared only when birth dates cannot be
    assert levels_of(trained_model, a, fields(given="Ali", family="Karimi"))["birth"] == "birth_lo is NULL"


def test_a_province_against_a_city_in_it_is_not_a_disagreement_like_two_cities_of_one_province(trained_model):
    roster = fields(given="Ali", family="Karimi", place_of_origin="GILAN")
    rasht = fields(given="Ali", family="Karimi", place_of_origin="Rasht")
    lahijan = fields(given="Ali", family="Karimi", place_of_origin="Lahijan")
    assert levels_of(trained_model, roster, rasht)["origin"] == "same province (one names only the province)"
    assert levels_of(trained_model, rasht, lahijan)["origin"] == "same province, different origin"
    assert levels_of(trained_model, rasht, rasht)["origin"] == "same origin"


def _frame(n_people: int, with_days: bool) -> pd.DataFrame:
    rows = []
    for i in range(n_people):
        death = day(f"1988-08-{1 + i % 28:02d}") if with_days else None
        for copy in range(2):
            rows.append((len(rows) + 1, f"list{copy}", fields(given="Ali", family=f"Name{chr(97 + i % 26)}",
                                                               father="Hassan", death=death,
                                                               place_of_origin="Tehran")))
    return feature_frame(rows)


def test_names_are_trained_among_pairs_that_share_the_day_of_death_when_there_are_enough():
    chosen = dict(M.training_rules(_frame(120, with_days=True)))
    assert ("given_key", "father_key", "death_lo") in chosen  # trains the family name
    assert ("given_key", "father_key", "origin_city") not in chosen


def test_without_dates_of_death_training_falls_back_to_the_next_rule():
    rules = [rule for rule, _n in M.training_rules(_frame(120, with_days=False))]
    assert ("given_key", "father_key", "death_lo") not in rules
    assert ("given_key", "father_key", "origin_city") in rules
    assert ("family_key", "given_key", "father_key") in rules


def test_lists_without_dates_of_death_or_origins_still_train_every_name():
    """A prison roster typed from memory: names, father, birth year, prison. Without a session for each
    name, the names would carry no weight and nothing would link."""
    rows = []
    for i in range(60):
        for copy in range(2):
            rows.append((len(rows) + 1, f"list{copy}", fields(given="Ali", family=f"Name{chr(97 + i % 26)}",
                                                               father="Hassan", detention_site="Evin")))
    rules = [rule for rule, _n in M.training_rules(feature_frame(rows))]
    trained = {name for name in ("given_key", "family_key", "father_key")
               if any(name not in rule for rule in rules[1:])}
    assert trained == {"given_key", "family_key", "father_key"}


@pytest.mark.parametrize(("a", "b"), [("ksmi", "qsmi"), ("ndir", "ndr"), ("mvhsin", "mhsn"), ("asgr", "asqr"),
                                      ("mhabdi", "meabdi")])
def test_the_skeleton_forgets_vowels_h_and_the_k_q_g_spellings(a, b):
    from dadkhah.linkage.features import skeleton

    assert skeleton(a) == skeleton(b)


@pytest.mark.parametrize(("a", "b"), [("wrifi", "rifi"), ("krimi", "rhimi"), ("ahmd", "mhmd")])
def test_the_skeleton_keeps_consonants_and_the_first_letter(a, b):
    from dadkhah.linkage.features import skeleton

    assert skeleton(a) != skeleton(b)


def test_a_prison_and_a_burial_site_or_home_town_are_compared_by_province_when_nothing_else_can_be(
        trained_model):
    witness = fields(given="Ali", family="Karimi", detention_site="Evin")
    cemetery = fields(given="Ali", family="Karimi", burial_site="Khavaran")
    shirazi = fields(given="Ali", family="Karimi", place_of_origin="Shiraz")
    assert levels_of(trained_model, witness, cemetery)["region"] == \
        "a place of one in the province of a place of the other"
    assert levels_of(trained_model, witness, shirazi)["region"] == "their places lie in different provinces"
    # two prisons are compared as prisons; the region says nothing more
    evin = fields(given="Ali", family="Karimi", detention_site="Evin", place_of_origin="Shiraz")
    assert levels_of(trained_model, witness, evin)["prison"] == "same prison"
    assert levels_of(trained_model, witness, evin)["region"] == "places compared directly, or none to compare"


def test_a_comparison_em_never_trained_weighs_nothing_and_trained_ones_keep_a_floor():
    model = {"comparisons": [
        {"output_column_name": "region", "comparison_levels": [
            {"is_null_level": True}, {"u_probability": 0.3}, {"u_probability": 0.7}]},
        {"output_column_name": "gender", "comparison_levels": [
            {"is_null_level": True}, {"m_probability": 1.0, "u_probability": 0.7},
            {"m_probability": 0.0, "u_probability": 0.3}]},
    ]}
    bounded = engine.bounded_model(model, min_m=0.001)
    region, gender = (c["comparison_levels"][1:] for c in bounded["comparisons"])
    assert [lv["m_probability"] for lv in region] == [0.3, 0.7]  # m = u: no evidence either way
    assert gender[1]["m_probability"] == pytest.approx(0.001 / 1.001)
    assert model["comparisons"][0]["comparison_levels"][1].get("m_probability") is None  # input untouched


def _level(gamma, m=None, u=None, label=""):
    return {"gamma": gamma, "m": m, "u": u, "label": label or f"level {gamma}"}


def test_a_pairs_level_is_read_back_from_its_weight_and_never_guessed_when_weights_are_shared():
    trained = {"name": "family", "levels": [_level(-1), _level(2, 0.8, 0.1), _level(1, 0.15, 0.3),
                                            _level(0, 0.05, 0.6)]}
    untrained = {"name": "region", "levels": [_level(-1), _level(1, 0.3, 0.3), _level(0, 0.7, 0.7)]}
    pairs = pd.DataFrame({"mw_family": [3.0, -1.0, -3.584962500721156, 0.0, 1.5, float("nan")],
                          "mw_region": [0.0] * 6})
    out = engine._with_levels(pairs, [trained, untrained])
    # log2(0.8/0.1) = 3, log2(0.15/0.3) = -1, log2(0.05/0.6); 0 = null; 1.5 is no level's weight; Splink
    # weighs a level it has no m for NULL
    assert out["gamma_family"].tolist() == [2, 1, 0, -1, engine.LEVEL_UNKNOWN, engine.LEVEL_UNKNOWN]
    # every level of the untrained comparison weighs 0, like its null level: which one is not known
    assert set(out["gamma_region"]) == {engine.LEVEL_UNKNOWN}


def test_a_review_shows_an_untrained_comparison_as_level_not_known_with_no_weight(trained_model):
    from dadkhah.linkage.service import UNKNOWN_LEVEL_LABEL, explain_levels
    from dadkhah.linkage.tables import LinkRun

    model = deepcopy(trained_model)
    given = next(c for c in model["comparisons"] if c["output_column_name"] == "given")
    for lv in given["comparison_levels"]:
        lv.pop("m_probability", None)  # as if EM never saw a pair with a given name
    model = engine.bounded_model(model, min_m=0.001)
    df = feature_frame([(1, "one", fields(given="Hossein", family="Karimi")),
                        (2, "two", fields(given="حسین", family="کریمی"))])
    scored = engine.Trained(db_api=engine.database_api(engine.EngineOptions()), df=df, model=model,
                            blocking=[], labels_used=0, timings={})
    pair = engine.score_within(scored, {1: 0, 2: 0}).iloc[0]
    assert pair["gamma_given"] == engine.LEVEL_UNKNOWN  # both have a given name: not "given_key is NULL"
    run = LinkRun(summary={"comparisons": engine._comparisons_summary(model)})
    shown = {c["comparison"]: c for c in explain_levels(run, {"given": int(pair["gamma_given"]),
                                                              "family": int(pair["gamma_family"])})}
    assert shown["given"]["level"] == UNKNOWN_LEVEL_LABEL and shown["given"]["weight"] == 0.0
    assert shown["family"]["level"] == "same key" and shown["family"]["weight"] > 0
