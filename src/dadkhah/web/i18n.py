"""The interface in English and Persian: a message catalogue kept as data (``messages.yaml``),
the choice of language and calendar for a request, and Persian digits.

    >>> translate("nav.search", "fa")
    'جستجو'
"""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

LANGS = ("en", "fa")
CALENDARS = ("jalali", "gregorian")
RTL = {"fa"}
CATALOGUE = Path(__file__).parent / "messages.yaml"
_FA_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
_TO_ASCII_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


@functools.cache
def catalogue() -> dict[str, dict[str, str]]:
    data = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8")) or {}
    return {str(k): v for k, v in data.items()}


def translate(key: str, lang: str = "en", **values) -> str:
    """The message ``key`` in ``lang`` (English when no translation), with ``{name}`` placeholders filled."""
    entry = catalogue().get(key)
    if entry is None:
        text = key
    else:
        text = entry.get(lang) or entry.get("en") or key
    if values:
        if lang == "fa":
            values = {k: (to_persian_digits(v) if isinstance(v, int) else v) for k, v in values.items()}
        try:
            text = text.format(**values)
        except (KeyError, IndexError, ValueError):
            pass
    return text


def to_persian_digits(value) -> str:
    return str(value).translate(_FA_DIGITS)


def to_ascii_digits(value: str) -> str:
    """Persian and Arabic-Indic digits typed into a form, read as ASCII digits."""
    return value.translate(_TO_ASCII_DIGITS) if isinstance(value, str) else value


def number(value, lang: str) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = f"{value:,}" if isinstance(value, (int, float)) else str(value)
    if lang == "fa":  # Persian separators: ٬ between thousands, ٫ before decimals
        return text.replace(",", "٬").replace(".", "٫").translate(_FA_DIGITS)
    return text


def percent(value, lang: str, decimals: int = 1) -> str:
    """A share (0–1) as a percentage in the reader's script: "92.7%", "۹۲٫۷٪"."""
    if value is None:
        return ""
    text = number(round(float(value) * 100, decimals), lang)
    return f"{text}٪" if lang == "fa" else f"{text}%"


def pick_lang(query: str | None, cookie: str | None, preferred: str | None, accept: str | None) -> str:
    for candidate in (query, cookie, preferred):
        if candidate in LANGS:
            return candidate
    for part in (accept or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGS:
            return code
    return "en"


def pick_calendar(query: str | None, cookie: str | None, preferred: str | None, lang: str) -> str:
    for candidate in (query, cookie, preferred):
        if candidate in CALENDARS:
            return candidate
    return "jalali" if lang == "fa" else "gregorian"


def direction(lang: str) -> str:
    return "rtl" if lang in RTL else "ltr"
