"""Approximate and uncertain dates: EDTF qualifiers and the documented widening of low/high."""

import datetime as dt

import pytest

from dadkhah.dates import jalali_to_gregorian, parse_date

D = dt.date


@pytest.mark.parametrize("text", ["c. 1988", "c.1988", "c 1988", "ca. 1988", "circa 1988", "about 1988",
                                  "around 1988", "approx. 1988", "~1988", "1988~", "Circa 1988"])
def test_approximate_year_is_marked_and_widened_by_one_year(text):
    d = parse_date(text)
    assert (d.edtf, d.low, d.high) == ("1988~", D(1987, 1, 1), D(1989, 12, 31))
    assert d.approximate and not d.uncertain


@pytest.mark.parametrize("text", ["1988?", "1988 (?)", "1988؟", "probably 1988", "possibly 1988", "احتمالاً ۱۹۸۸"])
def test_uncertain_year_is_marked_and_widened_by_one_year(text):
    d = parse_date(text)
    assert (d.edtf, d.low, d.high) == ("1988?", D(1987, 1, 1), D(1989, 12, 31))
    assert d.uncertain and not d.approximate


@pytest.mark.parametrize("text", ["1988%", "c. 1988?", "probably circa 1988"])
def test_approximate_and_uncertain_is_percent_and_widened_twice(text):
    d = parse_date(text)
    assert (d.edtf, d.low, d.high) == ("1988%", D(1986, 1, 1), D(1990, 12, 31))


def test_approximate_month_and_day_widen_by_their_own_unit():
    month = parse_date("c. July 1988")
    assert (month.edtf, month.low, month.high) == ("1988-07~", D(1988, 6, 1), D(1988, 8, 31))
    day = parse_date("c. 19 July 1988")
    assert (day.edtf, day.low, day.high) == ("1988-07-19~", D(1988, 7, 18), D(1988, 7, 20))


@pytest.mark.parametrize("text", ["حدود ۱۳۶۷", "حدوداً ۱۳۶۷", "در حدود ۱۳۶۷", "تقریباً ۱۳۶۷", "حوالی ۱۳۶۷", "c. 1367"])
def test_approximate_jalali_year_widens_by_one_jalali_year(text):
    d = parse_date(text)
    assert d.edtf == "1988-03-21~/1989-03-20~"
    assert (d.low, d.high) == (jalali_to_gregorian(1366, 1, 1), jalali_to_gregorian(1368, 12, 29))


def test_approximate_jalali_month_widens_to_the_neighbouring_jalali_months():
    d = parse_date("حدود مرداد ۱۳۶۷")
    assert (d.low, d.high) == (jalali_to_gregorian(1367, 4, 1), jalali_to_gregorian(1367, 6, 31))


def test_uncertain_jalali_year_uses_the_question_mark_on_both_ends():
    assert parse_date("۱۳۶۷؟").edtf == "1988-03-21?/1989-03-20?"


def test_approximate_decade_widens_by_a_decade():
    d = parse_date("c. 1980s")
    assert (d.edtf, d.low, d.high) == ("198X~", D(1970, 1, 1), D(1999, 12, 31))


def test_approximate_season_is_written_as_qualified_days():
    d = parse_date("c. summer 1988")
    assert d.edtf == "1988-06-21~/1988-09-22~"
    assert (d.low, d.high) == (D(1988, 3, 21), D(1988, 12, 21))  # spring to autumn


def test_in_an_interval_only_the_qualified_end_is_widened():
    d = parse_date("1988-07~/1988-09")
    assert (d.edtf, d.low, d.high) == ("1988-07~/1988-09", D(1988, 6, 1), D(1988, 9, 30))
