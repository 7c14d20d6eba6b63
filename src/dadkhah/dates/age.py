"""``from_age``: when someone was born, from their age at a dated event."""

from __future__ import annotations

import datetime as dt
import re

from dadkhah.dates.calendars import shift_years
from dadkhah.dates.digits import normalize_text
from dadkhah.dates.edtf_text import check_edtf, read_edtf
from dadkhah.dates.errors import DateParseError
from dadkhah.dates.fuzzy import FuzzyDate
from dadkhah.dates.vocabulary import APPROXIMATE_PREFIX

MAX_AGE = 130
_AGE = re.compile(r"^(?:aged\s+|age\s+)?(?P<a>\d{1,3})(?:\s*(?:-|–|to|تا)\s*(?P<b>\d{1,3}))?"
                  r"(?:\s*(?:years?\s+old|years?|yrs?\.?|y/o|ساله|سال))?$")


def parse_age(age: int | str) -> tuple[int, int, bool]:
    """``(youngest, oldest, approximate)`` from ``25``, ``"25"``, ``"۲۵ ساله"``, ``"about 25"``, ``"25-30"``."""
    if isinstance(age, bool) or not isinstance(age, int | str):
        raise DateParseError(age, f"expected a whole number or text, got {type(age).__name__}", what="age")
    if isinstance(age, int):
        youngest = oldest = age
        approximate = False
    else:
        text = normalize_text(age)
        approximate = False
        if match := APPROXIMATE_PREFIX.match(text):
            approximate, text = True, text[match.end():]
        match = _AGE.match(text.strip())
        if not match:
            raise DateParseError(age, "not an age (e.g. 25, '۲۵ ساله', 'about 25', '25-30')", what="age")
        youngest = int(match["a"])
        oldest = int(match["b"]) if match["b"] else youngest
    if not 0 <= youngest <= oldest <= MAX_AGE:
        raise DateParseError(age, f"an age must be between 0 and {MAX_AGE}, youngest first", what="age")
    return youngest, oldest, approximate


def from_age(age: int | str, at: FuzzyDate) -> FuzzyDate:
    """The interval of birth dates that fits someone being ``age`` (whole years) at the event ``at``.

    Someone aged N on day D was born after D − (N+1) years and on or before D − N years; years are counted
    in the calendar ``at`` was written in. An approximate age ("about 25", "حدود ۲۵") widens the result by one
    year each side; the EDTF ends are then marked ``~``. ``low``/``high`` also take in ``at``'s own widening.
    """
    youngest, oldest, approximate = parse_age(age)
    start, end = read_edtf(at.edtf)
    core_first = start.first if start else None
    core_last = end.last if end else None
    margin = 1 if approximate else 0

    def earliest(day: dt.date | None, years: int) -> dt.date | None:
        if day is None or day == dt.date.min:
            return None
        try:
            return shift_years(at.calendar, day, -(years + 1)) + dt.timedelta(days=1)
        except (ValueError, OverflowError):
            return None

    def latest(day: dt.date | None, years: int) -> dt.date | None:
        if day is None or day == dt.date.max:
            return None
        try:
            return shift_years(at.calendar, day, -years)
        except (ValueError, OverflowError):
            return None

    first, last = earliest(core_first, oldest), latest(core_last, youngest)
    if (last is None and core_last not in (None, dt.date.max)) or (first is None and last is None):
        raise DateParseError(age, f"a birth date that many years before {at.text!r} is outside the calendar",
                             what="age")
    low = earliest(at.low, oldest + margin) or dt.date.min
    high = latest(at.high, max(youngest - margin, 0)) or dt.date.max
    q = _qualifier(approximate or at.approximate, at.uncertain)
    edtf = f"{first.isoformat() + q if first else '..'}/{last.isoformat() + q if last else '..'}"
    text = f"aged {age} at {at.text}"
    return FuzzyDate(text=text, edtf=check_edtf(edtf), low=low, high=high, calendar=at.calendar)


def _qualifier(approximate: bool, uncertain: bool) -> str:
    return "%" if approximate and uncertain else "~" if approximate else "?" if uncertain else ""
