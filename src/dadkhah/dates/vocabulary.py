"""Words the date grammar understands, written as data. Keys are in the form :func:`normalize_text` produces
(lower case, Persian letter forms, no diacritics)."""

from __future__ import annotations

import re

from dadkhah.dates.digits import normalize_text


def _table(rows: dict[int, str]) -> dict[str, int]:
    return {normalize_text(word): number for number, words in rows.items() for word in words.split()}


#: Jalali month names in Persian script and common Latin transliterations.
JALALI_MONTHS = _table({
    1: "فروردین farvardin farvardeen",
    2: "اردیبهشت ordibehesht ardibehesht",
    3: "خرداد khordad khordaad xordad",
    4: "تیر tir",
    5: "مرداد امرداد mordad amordad mordaad",
    6: "شهریور shahrivar sharivar",
    7: "مهر mehr",
    8: "آبان ابان aban aabaan",
    9: "آذر اذر azar aazar adhar",
    10: "دی dey dei",
    11: "بهمن bahman",
    12: "اسفند esfand isfand",
})

#: Gregorian month names in English (full and abbreviated) and in Persian script.
GREGORIAN_MONTHS = _table({
    1: "january jan ژانویه ژانویهٔ",
    2: "february feb فوریه",
    3: "march mar مارس",
    4: "april apr آوریل اوریل",
    5: "may مه می",
    6: "june jun ژوئن",
    7: "july jul ژوئیه جولای",
    8: "august aug اوت آگوست",
    9: "september sep sept سپتامبر",
    10: "october oct اکتبر",
    11: "november nov نوامبر",
    12: "december dec دسامبر",
})

SEASONS = ("spring", "summer", "autumn", "winter")
#: Season words in either language; the calendar of a season comes from its year (see README).
SEASON_WORDS = {normalize_text(w): s for s, words in {
    "spring": "spring بهار", "summer": "summer تابستان", "autumn": "autumn fall پاییز پائیز",
    "winter": "winter زمستان"}.items() for w in words.split()}

#: Words that carry no information in a date ("28 of Tir", "تیر ماه", "سال ۱۳۶۷", "in 1988").
FILLER_WORDS = frozenset({"of", "the", "year", "in", "on", "ماه", "سال", "روز", "در"})

# --- qualifiers ------------------------------------------------------------------------------------------
_BOUNDARY = r"(?=[\s\d~?]|$)"
APPROXIMATE_PREFIX = re.compile(
    r"^(?:~|(?:circa|approximately|approx\.?|around|about|roughly|ca\.?|c\.?|(?:در\s+)?(?:حدودا|حدود)"
    r"|تقریبا|حوالی)" + _BOUNDARY + r")\s*")
UNCERTAIN_PREFIX = re.compile(r"^(?:probably|possibly|perhaps|likely|احتمالا|شاید)" + _BOUNDARY + r"\s*")
QUALIFIER_SUFFIX = re.compile(r"\s*(\(\?\)|\?|~|%)$")

# --- calendar markers (trailing): ه.ش / شمسی / AP / SH → Jalali; م / میلادی / AD / CE → Gregorian -----------
_AFTER_NUMBER = r"(?<=[\d\s.])"
JALALI_MARKER = re.compile(
    _AFTER_NUMBER + r"\s*(?:هجری\s+(?:شمسی|خورشیدی)|ه\s*\.?\s*ش\.?|شمسی|خورشیدی|ش|a\.?p\.?|s\.?h\.?|solar\s+hijri)$")
GREGORIAN_MARKER = re.compile(_AFTER_NUMBER + r"\s*(?:میلادی|م|a\.?d\.?|c\.?e\.?)$")

# --- intervals -------------------------------------------------------------------------------------------
#: "between A and Y" / "بین A و B" / "از A تا B"
BETWEEN = re.compile(r"^(?:between\s+(?P<a>.+?)\s+and\s+(?P<b>.+)|(?:بین|میان)\s+(?P<c>.+?)\s+و\s+(?P<d>.+)"
                     r"|از\s+(?P<e>.+?)\s+تا\s+(?P<f>.+))$")
#: "A to B", "A until B", "A تا B", "A – B", "A - B"; a bare hyphen only next to a word ("July-August 1988")
RANGE_SEPARATOR = re.compile(r"\s+(?:to|until|till|through|thru|تا)\s+|\s*[–—]\s*|\s+-\s+"
                             r"|(?<!\bmid)(?<=[^\W\d_])-(?=[^\W\d_])")
#: Open intervals written in words. Strict forms ("before", "after") exclude the date named.
OPEN_BEFORE = re.compile(r"^(?:before|prior\s+to|قبل\s+از|پیش\s+از)\s+(?P<x>.+)$")
OPEN_UNTIL = re.compile(r"^(?:until|till|by|up\s+to|تا)\s+(?P<x>.+)$")
OPEN_AFTER = re.compile(r"^(?:after|بعد\s+از|پس\s+از)\s+(?P<x>.+)$")
OPEN_SINCE = re.compile(r"^(?:since|from|از)\s+(?P<x>.+)$")

#: "early/mid/late X": the first, middle or last third of a year, month or decade (see README).
PART_WORDS = {normalize_text(w).replace(" ", ""): part for part, words in {
    "early": ["early", "beginning of", "start of", "اوایل", "اوائل", "ابتدای"],
    "mid": ["mid", "mid-", "middle of", "اواسط", "میانه"],
    "late": ["late", "end of", "اواخر", "انتهای"]}.items() for w in words}
PART_OF = re.compile(r"^(?P<part>early|mid|middle\s+of|late|beginning\s+of|start\s+of|end\s+of"
                     r"|اوایل|اوائل|ابتدای|اواسط|میانه|اواخر|انتهای)(?:\s*-\s*|\s+)")
