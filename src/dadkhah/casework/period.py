"""A period of time to ask about ("August 1988", "1988-07/1988-09"), as Gregorian day bounds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dadkhah.dates import DateParseError, parse_date
from dadkhah.errors import InputError


@dataclass(frozen=True)
class Period:
    """Closed day bounds; ``None`` on a side means open (no bound)."""
    low: dt.date | None = None
    high: dt.date | None = None
    text: str = ""

    @classmethod
    def parse(cls, value) -> Period:
        """A period from text (any form :func:`dadkhah.dates.parse_date` reads, both calendars),
        a :class:`~dadkhah.dates.FuzzyDate`, a ``(low, high)`` pair, a Period, or ``None`` (all time)."""
        if value is None or value == "":
            return cls()
        if isinstance(value, Period):
            return value
        if isinstance(value, tuple) and len(value) == 2:
            return cls(value[0], value[1], f"{value[0] or '…'}/{value[1] or '…'}")
        if isinstance(value, str):
            try:
                value = parse_date(value)
            except DateParseError as exc:
                raise InputError(str(exc), field="period") from None
        low, high = getattr(value, "low", None), getattr(value, "high", None)
        if low is None and high is None:
            raise InputError(f"cannot use {value!r} as a period", field="period")
        return cls(low, high, getattr(value, "text", "") or "")

    @property
    def bounded(self) -> bool:
        return self.low is not None or self.high is not None

    def overlaps(self, low: dt.date | None, high: dt.date | None) -> bool:
        """Whether the span ``[low, high]`` (``None`` = unknown/open) can overlap this period."""
        if self.high is not None and low is not None and low > self.high:
            return False
        if self.low is not None and high is not None and high < self.low:
            return False
        return True

    def __str__(self) -> str:
        if self.text:
            return self.text
        if not self.bounded:
            return "all time"
        return f"{self.low or '…'} – {self.high or '…'}"


def span_of(obj, start: str, end: str | None = None) -> tuple[dt.date | None, dt.date | None]:
    """The widest day span of a record's fuzzy date(s): ``start`` (and ``end`` when given)."""
    low = getattr(obj, f"{start}_low", None)
    high = getattr(obj, f"{end or start}_high", None)
    return low, high
