"""Intervals, open intervals and their EDTF."""

import datetime as dt

import pytest

from dadkhah.dates import jalali_to_gregorian, parse_date

D = dt.date


@pytest.mark.parametrize("text", ["1988-07/1988-09", "1988-07 to 1988-09", "July 1988 to September 1988",
                                  "1988-07 – 1988-09", "1988-07–1988-09", "1988-07 - 1988-09",
                                  "between July 1988 and September 1988", "from 1988-07 to 1988-09",
                                  "1988-07 until 1988-09", "07/1988 to 09/1988"])
def test_a_gregorian_interval_keeps_each_end_at_its_precision(text):
    d = parse_date(text)
    assert (d.edtf, d.low, d.high, d.calendar) == ("1988-07/1988-09", D(1988, 7, 1), D(1988, 9, 30), "gregorian")


def test_two_years_with_a_slash_are_an_interval_but_year_slash_month_is_a_month():
    assert parse_date("1988/1989").edtf == "1988/1989"
    assert parse_date("1988/07").edtf == "1988-07"


@pytest.mark.parametrize("text", ["1367/05 تا 1367/06", "۱۳۶۷/۰۵ تا ۱۳۶۷/۰۶", "مرداد ۱۳۶۷ تا شهریور ۱۳۶۷",
                                  "از مرداد ۱۳۶۷ تا شهریور ۱۳۶۷", "بین مرداد ۱۳۶۷ و شهریور ۱۳۶۷",
                                  "Mordad 1367 to Shahrivar 1367"])
def test_a_jalali_interval_runs_from_the_first_day_of_its_start_to_the_last_day_of_its_end(text):
    d = parse_date(text)
    assert d.calendar == "jalali"
    assert (d.low, d.high) == (jalali_to_gregorian(1367, 5, 1), jalali_to_gregorian(1367, 6, 31))
    assert d.edtf == f"{d.low.isoformat()}/{d.high.isoformat()}"


def test_a_jalali_year_interval_with_a_slash():
    d = parse_date("1367/1368")
    assert (d.low, d.high) == (jalali_to_gregorian(1367, 1, 1), jalali_to_gregorian(1368, 12, 29))


@pytest.mark.parametrize(("text", "edtf", "low", "high"), [
    ("../1988-09", "../1988-09", D.min, D(1988, 9, 30)),
    ("1988/..", "1988/..", D(1988, 1, 1), D.max),
    ("… – 1988-09", "../1988-09", D.min, D(1988, 9, 30)),
    ("until 1988-09", "../1988-09", D.min, D(1988, 9, 30)),
    ("since 1988", "1988/..", D(1988, 1, 1), D.max),
    ("before 1988-07-19", "../1988-07-18", D.min, D(1988, 7, 18)),
    ("before July 1988", "../1988-06", D.min, D(1988, 6, 30)),
    ("after 1988", "1989/..", D(1989, 1, 1), D.max),
])
def test_open_intervals(text, edtf, low, high):
    d = parse_date(text)
    assert (d.edtf, d.low, d.high) == (edtf, low, high)


def test_before_and_after_a_jalali_year_exclude_that_year():
    before, after = parse_date("قبل از ۱۳۶۷"), parse_date("بعد از ۱۳۶۷")
    assert before.high == jalali_to_gregorian(1366, 12, 30)
    assert after.low == jalali_to_gregorian(1368, 1, 1)
    assert parse_date("تا ۱۳۶۷").high == jalali_to_gregorian(1367, 12, 29)
    assert parse_date("از ۱۳۶۷").low == jalali_to_gregorian(1367, 1, 1)


def test_interval_ends_can_be_qualified_and_thirds():
    d = parse_date("late 1988 to c. 1989")
    assert (d.edtf, d.low, d.high) == ("1988-09/1989~", D(1988, 9, 1), D(1990, 12, 31))


@pytest.mark.parametrize(("text", "low", "high"), [
    ("19–25 July 1988", D(1988, 7, 19), D(1988, 7, 25)),
    ("between 19 and 25 July 1988", D(1988, 7, 19), D(1988, 7, 25)),
    ("July–August 1988", D(1988, 7, 1), D(1988, 8, 31)),
    ("July-August 1988", D(1988, 7, 1), D(1988, 8, 31)),
    ("۲۸ تیر تا ۵ مرداد ۱۳۶۷", jalali_to_gregorian(1367, 4, 28), jalali_to_gregorian(1367, 5, 5)),
    ("مرداد-شهریور ۱۳۶۷", jalali_to_gregorian(1367, 5, 1), jalali_to_gregorian(1367, 6, 31)),
    ("late Tir to early Mordad 1367", jalali_to_gregorian(1367, 4, 21), jalali_to_gregorian(1367, 5, 10)),
])
def test_a_start_without_a_year_borrows_it_from_the_end(text, low, high):
    d = parse_date(text)
    assert (d.low, d.high) == (low, high)


def test_a_hyphen_after_mid_is_part_of_the_word_not_a_range():
    d = parse_date("mid-July 1988")
    assert (d.low, d.high) == (D(1988, 7, 11), D(1988, 7, 20))


def test_a_borrowed_year_that_puts_the_start_after_the_end_is_an_error():
    with pytest.raises(ValueError, match="ends before it starts"):
        parse_date("Esfand to Farvardin 1368")
