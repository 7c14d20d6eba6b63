"""Which script a text is written in, and digits between Persian, Arabic-Indic and ASCII."""

from __future__ import annotations

import re

# Arabic-script letters: the Arabic block, its supplements, and the presentation forms.
ARABIC_LETTER = re.compile(r"[\u0620-\u064A\u066E-\u06D3\u06D5\u06EE\u06EF\u06FA-\u06FF\u0750-\u077F"
                           r"\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFC]")
ARABIC_CHAR = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")

_PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
_ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
_TO_ASCII = str.maketrans(_PERSIAN_DIGITS + _ARABIC_DIGITS, "0123456789" * 2)
_TO_PERSIAN = str.maketrans("0123456789" + _ARABIC_DIGITS, _PERSIAN_DIGITS * 2)


def detect_script(text: str) -> str:
    """``"fa"`` (Arabic script), ``"latin"``, ``"mixed"`` or ``""`` (no letters at all).

    Letters of any non-Arabic script count as ``"latin"`` (the side of the key that reads Latin
    letters); digits, punctuation and marks count as nothing.
    """
    has_fa = has_other = False
    for ch in text or "":
        if not ch.isalpha():
            continue
        if ARABIC_LETTER.match(ch):
            has_fa = True
        else:
            has_other = True
        if has_fa and has_other:
            return "mixed"
    return "fa" if has_fa else "latin" if has_other else ""


def to_ascii_digits(text: str) -> str:
    """Persian (۰-۹) and Arabic-Indic (٠-٩) digits → ASCII ``0-9``; everything else unchanged."""
    return (text or "").translate(_TO_ASCII)


def to_persian_digits(text: str) -> str:
    """ASCII and Arabic-Indic digits → Persian ``۰-۹``; everything else unchanged."""
    return (text or "").translate(_TO_PERSIAN)
