"""FuzzyDate: overlap, plain-dict round trip, construction checks and display in both calendars."""

import datetime as dt

import pytest

from dadkhah.dates import DateParseError, FuzzyDate, parse_date

D = dt.date


# --- overlaps --------------------------------------------------------------------------------------------
def test_a_day_overlaps_the_jalali_month_that_contains_it_and_not_the_next():
    day = parse_date("1988-07-30")          # 1367/05/08
    assert day.overlaps(parse_date("مرداد ۱۳۶۷"))
    assert not day.overlaps(parse_date("شهریور ۱۳۶۷"))


def test_overlap_is_symmetric_and_touching_bounds_count():
    a, b = parse_date("1988-07"), parse_date("1988-07-31")
    assert a.overlaps(b) and b.overlaps(a)
    assert not parse_date("1988-07").overlaps(parse_date("1988-08"))


def test_widening_makes_approximate_dates_overlap_their_neighbours():
    assert not parse_date("1987").overlaps(parse_date("1988"))
    assert parse_date("c. 1987").overlaps(parse_date("1988"))


def test_open_intervals_overlap_everything_on_their_open_side():
    assert parse_date("../1988").overlaps(parse_date("1900"))
    assert parse_date("1988/..").overlaps(parse_date("2050"))
    assert not parse_date("1988/..").overlaps(parse_date("1987"))


def test_contains_uses_the_bounds():
    d = parse_date("1367/05")
    assert d.contains(D(1988, 7, 23)) and d.contains(D(1988, 8, 22)) and not d.contains(D(1988, 8, 23))


# --- plain data ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["1367/04/28", "حدود ۱۳۶۷", "../1988-09", "1980s", "1988-07~/1988-09"])
def test_to_dict_uses_iso_strings_and_from_dict_restores_an_equal_value(text):
    d = parse_date(text)
    data = d.to_dict()
    assert set(data) == {"text", "edtf", "low", "high", "calendar"}
    assert data["low"] == d.low.isoformat() and data["high"] == d.high.isoformat()
    assert FuzzyDate.from_dict(data) == d


@pytest.mark.parametrize(("data", "problem"), [
    ({"text": "x", "edtf": "1988", "low": "1988-01-01", "high": "1988-12-31"}, "missing calendar"),
    ({"text": "x", "edtf": "1988", "low": "1988-13-01", "high": "1988-12-31", "calendar": "gregorian"},
     "not ISO dates"),
    ({"text": "x", "edtf": "not edtf", "low": "1988-01-01", "high": "1988-12-31", "calendar": "gregorian"},
     "not valid EDTF"),
    ({"text": "x", "edtf": "1988", "low": "1988-12-31", "high": "1988-01-01", "calendar": "gregorian"},
     "is after high"),
    ({"text": "x", "edtf": "1988", "low": "1988-01-01", "high": "1988-12-31", "calendar": "hijri"},
     "calendar must be"),
    ("1988", "expected a dict"),
])
def test_from_dict_refuses_bad_data_with_a_date_parse_error(data, problem):
    with pytest.raises(DateParseError, match=problem):
        FuzzyDate.from_dict(data)


def test_from_dict_accepts_edtf_this_package_does_not_write_if_the_edtf_package_does():
    d = FuzzyDate.from_dict({"text": "x", "edtf": "1988-22", "low": "1988-06-01", "high": "1988-08-31",
                             "calendar": "gregorian"})
    assert d.edtf == "1988-22"
    assert d.display() == "1988-22 (1367/03/11 – 1367/06/09)"   # shown as written, Jalali from the bounds


def test_a_datetime_is_not_a_date_for_low_and_high():
    with pytest.raises(DateParseError, match="datetime.date"):
        FuzzyDate(text="x", edtf="1988", low=dt.datetime(1988, 1, 1), high=D(1988, 12, 31), calendar="gregorian")


