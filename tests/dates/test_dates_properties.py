"""Properties over many generated dates: calendar round trips, bounds, EDTF agreement, display read-back."""

import datetime as dt

from edtf import parse_edtf
from hypothesis import given, settings
from hypothesis import strategies as st

from dadkhah.dates import (
    gregorian_to_jalali,
    jalali_str,
    jalali_to_gregorian,
    parse_date,
    to_persian_digits,
)

FAST = settings(max_examples=150, deadline=None)

# Every day the Jalali calendar can write (years 1..9376, leaving jdatetime's last year spare).
any_day = st.dates(min_value=dt.date(622, 3, 22), max_value=jalali_to_gregorian(9376, 12, 29))
# Days whose Jalali year is in the range read as Jalali without a calendar (1300–1450).
jalali_range_day = st.dates(min_value=jalali_to_gregorian(1300, 1, 1), max_value=jalali_to_gregorian(1450, 12, 29))
gregorian_range_day = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))


@FAST
@given(any_day)
def test_any_day_written_in_jalali_reads_back_as_that_day(day):
    d = parse_date(jalali_str(day), calendar="jalali")
    assert d.low == d.high == day
    assert d.edtf == day.isoformat()


@FAST
@given(jalali_range_day)
def test_persian_digit_jalali_text_in_the_usual_range_needs_no_calendar(day):
    d = parse_date(jalali_str(day, digits="persian"))
    assert (d.low, d.high, d.calendar) == (day, day, "jalali")


@FAST
@given(gregorian_range_day)
def test_iso_and_day_first_gregorian_text_read_back(day):
    assert parse_date(day.isoformat()).low == day
    assert parse_date(day.strftime("%d/%m/%Y")).high == day


@FAST
@given(st.integers(1300, 1449), st.integers(1, 12))
def test_a_jalali_month_is_exactly_its_days_and_months_tile_the_year(year, month):
    d = parse_date(f"{year}/{month:02d}")
    assert gregorian_to_jalali(d.low) == (year, month, 1)
    following = gregorian_to_jalali(d.high + dt.timedelta(days=1))
    assert following == ((year, month + 1, 1) if month < 12 else (year + 1, 1, 1))


@FAST
@given(st.integers(1300, 1449))
def test_consecutive_jalali_years_meet_at_nowruz(year):
    this, nxt = parse_date(str(year)), parse_date(str(year + 1))
    assert this.high + dt.timedelta(days=1) == nxt.low
    assert 365 <= (this.high - this.low).days + 1 <= 366


def _texts(day: dt.date) -> list[str]:
    y, m, d = gregorian_to_jalali(day)
    return [day.isoformat(), f"{day:%Y-%m}", f"{day:%Y}", f"c. {day:%Y}", f"{day:%Y-%m}?", f"{y}/{m:02d}",
            f"{y}", f"حدود {y}/{m:02d}", f"{y}/{m:02d}/{d:02d} تا {y + 1}", f"../{day:%Y-%m}", f"{y}/..",
            f"late {day:%Y}", f"summer {day:%Y}", f"{str(day.year)[:3]}0s", f"early {y}", f"{day:%Y}%"]


@settings(max_examples=6, deadline=None)
@given(gregorian_range_day.filter(lambda d: 1300 <= gregorian_to_jalali(d)[0] <= 1449))
def test_every_edtf_written_is_valid_and_its_strict_bounds_are_the_core_of_the_date(day):
    for text in _texts(day):
        d = parse_date(text)
        parsed = parse_edtf(d.edtf)   # raises if invalid
        if not d.edtf.startswith(".."):
            assert dt.date(*parsed.lower_strict()[:3]) >= d.low
        if not d.edtf.endswith(".."):
            assert dt.date(*parsed.upper_strict()[:3]) <= d.high
        if not (d.approximate or d.uncertain or ".." in d.edtf):
            strict = (dt.date(*parsed.lower_strict()[:3]), dt.date(*parsed.upper_strict()[:3]))
            assert strict == (d.low, d.high), text


@settings(max_examples=40, deadline=None)
@given(gregorian_range_day.filter(lambda d: 1300 <= gregorian_to_jalali(d)[0] <= 1449),
       st.sampled_from(["latin", "persian"]))
def test_the_label_in_the_written_calendar_reads_back_to_the_same_date(day, digits):
    for text in _texts(day):
        d = parse_date(text)
        label = d.display(d.calendar, digits)
        again = parse_date(label, d.calendar)
        assert (again.low, again.high) == (d.low, d.high), (text, label)


def test_persian_digit_helper_is_the_inverse_of_reading():
    assert parse_date(to_persian_digits("1367/04/28")).low == dt.date(1988, 7, 19)
