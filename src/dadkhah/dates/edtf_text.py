"""EDTF strings: checking the ones we write (with the :mod:`edtf` package) and reading them back for display.

We only ever write a small part of EDTF (level 0 and 1): ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``, ``YYYX``
(a decade), each optionally followed by ``?``, ``~`` or ``%``, and intervals of two such ends where either
end may be ``..`` (open). :func:`read_edtf` reads exactly that part.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from edtf import parse_edtf

_END = re.compile(r"^(?:(?P<decade>\d{3})X|(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?)?)(?P<q>[?~%]?)$")


@lru_cache(maxsize=4096)
def is_valid_edtf(text: str) -> bool:
    """Whether the :mod:`edtf` package accepts ``text`` as EDTF."""
    try:
        parse_edtf(text)
    except Exception:  # noqa: BLE001 - the package raises its own and pyparsing's errors
        return False
    return True


_DIGIT = re.compile(r"\d")
_SHAPES_CHECKED: set[str] = set()


def check_edtf(text: str) -> str:
    """``text`` itself, or ValueError (a bug in this package) when it is not valid EDTF.

    Every string is read by :func:`read_edtf` (the small part of EDTF this package writes, with real calendar
    days); the :mod:`edtf` package then confirms each *shape* (the string with its digits masked, e.g.
    ``9999-99-99~/9999-99-99~``) the first time it is seen. The package's parser takes 5–10 ms a string, which
    would dominate bulk imports; its verdict on this subset depends only on the shape once the days are real.
    """
    try:
        read_edtf(text)
    except ValueError as exc:
        raise ValueError(f"internal error: produced EDTF outside the supported part: {exc}") from None
    shape = _DIGIT.sub("9", text)
    if shape not in _SHAPES_CHECKED:
        if not is_valid_edtf(text):
            raise ValueError(f"internal error: produced invalid EDTF {text!r}")
        _SHAPES_CHECKED.add(shape)
    return text


@dataclass(frozen=True)
class EdtfEnd:
    """One end of an EDTF date or interval: the Gregorian days it covers, its written precision, qualifier."""

    text: str            # as written, without the qualifier: "1988-07"
    precision: str       # "day" | "month" | "year" | "decade"
    first: dt.date
    last: dt.date
    qualifier: str       # "", "?", "~" or "%"

    @property
    def approximate(self) -> bool:
        return self.qualifier in ("~", "%")

    @property
    def uncertain(self) -> bool:
        return self.qualifier in ("?", "%")


def _read_end(text: str) -> EdtfEnd:
    match = _END.match(text)
    if not match:
        raise ValueError(f"not a date this package writes: {text!r}")
    q = match["q"]
    if match["decade"]:
        y = int(match["decade"]) * 10
        return EdtfEnd(f"{y}s", "decade", dt.date(y, 1, 1), dt.date(y + 9, 12, 31), q)
    y = int(match["y"])
    if match["d"]:
        day = dt.date(y, int(match["m"]), int(match["d"]))
        return EdtfEnd(day.isoformat(), "day", day, day, q)
    if match["m"]:
        m = int(match["m"])
        first = dt.date(y, m, 1)
        last = (dt.date(y + 1, 1, 1) if m == 12 else dt.date(y, m + 1, 1)) - dt.timedelta(days=1)
        return EdtfEnd(f"{y:04d}-{m:02d}", "month", first, last, q)
    return EdtfEnd(f"{y:04d}", "year", dt.date(y, 1, 1), dt.date(y, 12, 31), q)


def read_edtf(text: str) -> tuple[EdtfEnd | None, EdtfEnd | None]:
    """``(start, end)`` of an EDTF string this package writes; ``None`` for an open end (``..``).
    A single date gives the same end twice. ValueError for anything else."""
    parts = text.split("/")
    if len(parts) == 1:
        one = _read_end(parts[0])
        return one, one
    if len(parts) != 2:
        raise ValueError(f"not a date this package writes: {text!r}")
    start, end = (None if p == ".." else _read_end(p) for p in parts)
    if start is None and end is None:
        raise ValueError(f"both ends are open: {text!r}")
    return start, end
