"""from_age: the birth-date interval that fits an age at a dated event."""

import datetime as dt

import pytest

from dadkhah.dates import DateParseError, from_age, jalali_to_gregorian, parse_age, parse_date

D = dt.date


def test_age_at_an_exact_day_gives_a_one_year_window_ending_on_the_birthday():
    born = from_age(25, parse_date("1988-07-19"))
    assert (born.low, born.high) == (D(1962, 7, 20), D(1963, 7, 19))
    assert born.edtf == "1962-07-20/1963-07-19"
    assert born.text == "aged 25 at 1988-07-19"


def test_someone_born_at_either_end_of_the_window_has_that_age_on_the_day():
    event = D(1988, 7, 19)
    born = from_age(25, parse_date(event.isoformat()))
    for birthday in (born.low, born.high):
        age = event.year - birthday.year - ((event.month, event.day) < (birthday.month, birthday.day))
        assert age == 25
    older = born.low - dt.timedelta(days=1)
    assert event.year - older.year - ((event.month, event.day) < (older.month, older.day)) == 26


def test_years_are_counted_in_the_calendar_of_the_event():
    born = from_age("۲۵ ساله", parse_date("1367/04/28"))
    assert born.calendar == "jalali"
    assert (born.low, born.high) == (jalali_to_gregorian(1341, 4, 29), jalali_to_gregorian(1342, 4, 28))


def test_esfand_30_falls_back_to_esfand_29_in_a_common_year():
    born = from_age(1, parse_date("1366/12/30"))   # 1366 is leap, 1365 is not
    assert born.high == jalali_to_gregorian(1365, 12, 29)


def test_a_partial_event_date_widens_the_window():
    born = from_age(25, parse_date("1367"))
    assert (born.low, born.high) == (jalali_to_gregorian(1341, 1, 2), jalali_to_gregorian(1342, 12, 29))


def test_an_approximate_age_is_marked_and_widened_by_a_year():
    exact, about = from_age(25, parse_date("1988-07-19")), from_age("about 25", parse_date("1988-07-19"))
    assert about.edtf == exact.edtf.replace("/", "~/") + "~"
    assert (about.low, about.high) == (D(1961, 7, 20), D(1964, 7, 19))


def test_an_age_range():
    born = from_age("25-30", parse_date("1988-07-19"))
    assert (born.low, born.high) == (D(1957, 7, 20), D(1963, 7, 19))


def test_an_open_start_event_gives_an_open_start_birth():
    born = from_age(20, parse_date("../1988"))
    assert born.edtf == "../1968-12-31" and born.low == D.min


@pytest.mark.parametrize(("age", "expected"), [
    (25, (25, 25, False)), ("25", (25, 25, False)), ("۲۵", (25, 25, False)), ("۲۵ ساله", (25, 25, False)),
    ("25 years old", (25, 25, False)), ("aged 25", (25, 25, False)), ("حدود ۲۵", (25, 25, True)),
    ("c. 25", (25, 25, True)), ("20 تا 25", (20, 25, False)), ("0", (0, 0, False)),
])
def test_ages_are_read_in_the_usual_forms(age, expected):
    assert parse_age(age) == expected


@pytest.mark.parametrize(("age", "problem"), [
    ("twenty", "not an age"), (-1, "between 0 and"), (131, "between 0 and"), ("30-25", "youngest first"),
    (True, "expected a whole number"), (25.5, "expected a whole number"),
])
def test_bad_ages_are_refused(age, problem):
    with pytest.raises(DateParseError, match=problem):
        from_age(age, parse_date("1988"))


def test_an_age_reaching_before_year_one_is_refused():
    with pytest.raises(DateParseError, match="outside the calendar"):
        from_age(130, parse_date("0100", calendar="gregorian"))


@pytest.mark.parametrize(("age", "at"), [(25, "1367/04/28"), ("about 25", "1988-07"), ("25-30", "حدود ۱۳۶۷")])
def test_the_text_of_a_derived_birth_date_reads_back_to_the_same_value(age, at):
    born = from_age(age, parse_date(at))
    assert parse_date(born.text) == born
    assert parse_date(born.text, calendar=born.calendar) == born
