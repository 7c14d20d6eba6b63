"""Digits and letters: Persian (۰–۹) and Arabic-Indic (٠–٩) digits, Arabic letter variants, invisible marks."""

from __future__ import annotations

import re

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
LATIN_DIGITS = "0123456789"

_TO_LATIN = str.maketrans(PERSIAN_DIGITS + ARABIC_INDIC_DIGITS, LATIN_DIGITS * 2)
_TO_PERSIAN = str.maketrans(LATIN_DIGITS, PERSIAN_DIGITS)

# Letters and punctuation that vary between Arabic and Persian keyboards, plus marks that carry no meaning here.
_LETTERS = str.maketrans({
    "ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "ۀ": "ه", "أ": "ا", "إ": "ا",
    "،": ",", "؟": "?", "٫": "/", "؍": "/", "−": "-", "‐": "-", "‑": "-",
    "\u200c": " ", "\u00a0": " ", "\u200d": None, "\u200f": None, "\u200e": None, "\u061c": None, "\u0640": None,
    "\u202a": None, "\u202b": None, "\u202c": None, "\u202d": None, "\u202e": None,
})
_DIACRITICS = re.compile("[\u064b-\u065f\u0670]")  # tanwin, harakat, superscript alef
_SPACES = re.compile(r"\s+")


def to_latin_digits(text: str) -> str:
    """Replace Persian and Arabic-Indic digits by 0–9; everything else is kept."""
    return text.translate(_TO_LATIN)


def to_persian_digits(text: str) -> str:
    """Replace 0–9 by Persian digits (۰–۹); everything else is kept."""
    return text.translate(_TO_PERSIAN)


def normalize_text(text: str) -> str:
    """Text ready for the date grammar: Latin digits, Persian letter forms, no invisible marks,
    no diacritics, lower case, single spaces."""
    text = to_latin_digits(text).translate(_LETTERS)
    text = _DIACRITICS.sub("", text)
    return _SPACES.sub(" ", text).strip().casefold()
