"""One date as written, at its own precision and in its own calendar, before it becomes EDTF and bounds.

A :class:`Point` is what a single date phrase means ("1367/05", "summer 1988", "c. 1980s"). An interval is two
points (or one point and an open end). The Point knows its Gregorian first and last day, how far an
"approximately"/"uncertain" qualifier widens it, and how to write its ends in EDTF.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from dadkhah.dates.calendars import (
    add_months,
    days_in_month,
    from_gregorian,
    month_first_day,
    month_last_day,
    to_gregorian,
)

#: Fixed Gregorian season bounds (month, day) — Northern Hemisphere, astronomical seasons rounded to whole days.
#: Winter starts in December of the year named and ends in March of the next.
GREGORIAN_SEASONS = {
    "spring": ((3, 21), (6, 20)),
    "summer": ((6, 21), (9, 22)),
    "autumn": ((9, 23), (12, 21)),
    "winter": ((12, 22), (3, 20)),
}
SEASON_ORDER = ("spring", "summer", "autumn", "winter")

PRECISIONS = ("day", "month", "season", "year", "decade")


@dataclass(frozen=True)
class Point:
    """One date phrase. ``month`` and ``season`` are mutually exclusive; ``day`` needs ``month``;
    ``decade`` means the ten years starting at ``year``."""

    calendar: str
    year: int
    month: int | None = None
    day: int | None = None
    season: str | None = None
    decade: bool = False
    approximate: bool = False
    uncertain: bool = False

    @property
    def precision(self) -> str:
        if self.day is not None:
            return "day"
        if self.month is not None:
            return "month"
        if self.season is not None:
            return "season"
        return "decade" if self.decade else "year"

    @property
    def qualifier(self) -> str:
        """The EDTF qualification suffix: ``%`` for both, ``~`` approximate, ``?`` uncertain, else empty."""
        if self.approximate and self.uncertain:
            return "%"
        return "~" if self.approximate else "?" if self.uncertain else ""

    def qualified(self, *, approximate: bool = False, uncertain: bool = False) -> Point:
        return replace(self, approximate=self.approximate or approximate, uncertain=self.uncertain or uncertain)

    # --- bounds ----------------------------------------------------------------------------------------
    def first_day(self) -> dt.date:
        """The earliest Gregorian day the phrase names (ignoring qualifiers)."""
        c, y, month, day, season = self.calendar, self.year, self.month or 1, self.day or 1, self.season or ""
        match self.precision:
            case "day":
                return to_gregorian(c, y, month, day)
            case "month":
                return month_first_day(c, y, month)
            case "season":
                if c == "jalali":
                    return month_first_day(c, y, SEASON_ORDER.index(season) * 3 + 1)
                (m, d), _ = GREGORIAN_SEASONS[season]
                return dt.date(y, m, d)
            case _:
                return to_gregorian(c, y, 1, 1)

    def last_day(self) -> dt.date:
        """The latest Gregorian day the phrase names (ignoring qualifiers)."""
        c, y, month, season = self.calendar, self.year, self.month or 12, self.season or ""
        match self.precision:
            case "day":
                return self.first_day()
            case "month":
                return month_last_day(c, y, month)
            case "season":
                if c == "jalali":
                    return month_last_day(c, y, SEASON_ORDER.index(season) * 3 + 3)
                _, (m, d) = GREGORIAN_SEASONS[season]
                return dt.date(y + 1 if self.season == "winter" else y, m, d)
            case "decade":
                return to_gregorian(c, y + 9, 12, days_in_month(c, y + 9, 12))
            case _:
                return to_gregorian(c, y, 12, days_in_month(c, y, 12))

    def shifted(self, n: int) -> Point:
        """The phrase ``n`` units of its own precision later (earlier when negative), without qualifiers."""
        plain = replace(self, approximate=False, uncertain=False)
        match self.precision:
            case "day":
                y, m, d = from_gregorian(self.calendar, self.first_day() + dt.timedelta(days=n))
                return replace(plain, year=y, month=m, day=d)
            case "month":
                y, m = add_months(self.year, self.month or 1, n)
                return replace(plain, year=y, month=m)
            case "season":
                index = self.year * 4 + SEASON_ORDER.index(self.season) + n
                return replace(plain, year=index // 4, season=SEASON_ORDER[index % 4])
            case "decade":
                return replace(plain, year=self.year + 10 * n)
            case _:
                return replace(plain, year=self.year + n)

    def margin(self) -> int:
        """How many units of its precision a qualifier widens the phrase by: 1, or 2 when both."""
        return (1 if self.approximate else 0) + (1 if self.uncertain else 0)

    def low(self) -> dt.date:
        """Earliest possible day: :meth:`first_day`, moved :meth:`margin` units earlier."""
        return _clamped(lambda: self.shifted(-self.margin()).first_day(), dt.date.min) if self.margin() \
            else self.first_day()

    def high(self) -> dt.date:
        """Latest possible day: :meth:`last_day`, moved :meth:`margin` units later."""
        return _clamped(lambda: self.shifted(self.margin()).last_day(), dt.date.max) if self.margin() \
            else self.last_day()

    def part(self, which: str) -> tuple[Point, Point]:
        """The first and last point of the "early", "mid" or "late" third of this phrase: months 1–4, 5–8,
        9–12 of a year; days 1–10, 11–20, 21–end of a month; years 0–3, 4–6, 7–9 of a decade; the first,
        second or third month of a Jalali season; a third of the days of a Gregorian season."""
        if self.precision == "day":
            raise ValueError("early/mid/late needs a year, season, month or decade, not a single day")
        k = ("early", "mid", "late").index(which)
        plain = replace(self, season=None, decade=False)
        match self.precision:
            case "year":
                return replace(self, month=4 * k + 1), replace(self, month=4 * k + 4)
            case "month":
                last = (10, 20, days_in_month(self.calendar, self.year, self.month or 1))[k]
                return replace(self, day=10 * k + 1), replace(self, day=last)
            case "decade":
                a, b = ((0, 3), (4, 6), (7, 9))[k]
                return replace(plain, year=self.year + a), replace(plain, year=self.year + b)
        if self.calendar == "jalali":
            month = SEASON_ORDER.index(self.season) * 3 + 1 + k
            return replace(plain, month=month), replace(plain, month=month)
        first, length = self.first_day(), (self.last_day() - self.first_day()).days + 1
        lo = first + dt.timedelta(days=length * k // 3)
        hi = first + dt.timedelta(days=length * (k + 1) // 3 - 1)
        return (replace(plain, year=lo.year, month=lo.month, day=lo.day),
                replace(plain, year=hi.year, month=hi.month, day=hi.day))

    # --- EDTF ------------------------------------------------------------------------------------------
    def edtf_start(self) -> str:
        """The EDTF for the start of this phrase (Gregorian), without qualifier."""
        return self._edtf_end(first=True)

    def edtf_end(self) -> str:
        """The EDTF for the end of this phrase (Gregorian), without qualifier."""
        return self._edtf_end(first=False)

    def _edtf_end(self, *, first: bool) -> str:
        if self.calendar == "gregorian":
            match self.precision:
                case "day":
                    return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
                case "month":
                    return f"{self.year:04d}-{self.month:02d}"
                case "year":
                    return f"{self.year:04d}"
                case "decade":
                    return f"{self.year:04d}" if first else f"{self.year + 9:04d}"
        return (self.first_day() if first else self.last_day()).isoformat()

    def edtf(self) -> str:
        """The EDTF for this phrase alone: a single date where EDTF can say it, else an interval of days."""
        q = self.qualifier
        if self.calendar == "gregorian" and self.precision == "decade":
            return f"{self.year // 10:03d}X{q}"
        start, end = self.edtf_start(), self.edtf_end()
        return f"{start}{q}" if start == end else f"{start}{q}/{end}{q}"


def _clamped(compute, limit: dt.date) -> dt.date:
    try:
        return compute()
    except (ValueError, OverflowError):
        return limit
