"""Every way a text can fail, each with a message naming the text and the problem."""

import pytest

from dadkhah.dates import DateParseError, parse_date


@pytest.mark.parametrize(("text", "problem"), [
    ("", "empty"),
    ("   ", "empty"),
    ("\u200c", "empty"),
    ("1367/13/01", "month 13 is not between 1 and 12"),
    ("1988-13", "month 13"),
    ("1988-00-10", "month 0"),
    ("1988-02-30", "day 30 does not exist: February 1988 has 29 days"),
    ("1989-02-29", "February 1989 has 28 days"),
    ("1367/12/30", "Esfand 1367 has 29 days"),
    ("32 July 1988", "day 32"),
    ("1367/07/31", "Mehr 1367 has 30 days"),
    ("yesterday", "'yesterday' is not a month, season or date word"),
    ("July", "write the full year"),
    ("July 1988 1989", "more than one year"),
    ("July August 1988", "at most one month or season"),
    ("summer 19 1988", "a season takes no day"),
    ("3 4 July 1988", "more than one day number"),
    ("67/05/12", "two-digit years"),
    ("88", "at least three digits"),
    ("19880719", "more than four digits"),
    ("1988/07-19", "not a date in a form this reader knows"),
    ("07/19/1988", "order='mdy'"),
    ("1985s", "a decade starts at a year ending in 0"),
    ("c.", "only a qualifier"),
    ("1988-07-19 to 1988-07-01", "ends before it starts"),
    ("1367/05 to 1988-09", "different calendars"),
    ("1988 to 1989 to 1990", "more than one range separator"),
    ("../..", "'..' can only be one end"),
    ("… – …", "both ends of the interval are open"),
    ("1988 to ", "'to' is not a month"),
    ("1988 to c.", "only a qualifier"),
    ("late 1988-07-19", "early/mid/late needs"),
    ("July 1988 @", "unexpected character"),
    ("1600", "cannot tell the calendar"),
    ("Tir 1988", "is a Jalali month"),
])
def test_unreadable_text_raises_a_date_parse_error_naming_text_and_problem(text, problem):
    with pytest.raises(DateParseError) as err:
        parse_date(text)
    message = str(err.value)
    assert message.startswith(f"cannot read date {text!r}: ")
    assert problem in message
    assert err.value.text == text


def test_a_date_parse_error_is_a_value_error():
    with pytest.raises(ValueError):
        parse_date("1367/13/01")


def test_non_text_input_is_refused():
    with pytest.raises(DateParseError, match="expected text, got int"):
        parse_date(1988)


def test_an_unknown_order_is_a_value_error():
    with pytest.raises(ValueError, match="order must be"):
        parse_date("19/07/1988", order="ymd")


def test_month_first_order_can_be_asked_for():
    assert parse_date("07/19/1988", order="mdy").edtf == "1988-07-19"
    with pytest.raises(DateParseError, match="order='dmy'"):
        parse_date("19/07/1988", order="mdy")


@pytest.mark.parametrize(("text", "calendar"), [("9999", "gregorian"), ("9377/01/01", "jalali")])
def test_an_explicit_year_at_the_end_of_the_calendars_range_is_refused(text, calendar):
    with pytest.raises(DateParseError, match="outside the .* range"):
        parse_date(text, calendar=calendar)
