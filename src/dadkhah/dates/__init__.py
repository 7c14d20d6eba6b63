"""Dates as people write them: Solar Hijri (Jalali) or Gregorian, Persian or Latin digits, partial, uncertain.

Public API (see README.md in this folder for the rules and policies)::

    parse_date(text, calendar=None) -> FuzzyDate
    FuzzyDate(text, edtf, low, high, calendar)   .overlaps() .display() .to_dict() .from_dict()
    from_age(age, at) -> FuzzyDate
    jalali_str(day, digits="latin") -> "1367/04/28"
    DateParseError
"""

from dadkhah.dates.age import from_age, parse_age
from dadkhah.dates.calendars import (
    GREGORIAN_YEARS,
    JALALI_YEARS,
    calendar_for_year,
    gregorian_to_jalali,
    jalali_str,
    jalali_to_gregorian,
)
from dadkhah.dates.digits import normalize_text, to_latin_digits, to_persian_digits
from dadkhah.dates.edtf_text import is_valid_edtf
from dadkhah.dates.errors import DateParseError
from dadkhah.dates.fuzzy import FuzzyDate
from dadkhah.dates.parse import parse_date

__all__ = [
    "DateParseError",
    "FuzzyDate",
    "GREGORIAN_YEARS",
    "JALALI_YEARS",
    "calendar_for_year",
    "from_age",
    "gregorian_to_jalali",
    "is_valid_edtf",
    "jalali_str",
    "jalali_to_gregorian",
    "normalize_text",
    "parse_age",
    "parse_date",
    "to_latin_digits",
    "to_persian_digits",
]
