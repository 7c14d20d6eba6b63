"""Gregorian dates in the forms sources use: ISO, slashes, day-first, month names, seasons, decades."""

import datetime as dt

import pytest

from dadkhah.dates import parse_date

D = dt.date


@pytest.mark.parametrize("text", ["1988-07-19", "1988/07/19", "1988.07.19", "19/07/1988", "19-07-1988",
                                  "19 July 1988", "July 19, 1988", "19th July 1988", "19 Jul. 1988",
                                  "۱۹۸۸-۰۷-۱۹", "19 ژوئیه 1988"])
def test_a_full_gregorian_date_in_any_common_form_is_one_day(text):
    d = parse_date(text)
    assert (d.edtf, d.low, d.high, d.calendar) == ("1988-07-19", D(1988, 7, 19), D(1988, 7, 19), "gregorian")
    assert d.text == text


@pytest.mark.parametrize("text", ["1988-07", "1988/07", "07/1988", "July 1988", "jul 1988", "in July 1988"])
def test_a_month_covers_its_first_to_last_day(text):
    d = parse_date(text)
    assert (d.edtf, d.low, d.high) == ("1988-07", D(1988, 7, 1), D(1988, 7, 31))


def test_february_of_a_leap_year_ends_on_the_29th():
    assert parse_date("1988-02").high == D(1988, 2, 29)
    assert parse_date("1989-02").high == D(1989, 2, 28)


def test_a_year_covers_the_whole_gregorian_year():
    d = parse_date("1988")
    assert (d.edtf, d.low, d.high) == ("1988", D(1988, 1, 1), D(1988, 12, 31))


def test_summer_uses_the_documented_fixed_days_and_is_written_as_a_day_interval():
    d = parse_date("summer 1988")
    assert (d.edtf, d.low, d.high) == ("1988-06-21/1988-09-22", D(1988, 6, 21), D(1988, 9, 22))


def test_winter_runs_into_the_next_year():
    d = parse_date("winter 1988")
    assert (d.low, d.high) == (D(1988, 12, 22), D(1989, 3, 20))


@pytest.mark.parametrize("text", ["fall 1988", "autumn 1988"])
def test_fall_and_autumn_are_the_same_season(text):
    assert (parse_date(text).low, parse_date(text).high) == (D(1988, 9, 23), D(1988, 12, 21))


@pytest.mark.parametrize("text", ["1980s", "1980's", "the 1980s", "دهه ۱۹۸۰"])
def test_a_decade_is_ten_years_written_with_an_unspecified_digit(text):
    d = parse_date(text)
    assert (d.edtf, d.low, d.high, d.calendar) == ("198X", D(1980, 1, 1), D(1989, 12, 31), "gregorian")


@pytest.mark.parametrize(("text", "low", "high"), [
    ("early 1988", D(1988, 1, 1), D(1988, 4, 30)),
    ("mid-1988", D(1988, 5, 1), D(1988, 8, 31)),
    ("late 1988", D(1988, 9, 1), D(1988, 12, 31)),
    ("late July 1988", D(1988, 7, 21), D(1988, 7, 31)),
    ("early 1980s", D(1980, 1, 1), D(1983, 12, 31)),
])
def test_early_mid_late_are_thirds(text, low, high):
    d = parse_date(text)
    assert (d.low, d.high) == (low, high)


def test_thirds_of_a_gregorian_season_cover_it_without_gaps():
    parts = [parse_date(f"{w} summer 1988") for w in ("early", "mid", "late")]
    whole = parse_date("summer 1988")
    assert parts[0].low == whole.low and parts[-1].high == whole.high
    assert all(a.high + dt.timedelta(days=1) == b.low for a, b in zip(parts, parts[1:], strict=False))


@pytest.mark.parametrize("text", ["1988 AD", "1988 CE", "۱۹۸۸م", "۱۹۸۸ میلادی"])
def test_a_gregorian_marker_is_read_and_dropped(text):
    assert parse_date(text).edtf == "1988"


def test_a_gregorian_marker_allows_a_year_outside_the_usual_range():
    d = parse_date("1600 AD")
    assert (d.calendar, d.low) == ("gregorian", D(1600, 1, 1))


@pytest.mark.parametrize("text", ["1988-07-19T00:00", "1988-07-19 10:30:00", "1988-07-19T10:30:00Z",
                                  "1988-07-19T10:30:00+03:30"])
def test_an_iso_timestamp_keeps_its_day(text):
    assert parse_date(text).edtf == "1988-07-19"
