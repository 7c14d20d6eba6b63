"""Jalali (Solar Hijri) dates: digits of three scripts, month names, partial dates, known conversions."""

import datetime as dt

import pytest

from dadkhah.dates import jalali_str, jalali_to_gregorian, parse_date

D = dt.date


@pytest.mark.parametrize(("jalali", "gregorian"), [
    ("1367/01/01", D(1988, 3, 21)),   # Nowruz 1367
    ("1367/05/08", D(1988, 7, 30)),
    ("1367/04/28", D(1988, 7, 19)),
    ("1366/12/30", D(1988, 3, 20)),   # Esfand 30 of the leap year 1366: the eve of Nowruz
    ("1399/12/30", D(2021, 3, 20)),   # Esfand 30 of the leap year 1399
    ("1400/01/01", D(2021, 3, 21)),
    ("1403/12/30", D(2025, 3, 20)),
    ("1357/11/22", D(1979, 2, 11)),   # 22 Bahman, the revolution
])
def test_known_jalali_days_convert_both_ways(jalali, gregorian):
    d = parse_date(jalali)
    assert (d.low, d.high, d.edtf, d.calendar) == (gregorian, gregorian, gregorian.isoformat(), "jalali")
    assert jalali_str(gregorian) == jalali


def test_the_day_after_esfand_30_is_nowruz():
    assert parse_date("1366/12/30").high + dt.timedelta(days=1) == parse_date("1367/01/01").low


@pytest.mark.parametrize("text", ["1367/04/28", "۱۳۶۷/۰۴/۲۸", "١٣٦٧/٠٤/٢٨", "۱۳۶۷/۴/۲۸", "1367-04-28", "28/04/1367",
                                  "28 Tir 1367", "۲۸ تیر ۱۳۶۷", "۲۸ تیرماه ۱۳۶۷", "۲۸ تیر ماه ۱۳۶۷",
                                  "28 tir 1367", "۲۸ام تیر ۱۳۶۷", "1367/04/28 ه.ش", "۱۳۶۷/۰۴/۲۸ش"])
def test_one_jalali_day_in_any_script_or_form(text):
    d = parse_date(text)
    assert (d.low, d.high, d.calendar) == (D(1988, 7, 19), D(1988, 7, 19), "jalali")


def test_a_jalali_year_is_the_gregorian_interval_from_nowruz_to_nowruz():
    d = parse_date("1367")
    assert (d.edtf, d.low, d.high) == ("1988-03-21/1989-03-20", D(1988, 3, 21), D(1989, 3, 20))


@pytest.mark.parametrize("text", ["١٣٦٧", "۱۳۶۷", "سال ۱۳۶۷", "1367 SH", "1367 AP", "۱۳۶۷ هجری شمسی"])
def test_a_jalali_year_in_other_scripts_and_with_markers(text):
    assert parse_date(text).edtf == "1988-03-21/1989-03-20"


@pytest.mark.parametrize("text", ["1367/05", "۱۳۶۷/۰۵", "05/1367", "مرداد ۱۳۶۷", "امرداد ۱۳۶۷", "Mordad 1367",
                                  "mordad 1367", "مرداد ماه ۱۳۶۷"])
def test_a_jalali_month_is_the_gregorian_interval_of_its_days(text):
    d = parse_date(text)
    assert (d.edtf, d.low, d.high) == ("1988-07-23/1988-08-22", D(1988, 7, 23), D(1988, 8, 22))


def test_tir_has_31_days_and_esfand_29_or_30():
    tir = parse_date("تیر ۱۳۶۷")
    assert (tir.high - tir.low).days + 1 == 31
    assert (parse_date("اسفند ۱۳۶۶").high - parse_date("اسفند ۱۳۶۶").low).days + 1 == 30  # leap year
    assert (parse_date("اسفند ۱۳۶۷").high - parse_date("اسفند ۱۳۶۷").low).days + 1 == 29


@pytest.mark.parametrize(("number", "names"), [
    (1, ["فروردین", "Farvardin"]), (2, ["اردیبهشت", "Ordibehesht"]), (3, ["خرداد", "Khordad"]),
    (4, ["تیر", "Tir"]), (5, ["مرداد", "Mordad"]), (6, ["شهریور", "Shahrivar"]), (7, ["مهر", "Mehr"]),
    (8, ["آبان", "Aban"]), (9, ["آذر", "Azar"]), (10, ["دی", "Dey"]), (11, ["بهمن", "Bahman"]),
    (12, ["اسفند", "Esfand"]),
])
def test_every_jalali_month_name_in_persian_and_latin(number, names):
    first = jalali_to_gregorian(1367, number, 1)
    for name in names:
        assert parse_date(f"{name} 1367").low == first


def test_arabic_letter_forms_of_month_names_are_accepted():
    assert parse_date("دي ۱۳۶۷").low == parse_date("دی ۱۳۶۷").low  # Arabic yeh


@pytest.mark.parametrize(("text", "first", "last"), [
    ("تابستان ۱۳۶۷", (1367, 4, 1), (1367, 6, 31)),
    ("زمستان ۱۳۶۷", (1367, 10, 1), (1367, 12, 29)),
    ("اواخر تابستان ۱۳۶۷", (1367, 6, 1), (1367, 6, 31)),
    ("اوایل ۱۳۶۷", (1367, 1, 1), (1367, 4, 31)),
    ("اواسط مرداد ۱۳۶۷", (1367, 5, 11), (1367, 5, 20)),
    ("اواخر اسفند ۱۳۶۶", (1366, 12, 21), (1366, 12, 30)),
])
def test_jalali_seasons_and_thirds_follow_jalali_months(text, first, last):
    d = parse_date(text)
    assert (d.low, d.high, d.calendar) == (jalali_to_gregorian(*first), jalali_to_gregorian(*last), "jalali")


@pytest.mark.parametrize("text", ["دهه ۱۳۶۰", "دهه‌ی ۱۳۶۰", "1360s"])
def test_a_jalali_decade(text):
    d = parse_date(text)
    assert (d.low, d.high) == (jalali_to_gregorian(1360, 1, 1), jalali_to_gregorian(1369, 12, 29))


def test_jalali_str_writes_persian_digits_on_request():
    assert jalali_str(D(1988, 7, 19), digits="persian") == "۱۳۶۷/۰۴/۲۸"


def test_jalali_str_rejects_days_before_the_jalali_calendar_and_bad_digit_sets():
    with pytest.raises(ValueError, match="outside"):
        jalali_str(D(600, 1, 1))
    with pytest.raises(ValueError, match="digits"):
        jalali_str(D(1988, 7, 19), digits="arabic")
