"""One list row → canonical fields: names split with the core rules, dates in every form, bad rows named."""

import datetime as dt

import pytest

from dadkhah.errors import InputError
from dadkhah.lists.mapping import Mapping
from dadkhah.lists.readers import RawRow
from dadkhah.lists.rows import parse_gender, parse_row


def row(values: dict, **mapping) -> dict:
    columns = {k: v for k, v in mapping.items() if k not in ("name_order", "calendar", "age_reference")}
    m = Mapping(columns=columns, name_order=mapping.get("name_order", "given-first"),
                calendar=mapping.get("calendar"), age_reference=mapping.get("age_reference"))
    return parse_row(RawRow(row=1, line=2, values=values), m)


def bounds(date: dict) -> tuple[dt.date, dt.date]:
    return dt.date.fromisoformat(date["low"]), dt.date.fromisoformat(date["high"])


def test_a_jalali_date_in_persian_digits_is_read():
    f = row({"نام": "علی احمدی", "تاریخ اعدام": "۱۳۶۷/۰۵/۱۲"}, full_name="نام", death_date="تاریخ اعدام")
    assert bounds(f["death"]) == (dt.date(1988, 8, 3), dt.date(1988, 8, 3))
    assert f["death"]["calendar"] == "jalali" and f["death"]["text"] == "۱۳۶۷/۰۵/۱۲"


def test_a_gregorian_date_written_in_words_is_read():
    f = row({"Name": "Ali Ahmadi", "Died": "12 August 1988"}, full_name="Name", death_date="Died")
    assert bounds(f["death"]) == (dt.date(1988, 8, 12), dt.date(1988, 8, 12))


def test_a_partial_date_becomes_an_interval():
    f = row({"Name": "Ali Ahmadi", "Died": "مرداد ۱۳۶۷", "Born": "1960"}, full_name="Name", death_date="Died",
            birth_date="Born")
    assert bounds(f["death"]) == (dt.date(1988, 7, 23), dt.date(1988, 8, 22))
    assert bounds(f["birth"]) == (dt.date(1960, 1, 1), dt.date(1960, 12, 31))


def test_an_age_at_death_gives_the_birth_interval():
    f = row({"Name": "Ali Ahmadi", "Age": "۲۵", "Died": "1988-08-12"}, full_name="Name", age="Age", death_date="Died")
    low, high = bounds(f["birth"])
    assert f["birth_from_age"] and f["age"] == "۲۵"
    assert (low, high) == (dt.date(1962, 8, 13), dt.date(1963, 8, 12))


def test_an_age_without_a_death_date_uses_the_lists_reference_date():
    f = row({"Name": "Ali Ahmadi", "Age": "30"}, full_name="Name", age="Age", age_reference="1988")
    low, high = bounds(f["birth"])
    assert low.year == 1957 and high.year == 1958


def test_a_full_name_written_surname_first_is_split_with_the_core_rules():
    f = row({"نام متوفی": "رضایی محمد"}, full_name="نام متوفی", name_order="family-first")
    assert (f["given"], f["family"], f["name_split"]) == ("محمد", "رضایی", True)
    assert f["full_name"] == "رضایی محمد"  # as written


def test_separate_name_columns_compose_the_full_name_in_the_lists_order():
    f = row({"LAST": "REZAEI", "FIRST": "MOHAMMAD"}, family_name="LAST", given_name="FIRST")
    assert f["full_name"] == "MOHAMMAD REZAEI" and not f["name_split"]


@pytest.mark.parametrize("text, gender", [("M", "male"), ("female", "female"), ("مرد", "male"), ("زن", "female"),
                                          ("", None), ("نامعلوم", None)])
def test_gender_is_read_in_either_language(text, gender):
    assert parse_gender(text) == gender


@pytest.mark.parametrize("values, field, reason", [
    ({"Name": "", "Died": "1988"}, "name", "no name"),
    ({"Name": "Ali Ahmadi", "Died": "1367/13/01"}, "death_date", "cannot read the date"),
    ({"Name": "Ali Ahmadi", "Age": "old"}, "age", "cannot read the age"),
    ({"Name": "Ali Ahmadi", "Sex": "x"}, "gender", "unknown gender"),
    ({"Name": "Ali Ahmadi", "Born": "1990", "Died": "1988"}, "birth_date", "after death"),
])
def test_a_bad_row_names_the_field_and_the_reason(values, field, reason):
    with pytest.raises(InputError) as err:
        row(values, full_name="Name", death_date="Died", age="Age", gender="Sex", birth_date="Born")
    assert err.value.field == field and reason in err.value.message


def test_unknown_markers_count_as_missing_values():
    f = row({"Name": "Ali Ahmadi", "Prison": "?", "Father": "نامعلوم"}, full_name="Name", detention_site="Prison",
            father_name="Father")
    assert f["detention_site"] is None and f["father"] is None
