"""Calendar arithmetic for the Solar Hijri (Jalali) and Gregorian calendars.

Every conversion goes through :mod:`jdatetime`; this module only adds month/year bounds, unit shifts and
the year-range rule that tells the two calendars apart.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import jdatetime

from dadkhah.dates.digits import to_persian_digits

Calendar = Literal["jalali", "gregorian"]
CALENDARS: tuple[str, ...] = ("jalali", "gregorian")

#: Years read as Jalali (Solar Hijri) when no calendar is given.
JALALI_YEARS = range(1300, 1451)
#: Years read as Gregorian when no calendar is given.
GREGORIAN_YEARS = range(1900, 2101)

#: Years each calendar can express here (jdatetime's range for Jalali, datetime's for Gregorian).
YEAR_LIMITS = {"jalali": (jdatetime.MINYEAR, jdatetime.MAXYEAR), "gregorian": (dt.MINYEAR, dt.MAXYEAR)}

JALALI_MONTH_NAMES = ("Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar",
                      "Mehr", "Aban", "Azar", "Dey", "Bahman", "Esfand")
GREGORIAN_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
                         "September", "October", "November", "December")


def calendar_for_year(year: int) -> Calendar | None:
    """The calendar a bare year belongs to by the year-range rule, or None when it could be either/neither."""
    if year in JALALI_YEARS:
        return "jalali"
    if year in GREGORIAN_YEARS:
        return "gregorian"
    return None


def check_calendar(calendar: str) -> Calendar:
    """``calendar`` itself, or ValueError when it is not one of :data:`CALENDARS`."""
    if calendar not in CALENDARS:
        raise ValueError(f"calendar must be 'jalali' or 'gregorian', not {calendar!r}")
    return calendar  # type: ignore[return-value]


def jalali_to_gregorian(year: int, month: int, day: int) -> dt.date:
    """The Gregorian day of a Jalali date; ValueError for a date that does not exist."""
    return jdatetime.date(year, month, day).togregorian()


def gregorian_to_jalali(day: dt.date) -> tuple[int, int, int]:
    """``(year, month, day)`` in the Jalali calendar; ValueError before 622-03-22 (Jalali year 1)."""
    try:
        j = jdatetime.date.fromgregorian(date=day)
    except ValueError:
        raise ValueError(f"{day.isoformat()} is outside the Jalali calendar's range") from None
    return j.year, j.month, j.day


def jalali_str(day: dt.date, digits: str = "latin") -> str:
    """A Gregorian day written as a Jalali date, ``"1367/04/28"`` (or ``"۱۳۶۷/۰۴/۲۸"`` with digits="persian")."""
    if digits not in ("latin", "persian"):
        raise ValueError(f"digits must be 'latin' or 'persian', not {digits!r}")
    y, m, d = gregorian_to_jalali(day)
    text = f"{y:04d}/{m:02d}/{d:02d}"
    return to_persian_digits(text) if digits == "persian" else text


def days_in_month(calendar: str, year: int, month: int) -> int:
    if calendar == "jalali":
        if month == 12:
            return 30 if jdatetime.date(year, 1, 1).isleap() else 29
        return jdatetime.j_days_in_month[month - 1]
    nxt = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    return (nxt - dt.timedelta(days=1)).day


def to_gregorian(calendar: str, year: int, month: int, day: int) -> dt.date:
    """A day of either calendar as a Gregorian ``date``; ValueError for a day that does not exist."""
    if calendar == "jalali":
        return jalali_to_gregorian(year, month, day)
    return dt.date(year, month, day)


def from_gregorian(calendar: str, day: dt.date) -> tuple[int, int, int]:
    """``(year, month, day)`` of a Gregorian day in ``calendar``."""
    if calendar == "jalali":
        return gregorian_to_jalali(day)
    return day.year, day.month, day.day


def month_first_day(calendar: str, year: int, month: int) -> dt.date:
    return to_gregorian(calendar, year, month, 1)


def month_last_day(calendar: str, year: int, month: int) -> dt.date:
    return to_gregorian(calendar, year, month, days_in_month(calendar, year, month))


def add_months(year: int, month: int, n: int) -> tuple[int, int]:
    """``(year, month)`` moved by ``n`` months (the same in both calendars: twelve months a year)."""
    index = year * 12 + (month - 1) + n
    return index // 12, index % 12 + 1


def shift_years(calendar: str, day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` later (earlier when negative), in ``calendar``.

    A day that does not exist in the target year (Gregorian 29 February, Jalali 30 Esfand) becomes the last
    day of that month.
    """
    y, m, d = from_gregorian(calendar, day)
    y += years
    return to_gregorian(calendar, y, m, min(d, days_in_month(calendar, y, m)))
