"""Which calendar a text is in: explicit argument, marker, month name, then the year range."""

import datetime as dt

import pytest

from dadkhah.dates import DateParseError, calendar_for_year, parse_date


@pytest.mark.parametrize(("year", "calendar"), [(1300, "jalali"), (1450, "jalali"), (1367, "jalali"),
                                                (1900, "gregorian"), (2100, "gregorian"), (1988, "gregorian"),
                                                (1299, None), (1451, None), (1899, None), (2101, None)])
def test_year_range_rule_edges(year, calendar):
    assert calendar_for_year(year) == calendar
    if calendar:
        assert parse_date(str(year)).calendar == calendar


@pytest.mark.parametrize("text", ["1600", "1200/05/01", "2200-01-01", "1899"])
def test_a_year_outside_both_ranges_asks_for_the_calendar(text):
    with pytest.raises(DateParseError, match="calendar='jalali' or calendar='gregorian'") as err:
        parse_date(text)
    assert repr(text) in str(err.value)


def test_an_explicit_calendar_always_wins():
    assert parse_date("1600", calendar="gregorian").low == dt.date(1600, 1, 1)
    jalali_1988 = parse_date("1988-07-19", calendar="jalali")
    assert jalali_1988.calendar == "jalali" and jalali_1988.low.year == 2609
    assert parse_date("1367", calendar="gregorian").low == dt.date(1367, 1, 1)


def test_a_month_name_says_the_calendar():
    assert parse_date("Tir 1367").calendar == "jalali"
    assert parse_date("July 1988").calendar == "gregorian"


def test_a_jalali_month_name_with_a_gregorian_looking_year_is_an_error_unless_the_calendar_is_given():
    with pytest.raises(DateParseError, match="Jalali month"):
        parse_date("Tir 1988")
    assert parse_date("Tir 1988", calendar="jalali").calendar == "jalali"


@pytest.mark.parametrize(("text", "calendar"), [("Tir 1367", "gregorian"), ("July 1988", "jalali"),
                                                ("1367 ه.ش", "gregorian"), ("1988 AD", "jalali")])
def test_an_explicit_calendar_that_contradicts_the_text_is_an_error(text, calendar):
    with pytest.raises(DateParseError, match="conflicting calendars"):
        parse_date(text, calendar=calendar)


def test_both_markers_in_one_text_is_an_error():
    with pytest.raises(DateParseError, match="both the Jalali and the Gregorian"):
        parse_date("1367 ش م")


def test_an_unknown_calendar_argument_is_a_value_error():
    with pytest.raises(ValueError, match="calendar must be"):
        parse_date("1367", calendar="hijri")