# --- display ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "both", "persian"), [
    ("1367/04/28", "1367/04/28 (1988-07-19)", "۱۳۶۷/۰۴/۲۸ (۱۹۸۸-۰۷-۱۹)"),
    ("1988-07-19", "1988-07-19 (1367/04/28)", "۱۹۸۸-۰۷-۱۹ (۱۳۶۷/۰۴/۲۸)"),
    ("مرداد ۱۳۶۷", "1367/05 (1988-07-23 – 1988-08-22)", "۱۳۶۷/۰۵ (۱۹۸۸-۰۷-۲۳ – ۱۹۸۸-۰۸-۲۲)"),
    ("1367", "1367 (1988-03-21 – 1989-03-20)", "۱۳۶۷ (۱۹۸۸-۰۳-۲۱ – ۱۹۸۹-۰۳-۲۰)"),
    ("حدود ۱۳۶۷", "c. 1367 (c. 1988-03-21 – c. 1989-03-20)", "حدود ۱۳۶۷ (حدود ۱۹۸۸-۰۳-۲۱ – حدود ۱۹۸۹-۰۳-۲۰)"),
    ("1988?", "1988? (1366/10/11? – 1367/10/10?)", "۱۹۸۸؟ (۱۳۶۶/۱۰/۱۱؟ – ۱۳۶۷/۱۰/۱۰؟)"),
    ("July 1988", "1988-07 (1367/04/10 – 1367/05/09)", "۱۹۸۸-۰۷ (۱۳۶۷/۰۴/۱۰ – ۱۳۶۷/۰۵/۰۹)"),
    ("1980s", "1980s (1358/10/11 – 1368/10/10)", "دهه ۱۹۸۰ (۱۳۵۸/۱۰/۱۱ – ۱۳۶۸/۱۰/۱۰)"),
    ("../1988-09", "… – 1988-09 (… – 1367/07/08)", "… – ۱۹۸۸-۰۹ (… – ۱۳۶۷/۰۷/۰۸)"),
    ("1367/05 تا 1367/06", "1367/05 – 1367/06 (1988-07-23 – 1988-09-22)",
     "۱۳۶۷/۰۵ – ۱۳۶۷/۰۶ (۱۹۸۸-۰۷-۲۳ – ۱۹۸۸-۰۹-۲۲)"),
    ("1988-07~/1988-09", "c. 1988-07 – 1988-09 (c. 1367/04/10 – 1367/07/08)",
     "حدود ۱۹۸۸-۰۷ – ۱۹۸۸-۰۹ (حدود ۱۳۶۷/۰۴/۱۰ – ۱۳۶۷/۰۷/۰۸)"),
])
def test_display_in_both_calendars_and_both_digit_sets(text, both, persian):
    d = parse_date(text)
    assert d.display() == both
    assert d.display("both", "persian") == persian


def test_display_one_calendar_only():
    d = parse_date("1367/04/28")
    assert d.display("jalali") == "1367/04/28"
    assert d.display("gregorian") == "1988-07-19"
    assert d.display("jalali", "persian") == "۱۳۶۷/۰۴/۲۸"
    assert str(d) == d.display()


def test_display_of_a_value_rebuilt_from_stored_columns_matches_the_parsed_one():
    d = parse_date("حدود مرداد ۱۳۶۷")
    rebuilt = FuzzyDate(text=d.text, edtf=d.edtf, low=d.low, high=d.high, calendar=d.calendar)
    assert rebuilt.display("both", "persian") == d.display("both", "persian")


def test_a_gregorian_date_before_the_jalali_era_shows_in_gregorian_only():
    assert parse_date("0600", calendar="gregorian").display() == "0600"


@pytest.mark.parametrize(("calendar", "digits"), [("hijri", "latin"), ("both", "arabic")])
def test_display_refuses_unknown_options(calendar, digits):
    with pytest.raises(ValueError):
        parse_date("1367").display(calendar, digits)


# --- EDTF checking ---------------------------------------------------------------------------------------
def test_check_edtf_refuses_strings_outside_the_written_subset_or_the_standard():
    from dadkhah.dates.edtf_text import check_edtf, is_valid_edtf

    assert check_edtf("1988-07-23~/1988-08-22~") == "1988-07-23~/1988-08-22~"
    assert is_valid_edtf("1988-22") and not is_valid_edtf("1988?~")
    for bad in ("1988-22", "1988-02-30", "1988?~", "../.."):
        with pytest.raises(ValueError, match="internal error"):
            check_edtf(bad)
