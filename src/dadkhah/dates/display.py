"""Labels for people: a FuzzyDate in the Jalali calendar, the Gregorian calendar or both.

Everything is derived from ``edtf`` (and ``calendar``), so a FuzzyDate rebuilt from stored columns shows the
same as the one :func:`parse_date` returned. The Jalali label is written at the coarsest precision its days
fill exactly: a whole Jalali year shows as ``1367``, a whole month as ``1367/05``, anything else by day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dadkhah.dates.calendars import days_in_month, gregorian_to_jalali
from dadkhah.dates.digits import to_persian_digits
from dadkhah.dates.edtf_text import EdtfEnd, read_edtf

SEPARATOR = " – "
OPEN = "…"


@dataclass(frozen=True)
class _Words:
    approximate: str   # prefix
    uncertain: str     # suffix
    decade: str        # format with {year}


LATIN = _Words(approximate="c. ", uncertain="?", decade="{year}s")
PERSIAN = _Words(approximate="حدود ", uncertain="؟", decade="دهه {year}")


def display(fd, calendar: str = "both", digits: str = "latin") -> str:
    """See :meth:`FuzzyDate.display`."""
    if calendar not in ("both", "jalali", "gregorian"):
        raise ValueError(f"calendar must be 'both', 'jalali' or 'gregorian', not {calendar!r}")
    if digits not in ("latin", "persian"):
        raise ValueError(f"digits must be 'latin' or 'persian', not {digits!r}")
    words = PERSIAN if digits == "persian" else LATIN
    try:
        start, end = read_edtf(fd.edtf)
    except ValueError:  # EDTF written elsewhere: show it as it is, and the bounds in Jalali
        start = end = None
        gregorian = fd.edtf
        jalali = _jalali_days(fd.low, fd.high)
    else:
        gregorian = _gregorian_label(start, end, words)
        jalali = _jalali_label(start, end, words)
    if jalali is None:  # before the Jalali calendar's first year
        jalali = gregorian
    labels = {"gregorian": gregorian, "jalali": jalali}
    if calendar == "both":
        other = "gregorian" if fd.calendar == "jalali" else "jalali"
        text = labels[fd.calendar] if labels[other] == labels[fd.calendar] \
            else f"{labels[fd.calendar]} ({labels[other]})"
    else:
        text = labels[calendar]
    return to_persian_digits(text) if digits == "persian" else text


def _mark(label: str, qualifier: str, words: _Words) -> str:
    if qualifier in ("~", "%"):
        label = words.approximate + label
    if qualifier in ("?", "%"):
        label = label + words.uncertain
    return label


def _gregorian_label(start: EdtfEnd | None, end: EdtfEnd | None, words: _Words) -> str:
    def one(e: EdtfEnd | None) -> str:
        if e is None:
            return OPEN
        text = words.decade.format(year=f"{e.first.year:04d}") if e.precision == "decade" else e.text
        return _mark(text, e.qualifier, words)

    return one(start) if start is end else one(start) + SEPARATOR + one(end)


def _jalali_label(start: EdtfEnd | None, end: EdtfEnd | None, words: _Words) -> str | None:
    try:
        first = gregorian_to_jalali(start.first) if start else None
        last = gregorian_to_jalali(end.last) if end else None
    except ValueError:
        return None
    if first and last and start and end:
        precision = _joint_precision(first, last)
        single = _single(first, last, precision, words)
        if single is not None and start.qualifier == end.qualifier:
            return _mark(single, start.qualifier, words)
        return (_mark(_jalali(first, precision), start.qualifier, words) + SEPARATOR
                + _mark(_jalali(last, precision), end.qualifier, words))
    if first and start:
        return _mark(_jalali(first, _side_precision(first, at_start=True)), start.qualifier, words) + SEPARATOR + OPEN
    if last is None or end is None:
        return None
    return OPEN + SEPARATOR + _mark(_jalali(last, _side_precision(last, at_start=False)), end.qualifier, words)


def _jalali_days(low: dt.date, high: dt.date) -> str | None:
    try:
        first, last = gregorian_to_jalali(low), gregorian_to_jalali(high)
    except ValueError:
        return None
    return _jalali(first, "day") if first == last else _jalali(first, "day") + SEPARATOR + _jalali(last, "day")


def _starts(j: tuple[int, int, int], unit: str) -> bool:
    return j[2] == 1 and (unit == "month" or j[1] == 1)


def _ends(j: tuple[int, int, int], unit: str) -> bool:
    return j[2] == days_in_month("jalali", j[0], j[1]) and (unit == "month" or j[1] == 12)


def _joint_precision(first, last) -> str:
    for unit in ("year", "month"):
        if _starts(first, unit) and _ends(last, unit):
            return unit
    return "day"


def _side_precision(j, *, at_start: bool) -> str:
    test = _starts if at_start else _ends
    for unit in ("year", "month"):
        if test(j, unit):
            return unit
    return "day"


def _single(first, last, precision: str, words: _Words) -> str | None:
    """The label when the days form one Jalali day, month, year or decade; else None."""
    if precision == "day" and first == last:
        return _jalali(first, "day")
    if precision == "month" and first[:2] == last[:2]:
        return _jalali(first, "month")
    if precision == "year":
        if first[0] == last[0]:
            return _jalali(first, "year")
        if first[0] % 10 == 0 and last[0] == first[0] + 9:
            return words.decade.format(year=f"{first[0]:04d}")
    return None


def _jalali(j: tuple[int, int, int], precision: str) -> str:
    y, m, d = j
    return {"year": f"{y:04d}", "month": f"{y:04d}/{m:02d}", "day": f"{y:04d}/{m:02d}/{d:02d}"}[precision]
