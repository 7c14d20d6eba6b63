"""What the model compares: ASCII cross-script name keys, date intervals as day numbers, gazetteer places."""

import pandas as pd

from dadkhah.linkage.features import feature_frame


def fields(**kw):
    base = {"full_name": None, "given": None, "family": None, "father": None, "gender": None, "birth": None,
            "death": None, "place_of_origin": None, "detention_site": None, "burial_site": None}
    base.update(kw)
    return base


def test_the_same_name_in_two_scripts_and_spellings_gets_the_same_ascii_keys():
    df = feature_frame([
        (1, "a", fields(given="محمد", family="رضایی", father="علی")),
        (2, "b", fields(given="Mohammad", family="Rezaei", father="Ali")),
        (3, "c", fields(given="MUHAMMAD", family="REZAEE", father="ALI")),
    ])
    for col in ("given_key", "family_key", "father_key"):
        assert df[col].nunique() == 1 and df[col].iloc[0].isascii()


def test_compound_given_names_key_the_same_however_they_are_spaced():
    df = feature_frame([(1, "a", fields(given="محمد رضا", family="x")), (2, "b", fields(given="Mohammadreza",
                                                                                      family="x"))])
    assert df["given_key"].iloc[0] == df["given_key"].iloc[1]


def test_dates_become_day_number_intervals_and_blocking_keys():
    death = {"text": "مرداد ۱۳۶۷", "edtf": "1988-07-23/1988-08-22", "low": "1988-07-23", "high": "1988-08-22",
             "calendar": "jalali"}
    birth = {"text": "1960", "edtf": "1960", "low": "1960-01-01", "high": "1960-12-31", "calendar": "gregorian"}
    row = feature_frame([(1, "a", fields(given="Ali", birth=birth, death=death))]).iloc[0]
    assert row["death_hi"] - row["death_lo"] == 30
    assert pd.isna(row["death_ym"])  # a Jalali month spans two Gregorian months: no month key
    assert row["birth_year"] == 1960 and row["birth_hi"] - row["birth_lo"] == 365


def test_places_are_resolved_through_the_gazetteer_in_either_script():
    df = feature_frame([(1, "a", fields(given="x", place_of_origin="ورامین", detention_site="زندان اوین")),
                        (2, "b", fields(given="x", place_of_origin="Varamin", detention_site="Evin Prison"))])
    assert list(df["origin_city"]) == ["varamin", "varamin"] and list(df["origin_province"]) == ["tehran"] * 2
    assert list(df["prison"]) == ["evin", "evin"]


def test_an_unknown_place_keeps_its_name_key():
    df = feature_frame([(1, "a", fields(given="x", place_of_origin="Atlantis"))])
    assert df["origin_city"].iloc[0].startswith("?") and df["origin_province"].isna().all()


def test_the_age_at_death_is_the_age_as_written_or_the_years_between_birth_and_death():
    death = {"text": "1988-08-10", "low": "1988-08-10", "high": "1988-08-10"}
    birth = {"text": "1950", "low": "1950-01-01", "high": "1950-12-31"}
    df = feature_frame([(1, "a", fields(given="x", age="36")), (2, "a", fields(given="x", age="about 30")),
                        (3, "a", fields(given="x", birth=birth, death=death)),
                        (4, "a", fields(given="x", birth=birth)), (5, "a", fields(given="x", age="20-40"))])
    ages = list(zip(df["age_lo"].tolist(), df["age_hi"].tolist(), strict=True))
    assert ages[0] == (36, 36)  # an age without a date of death still counts
    assert ages[1] == (29, 31)  # "about" widens by a year each side
    assert ages[2] == (37, 38)
    assert pd.isna(ages[3][0]) and pd.isna(ages[4][0])  # no death date; an age range too wide to compare


def test_spellings_that_differ_only_in_vowels_h_or_k_q_g_share_a_skeleton():
    df = feature_frame([(1, "a", fields(given="اصغر", family="قاسمی", father="نادر")),
                        (2, "b", fields(given="Asgar", family="Kasemi", father="Nadir"))])
    for col in ("given_sk", "family_sk", "father_sk"):
        assert df[col].nunique() == 1, col
    assert df["family_key"].nunique() == 2  # the keys themselves stay apart
