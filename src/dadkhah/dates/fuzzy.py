"""FuzzyDate: what a date text means, as EDTF plus the earliest and latest Gregorian day it can mean."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dadkhah.dates.calendars import CALENDARS
from dadkhah.dates.edtf_text import is_valid_edtf, read_edtf
from dadkhah.dates.errors import DateParseError

FIELDS = ("text", "edtf", "low", "high", "calendar")


@dataclass(frozen=True)
class FuzzyDate:
    """A partial, uncertain or exact date, or an interval.

    ``text`` is the original text exactly as given; ``edtf`` its meaning in EDTF (Gregorian); ``low`` and
    ``high`` the earliest and latest Gregorian day it can mean (approximate/uncertain dates are widened, open
    ends are ``date.min``/``date.max``); ``calendar`` the calendar the text was written in.
    """

    text: str
    edtf: str
    low: dt.date
    high: dt.date
    calendar: str

    def __post_init__(self) -> None:
        problem = None
        if not isinstance(self.text, str) or not isinstance(self.edtf, str) or not self.edtf:
            problem = "text and edtf must be non-empty strings"
        elif not all(isinstance(d, dt.date) and not isinstance(d, dt.datetime) for d in (self.low, self.high)):
            problem = "low and high must be datetime.date values"
        elif self.low > self.high:
            problem = f"low {self.low.isoformat()} is after high {self.high.isoformat()}"
        elif self.calendar not in CALENDARS:
            problem = f"calendar must be 'jalali' or 'gregorian', not {self.calendar!r}"
        if problem:
            raise DateParseError(self.text, problem, what="fuzzy date")

    # --- questions -----------------------------------------------------------------------------------------
    @property
    def approximate(self) -> bool:
        """Whether any end is marked approximate (``~`` or ``%``)."""
        return "~" in self.edtf or "%" in self.edtf

    @property
    def uncertain(self) -> bool:
        """Whether any end is marked uncertain (``?`` or ``%``)."""
        return "?" in self.edtf or "%" in self.edtf

    @property
    def is_exact_day(self) -> bool:
        """Whether it names one known day (no qualifier, no range)."""
        return self.low == self.high

    def overlaps(self, other: FuzzyDate) -> bool:
        """Whether the two could be the same day: their ``low``–``high`` ranges share at least one day."""
        return self.low <= other.high and other.low <= self.high

    def contains(self, day: dt.date) -> bool:
        """Whether ``day`` lies within ``low``–``high``."""
        return self.low <= day <= self.high

    # --- showing -------------------------------------------------------------------------------------------
    def display(self, calendar: str = "both", digits: str = "latin") -> str:
        """A label for people: ``"1367/04/28 (1988-07-19)"``. ``calendar`` is "both" (the written calendar
        first, the other in brackets), "jalali" or "gregorian"; ``digits`` is "latin" or "persian". Partial dates
        show at their precision, approximate ones with "c." (حدود), uncertain ones with "?" (؟)."""
        from dadkhah.dates.display import display

        return display(self, calendar=calendar, digits=digits)

    def __str__(self) -> str:
        return self.display()

    # --- plain data ----------------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        """``{"text", "edtf", "low", "high", "calendar"}`` with ISO date strings."""
        return {"text": self.text, "edtf": self.edtf, "low": self.low.isoformat(), "high": self.high.isoformat(),
                "calendar": self.calendar}

    @classmethod
    def from_dict(cls, data: dict) -> FuzzyDate:
        """The inverse of :meth:`to_dict`; :class:`DateParseError` for missing fields, bad dates or bad EDTF."""
        if not isinstance(data, dict):
            raise DateParseError(data, "expected a dict", what="fuzzy date")
        missing = [f for f in FIELDS if data.get(f) in (None, "")]
        if missing:
            raise DateParseError(data.get("text", data), f"missing {', '.join(missing)}", what="fuzzy date")
        try:
            low, high = (d if isinstance(d, dt.date) else dt.date.fromisoformat(d)
                         for d in (data["low"], data["high"]))
        except (TypeError, ValueError):
            raise DateParseError(data["text"], f"low/high are not ISO dates: {data['low']!r}, {data['high']!r}",
                                 what="fuzzy date") from None
        edtf = data["edtf"]
        if not _is_edtf(edtf):
            raise DateParseError(data["text"], f"{edtf!r} is not valid EDTF", what="fuzzy date")
        return cls(text=data["text"], edtf=edtf, low=low, high=high, calendar=data["calendar"])


def _is_edtf(text: object) -> bool:
    if not isinstance(text, str):
        return False
    try:
        read_edtf(text)  # the part of EDTF this package writes: checked quickly
        return True
    except ValueError:
        return is_valid_edtf(text)
