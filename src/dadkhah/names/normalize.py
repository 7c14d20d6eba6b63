"""Normalisation for matching (not for display): one spelling per letter, no marks, tidy spaces.

Policies (see docs/names.md):

- Arabic letter forms fold onto Persian ones: ي ى ئ → ی, ك → ک, ة ۀ → ه, ؤ → و, and every alef form
  (أ إ ٱ and also آ) → ا. Folding آ is a matching policy: "آقا" and "اقا" are typed interchangeably.
- Diacritics (fatha … sukun, tanwin, shadda, superscript alef, Quranic marks), tatweel and standalone
  hamza ء are removed.
- ZWNJ and the other zero-width and direction marks are removed, so "محمد‌رضا" == "محمدرضا".
  (The key keeps ZWNJ as a boundary inside a word; see :mod:`dadkhah.names.parse`.)
- Persian and Arabic-Indic digits become ASCII; runs of whitespace become one space.
"""

from __future__ import annotations

import re
import unicodedata

from dadkhah.names.script import ARABIC_CHAR, to_ascii_digits
from dadkhah.names.tables import letters

ZWNJ = "\u200c"
_SPACES = re.compile(r"\s+")
_NON_ARABIC_RUN = re.compile(r"[^\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]+")
_ZWNJ_RUNS = re.compile(r"\s*\u200c\s*")


def _check(text) -> str:
    if text is None:
        return ""
    if not isinstance(text, str):
        raise TypeError(f"a name or text must be a str, not {type(text).__name__}")
    return text


def persian_soft(text: str) -> str:
    """:func:`normalize_persian` that keeps ZWNJ (one, and only between two letters) as a word-internal boundary."""
    t = letters()
    text = unicodedata.normalize("NFKC", _check(text))
    text = text.translate(t.persian_fold)
    text = t.persian_marks.sub("", text)
    text = t.zero_width.sub("", text)
    text = to_ascii_digits(text)
    text = _ZWNJ_RUNS.sub(lambda m: ZWNJ if m.group() == ZWNJ else " ", re.sub("\u200c+", ZWNJ, text))
    text = _SPACES.sub(" ", text).strip()
    return text.strip(ZWNJ)


def normalize_persian(text: str) -> str:
    """Persian text → one spelling per letter, for matching. See the module docstring for the rules."""
    return _SPACES.sub(" ", persian_soft(text).replace(ZWNJ, "")).strip()


def _latin_run(run: str) -> str:
    t = letters()
    run = run.casefold().translate(t.latin_spell_out)
    run = "".join(c for c in unicodedata.normalize("NFKD", run) if not unicodedata.combining(c))
    return run.translate(t.latin_remove).translate(t.latin_space)


def normalize_latin(text: str) -> str:
    """Latin text → case-folded, without diacritics (â→a, é→e, š→sh), apostrophes/ʿ/ʾ removed,
    hyphens → space, whitespace collapsed. Arabic-script characters in the text are left alone."""
    text = unicodedata.normalize("NFKC", _check(text))
    text = to_ascii_digits(letters().zero_width.sub("", text))
    text = _NON_ARABIC_RUN.sub(lambda m: _latin_run(m.group()), text)
    return _SPACES.sub(" ", text).strip()


def normalize(text: str) -> str:
    """Script-aware normalisation for full-text search: Persian rules for Arabic-script letters, Latin
    rules for the rest, so a mixed text ("Raisi رئیسی") is normalised word by word."""
    text = _check(text)
    if ARABIC_CHAR.search(text):
        text = normalize_persian(text)
    return normalize_latin(text)
