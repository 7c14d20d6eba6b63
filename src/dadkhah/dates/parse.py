"""``parse_date``: free text (Jalali or Gregorian, Persian or Latin digits, partial, uncertain) → FuzzyDate.

The grammar, in the order it is tried (each piece is described in README.md):

1. open intervals with ``..`` (``../1988-09``, ``1988/..``)
2. ``between A and B`` / ``بین A و B`` / ``از A تا B``
3. ``A to B`` / ``A until B`` / ``A تا B`` / ``A – B`` / ``A - B`` (either end may be ``..`` or ``…``: open)
4. open intervals in words: ``before A``, ``after A`` (exclusive); ``until A``, ``since A`` (inclusive)
5. ``A/B`` where both sides are whole ISO-style dates or years (``1988-07/1988-09``, ``1988/1989``)
6. a single date phrase (:meth:`_Reader.point`)

``aged N at X`` (the text :func:`from_age` writes) is read as ``from_age(N, parse_date(X))``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from dadkhah.dates.calendars import (
    CALENDARS,
    GREGORIAN_YEARS,
    JALALI_MONTH_NAMES,
    JALALI_YEARS,
    YEAR_LIMITS,
    calendar_for_year,
    days_in_month,
)
from dadkhah.dates.digits import normalize_text
from dadkhah.dates.edtf_text import check_edtf
from dadkhah.dates.errors import DateParseError
from dadkhah.dates.fuzzy import FuzzyDate
from dadkhah.dates.points import Point
from dadkhah.dates.vocabulary import (
    APPROXIMATE_PREFIX,
    BETWEEN,
    FILLER_WORDS,
    GREGORIAN_MARKER,
    GREGORIAN_MONTHS,
    JALALI_MARKER,
    JALALI_MONTHS,
    OPEN_AFTER,
    OPEN_BEFORE,
    OPEN_SINCE,
    OPEN_UNTIL,
    PART_OF,
    PART_WORDS,
    QUALIFIER_SUFFIX,
    RANGE_SEPARATOR,
    SEASON_WORDS,
    UNCERTAIN_PREFIX,
)

ORDERS = ("dmy", "mdy")

_NUMERIC = re.compile(r"^\d+(?:(?P<sep>[-/.])\d+(?:(?P=sep)\d+)?)?$")
_DECADE = re.compile(r"^(?:(?P<a>\d{3,4})'?s|دهه(?:\s*ی)?\s+(?P<b>\d{3,4}))$")
_ORDINAL = re.compile(r"(?<=\d)(?:st|nd|rd|th|ام)(?=\s|,|$)")
_TOKEN = re.compile(r"\d+|[^\W\d_]+|[-/.,]|\S")
_FILLER = re.compile(r"(?<![^\W\d_])(?:" + "|".join(sorted(FILLER_WORDS, key=len, reverse=True)) + r")(?![^\W\d_])")
_SPACES = re.compile(r"\s+")
_AGED = re.compile(r"^aged\s+(?P<age>.+?)\s+at\s+(?P<at>.+)$")
_HAS_YEAR = re.compile(r"\d{3}")
_TIMESTAMP = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})[t ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?$")
_OPEN = ("..", "…")  # an open end, as EDTF writes it and as display() shows it
_WHOLE_DATE = re.compile(r"^~?\d{3,4}(?:-\d{1,2}){0,2}(?:\?|~|%)?$")


def parse_date(text: str, calendar: str | None = None, *, order: str = "dmy") -> FuzzyDate:
    """Read ``text`` as a date, a partial date, an uncertain date or an interval.

    ``calendar`` ("jalali" or "gregorian") says which calendar the text is written in; without it the calendar
    is read from month names, markers (ه.ش, AP, میلادی, AD …) or the year range (1300–1450 Jalali,
    1900–2100 Gregorian). ``order`` is how to read three numbers with the year last: "dmy" (the default,
    19/07/1988) or "mdy" (07/19/1988). Raises :class:`DateParseError` naming the text and the problem.
    """
    if not isinstance(text, str):
        raise DateParseError(text, f"expected text, got {type(text).__name__}")
    if calendar is not None and calendar not in CALENDARS:
        raise ValueError(f"calendar must be 'jalali', 'gregorian' or None, not {calendar!r}")
    if order not in ORDERS:
        raise ValueError(f"order must be 'dmy' or 'mdy', not {order!r}")
    normal = normalize_text(text)
    if not normal:
        raise DateParseError(text, "the text is empty")
    if match := _AGED.match(normal):  # the text from_age() writes, so a derived birth date reads back
        from dadkhah.dates.age import from_age

        derived = from_age(match["age"], parse_date(match["at"], calendar, order=order))
        return replace(derived, text=text)
    reader = _Reader(text, calendar, order)
    start, end = reader.span(normal)
    return reader.build(start, end)


@dataclass
class _Reader:
    text: str
    calendar: str | None
    order: str

    def fail(self, problem: str) -> DateParseError:
        return DateParseError(self.text, problem)

    # --- intervals ---------------------------------------------------------------------------------------
    def span(self, s: str) -> tuple[Point | None, Point | None]:
        """``(start, end)``; the same Point twice for a single date; None for an open end."""
        if s.startswith("../"):
            return None, self.phrase(s[3:])[1]
        if s.endswith("/.."):
            return self.phrase(s[:-3])[0], None
        if match := BETWEEN.match(s):
            return self.pair(*(g for g in match.groups() if g is not None))
        parts = RANGE_SEPARATOR.split(s)
        if len(parts) > 2:
            raise self.fail("more than one range separator (to, تا, –); write one interval")
        if len(parts) == 2:
            a, b = parts
            a = re.sub(r"^(?:from|از)\s+", "", a)
            return self.pair(a, b)
        if match := OPEN_BEFORE.match(s):
            return None, self._shifted(self.phrase(match["x"])[0], -1)
        if match := OPEN_AFTER.match(s):
            return self._shifted(self.phrase(match["x"])[1], 1), None
        if match := OPEN_UNTIL.match(s):
            return None, self.phrase(match["x"])[1]
        if match := OPEN_SINCE.match(s):
            return self.phrase(match["x"])[0], None
        if s.count("/") == 1:
            a, b = s.split("/")
            if _WHOLE_DATE.match(a.strip()) and _WHOLE_DATE.match(b.strip()):
                return self.point(a.strip()), self.point(b.strip())
        return self.phrase(s)

    def pair(self, a: str, b: str) -> tuple[Point | None, Point | None]:
        """The ends of "A to B". A start without a year borrows it from the end ("19–25 July 1988",
        "۲۸ تیر تا ۵ مرداد ۱۳۶۷", "July–August 1988"); a bare day number also borrows the month."""
        a, b = a.strip(), b.strip()
        if not a or not b:
            raise self.fail("one end of the interval is missing (use '..' for an open end)")
        if a in _OPEN and b in _OPEN:
            raise self.fail("both ends of the interval are open")
        end = None if b in _OPEN else self.phrase(b)[1]
        if a in _OPEN:
            return None, end
        if end is None or _HAS_YEAR.search(a):
            return self.phrase(a)[0], end
        if a.isdigit() and len(a) <= 2:
            if end.precision != "day":
                raise self.fail(f"the start {a!r} is a bare number but the end has no day")
            return self._valid(end.calendar, end.year, end.month, int(a)), end
        borrowed = _Reader(self.text, end.calendar, self.order)
        return borrowed.phrase(f"{a} {end.year}")[0], end

    def phrase(self, s: str) -> tuple[Point, Point]:
        """A date phrase as ``(start, end)`` points: the same point twice, or the first and last point of
        "early/mid/late X" (thirds of X, see README)."""
        s = s.strip()
        approximate = uncertain = False
        while match := APPROXIMATE_PREFIX.match(s) or UNCERTAIN_PREFIX.match(s):
            approximate = approximate or match.re is APPROXIMATE_PREFIX
            uncertain = uncertain or match.re is UNCERTAIN_PREFIX
            s = s[match.end():]
        part = PART_OF.match(s)
        if not part:
            p = self.point(s).qualified(approximate=approximate, uncertain=uncertain)
            return p, p
        which = PART_WORDS[part["part"].replace(" ", "")]
        whole = self.point(s[part.end():]).qualified(approximate=approximate, uncertain=uncertain)
        try:
            return whole.part(which)
        except ValueError as exc:
            raise self.fail(str(exc)) from None

    def _shifted(self, p: Point, n: int) -> Point:
        try:
            moved = p.shifted(n)
            moved.first_day()
        except (ValueError, OverflowError):
            raise self.fail("the date is at the edge of the calendar's range") from None
        return moved.qualified(approximate=p.approximate, uncertain=p.uncertain)

    # --- one date phrase ---------------------------------------------------------------------------------
    def point(self, s: str) -> Point:
        s = s.strip()
        if match := _TIMESTAMP.match(s):  # an ISO timestamp from a spreadsheet or database: keep the day
            s = match.group(1)
        if s in ("", ".."):
            raise self.fail("there is no date, only a qualifier" if s == "" else "'..' can only be one end")
        approximate = uncertain = False
        marker: str | None = None
        while True:
            before = s
            if match := APPROXIMATE_PREFIX.match(s):
                approximate, s = True, s[match.end():]
            if match := UNCERTAIN_PREFIX.match(s):
                uncertain, s = True, s[match.end():]
            if match := QUALIFIER_SUFFIX.search(s):
                sign = match.group(1)
                approximate = approximate or sign in ("~", "%")
                uncertain = uncertain or sign in ("?", "(?)", "%")
                s = s[:match.start()]
            for pattern, cal in ((JALALI_MARKER, "jalali"), (GREGORIAN_MARKER, "gregorian")):
                if match := pattern.search(s):
                    if marker and marker != cal:
                        raise self.fail("the text names both the Jalali and the Gregorian calendar")
                    marker, s = cal, s[:match.start()]
            s = s.strip()
            if s == before:
                break
        if not s:
            raise self.fail("there is no date, only a qualifier or calendar marker")
        s = _SPACES.sub(" ", _FILLER.sub(" ", _ORDINAL.sub("", s))).strip()
        if not s:
            raise self.fail("there is no date in it")
        point = self._decade(s, marker) or self._words(s, marker) or self._numbers(s, marker)
        return point.qualified(approximate=approximate, uncertain=uncertain)

    def _decade(self, s: str, marker: str | None) -> Point | None:
        match = _DECADE.match(re.sub(r"^the\s+", "", s))
        if not match:
            return None
        digits = match["a"] or match["b"]
        year = int(digits)
        if year % 10:
            raise self.fail(f"a decade starts at a year ending in 0, not {digits}")
        calendar = self._calendar(year, marker, None, None)
        self._check_year(calendar, year + 9)
        return Point(calendar, year, decade=True)

    def _words(self, s: str, marker: str | None) -> Point | None:
        tokens = _TOKEN.findall(s)
        words = [t for t in tokens if t[0].isalpha()]
        if not words:
            return None
        named: list[tuple[str, str, int | str]] = []  # (word, kind, value)
        for word in words:
            if word.endswith("ماه") and word[:-3] in JALALI_MONTHS:  # تیرماه
                word = word[:-3]
            if word in JALALI_MONTHS:
                named.append((word, "jalali", JALALI_MONTHS[word]))
            elif word in GREGORIAN_MONTHS:
                named.append((word, "gregorian", GREGORIAN_MONTHS[word]))
            elif word in SEASON_WORDS:
                named.append((word, "season", SEASON_WORDS[word]))
            else:
                raise self.fail(f"{word!r} is not a month, season or date word this reader knows")
        stray = [t for t in tokens if not (t[0].isalnum() or t in "-/.,")]
        if stray:
            raise self.fail(f"unexpected character {stray[0]!r}")
        if len(named) != 1:
            raise self.fail("a date names at most one month or season" if named else "there is no date in it")
        word, kind, value = named[0]
        numbers = [t for t in tokens if t.isdigit()]
        years = [n for n in numbers if len(n) >= 3]
        days = [n for n in numbers if len(n) <= 2]
        if len(years) != 1:
            raise self.fail("write the full year (e.g. 1367 or 1988)" if not years else "more than one year")
        year = int(years[0])
        if kind == "season":
            if days:
                raise self.fail(f"a season takes no day, but {days[0]!r} is given")
            calendar = self._calendar(year, marker, None, None)
            self._check_year(calendar, year + 1)
            return Point(calendar, year, season=str(value))
        if len(days) > 1:
            raise self.fail("more than one day number")
        calendar = self._calendar(year, marker, kind, word)
        day = int(days[0]) if days else None
        return self._valid(calendar, year, int(value), day)

    def _numbers(self, s: str, marker: str | None) -> Point:
        match = _NUMERIC.match(s)
        if not match:
            raise self.fail("not a date in a form this reader knows (e.g. 1367/04/28, 1988-07-19, 'July 1988')")
        groups = re.split(r"[-/.]", s)
        if any(len(g) > 4 for g in groups):
            raise self.fail("a number has more than four digits")
        long_first, long_last = len(groups[0]) >= 3, len(groups[-1]) >= 3
        if len(groups) == 1:
            if not long_first:
                raise self.fail("a year needs at least three digits (two-digit years are ambiguous)")
            year, month, day = int(groups[0]), None, None
        elif long_first:
            year, month = int(groups[0]), int(groups[1])
            day = int(groups[2]) if len(groups) == 3 else None
        elif long_last:
            year = int(groups[-1])
            if len(groups) == 2:
                month, day = int(groups[0]), None
            else:
                day, month = (int(groups[0]), int(groups[1])) if self.order == "dmy" else \
                    (int(groups[1]), int(groups[0]))
                if not 1 <= month <= 12 and 1 <= day <= 12:
                    swap = "07/19/1988 → order='mdy'" if self.order == "dmy" else "19/07/1988 → order='dmy'"
                    raise self.fail(
                        f"{month} is not a month: with the year last the order is read as {self.order.upper()}; "
                        f"write the date year first (1988-07-19) or pass the other order ({swap})")
        else:
            raise self.fail("no four-digit year (two-digit years are ambiguous)")
        calendar = self._calendar(year, marker, None, None)
        return self._valid(calendar, year, month, day)

    # --- calendar and validity ---------------------------------------------------------------------------
    def _calendar(self, year: int, marker: str | None, name_calendar: str | None, word: str | None) -> str:
        named = {"argument": self.calendar, "marker": marker, "month name": name_calendar}
        given = {how: cal for how, cal in named.items() if cal}
        if len(set(given.values())) > 1:
            said = ", ".join(f"{how} says {cal}" for how, cal in given.items())
            raise self.fail(f"conflicting calendars: {said}")
        by_year = calendar_for_year(year)
        calendar: str
        if self.calendar or marker:
            calendar = str(self.calendar or marker)
        elif name_calendar:
            if by_year != name_calendar:
                raise self.fail(
                    f"{word!r} is a {name_calendar.title()} month but {year} is not a {name_calendar.title()} "
                    f"year in the usual range; pass calendar='{name_calendar}' if that is meant")
            calendar = str(name_calendar)
        elif by_year is None:
            raise self.fail(
                f"cannot tell the calendar from the year {year}: years {JALALI_YEARS.start}–{JALALI_YEARS.stop - 1} "
                f"are read as Jalali and {GREGORIAN_YEARS.start}–{GREGORIAN_YEARS.stop - 1} as Gregorian; "
                "pass calendar='jalali' or calendar='gregorian'")
        else:
            calendar = by_year
        self._check_year(calendar, year)
        return calendar

    def _check_year(self, calendar: str, year: int) -> None:
        low, high = YEAR_LIMITS[calendar]
        if not low <= year <= high - 1:  # keep one spare year so widened bounds and winters stay in range
            raise self.fail(f"year {year} is outside the {calendar.title()} range this package handles")

    def _valid(self, calendar: str, year: int, month: int | None, day: int | None) -> Point:
        if month is not None and not 1 <= month <= 12:
            raise self.fail(f"month {month} is not between 1 and 12")
        if day is not None:
            if month is None:
                raise self.fail("a day needs a month")
            length = days_in_month(calendar, year, month)
            if not 1 <= day <= length:
                name = (JALALI_MONTH_NAMES[month - 1] if calendar == "jalali"
                        else dt.date(2000, month, 1).strftime("%B"))
                raise self.fail(f"day {day} does not exist: {name} {year} has {length} days")
        return Point(calendar, year, month, day)

    # --- result ------------------------------------------------------------------------------------------
    def build(self, start: Point | None, end: Point | None) -> FuzzyDate:
        if start is not None and start is end:
            edtf, calendar = start.edtf(), start.calendar
        else:
            if start and end and start.calendar != end.calendar:
                raise self.fail("the two ends of the interval are in different calendars")
            if start and end and start.first_day() > end.last_day():
                raise self.fail("the interval ends before it starts")
            edtf = (f"{start.edtf_start()}{start.qualifier}" if start else "..") + "/" + \
                   (f"{end.edtf_end()}{end.qualifier}" if end else "..")
            either = start or end
            if either is None:
                raise self.fail("there is no date in it")
            calendar = either.calendar
        low = start.low() if start else dt.date.min
        high = end.high() if end else dt.date.max
        return FuzzyDate(text=self.text, edtf=check_edtf(edtf), low=low, high=high, calendar=calendar)
