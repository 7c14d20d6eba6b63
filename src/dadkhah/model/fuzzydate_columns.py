"""Columns for a partial or uncertain date: original text, EDTF, and Gregorian low/high bounds.

``fuzzy_date("date")`` returns a mixin adding ``date_text``, ``date_edtf``, ``date_low``, ``date_high``
and ``date_calendar`` columns plus a ``date`` property that reads and writes a
:class:`dadkhah.dates.FuzzyDate` (or accepts a string, which is parsed).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, String
from sqlalchemy.orm import mapped_column


def _getter(prefix: str):
    def get(self):
        text = getattr(self, f"{prefix}_text")
        if text is None:
            return None
        from dadkhah.dates import FuzzyDate

        return FuzzyDate(
            text=text,
            edtf=getattr(self, f"{prefix}_edtf"),
            low=getattr(self, f"{prefix}_low"),
            high=getattr(self, f"{prefix}_high"),
            calendar=getattr(self, f"{prefix}_calendar"),
        )

    return get


def _setter(prefix: str):
    def set_(self, value):
        if value is None or value == "":
            for part in ("text", "edtf", "low", "high", "calendar"):
                setattr(self, f"{prefix}_{part}", None)
            return
        if isinstance(value, str):
            from dadkhah.dates import parse_date

            value = parse_date(value)
        if isinstance(value, dict):
            from dadkhah.dates import FuzzyDate

            value = FuzzyDate.from_dict(value)
        setattr(self, f"{prefix}_text", value.text)
        setattr(self, f"{prefix}_edtf", value.edtf)
        setattr(self, f"{prefix}_low", value.low)
        setattr(self, f"{prefix}_high", value.high)
        setattr(self, f"{prefix}_calendar", value.calendar)

    return set_


def fuzzy_date(prefix: str) -> type:
    """A declarative mixin holding one fuzzy date under ``prefix``."""
    attrs = {
        f"{prefix}_text": mapped_column(String(200), nullable=True),
        f"{prefix}_edtf": mapped_column(String(100), nullable=True),
        f"{prefix}_low": mapped_column(Date, nullable=True, index=False),
        f"{prefix}_high": mapped_column(Date, nullable=True, index=False),
        f"{prefix}_calendar": mapped_column(String(10), nullable=True),
        prefix: property(_getter(prefix), _setter(prefix), doc=f"The {prefix} as a FuzzyDate."),
    }
    return type(f"FuzzyDate_{prefix}", (), attrs)


DATE_PARTS = ("text", "edtf", "low", "high", "calendar")


def date_bounds(obj, prefix: str) -> tuple[dt.date | None, dt.date | None]:
    return getattr(obj, f"{prefix}_low"), getattr(obj, f"{prefix}_high")
