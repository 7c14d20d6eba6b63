"""Persian script → a readable Latin *skeleton* for matching and for eyes that cannot read Persian.

Not a romanisation for display: Persian writes no short vowels, so none are invented ("محمد رضایی" →
"mhmd rzayi"). Long vowels are written (ا → a, ی → i/y, و → u/v), digraphs are used for the sounds
Latin lacks (خ kh, ش sh, چ ch, ژ zh, غ gh), letters that share a sound share a spelling (ث س ص → s,
ذ ز ض ظ → z, ت ط → t), ع and hamza vanish, a silent final ه is "eh". The output is lower-case ASCII;
Latin text passes through :func:`normalize_latin`.
"""

from __future__ import annotations

import re

from dadkhah.names.normalize import ZWNJ, normalize_latin, persian_soft
from dadkhah.names.script import ARABIC_CHAR

_LETTERS = {
    "ب": "b", "پ": "p", "ت": "t", "ط": "t", "ث": "s", "س": "s", "ص": "s", "ج": "j", "ژ": "zh", "چ": "ch",
    "ح": "h", "خ": "kh", "د": "d", "ذ": "z", "ز": "z", "ض": "z", "ظ": "z", "ر": "r", "ش": "sh", "غ": "gh",
    "ق": "q", "ف": "f", "ک": "k", "گ": "g", "ل": "l", "م": "m", "ن": "n", "ع": "", "ه": "h",
}
_PUNCT = {"،": ",", "؛": ";", "؟": "?", "«": '"', "»": '"', "٪": "%"}
_VOWEL_LETTERS = "اوی"
_PERSIAN_WORD = re.compile(r"[\u0600-\u06FF\u200c]+")


def _word(word: str) -> str:
    bare = word.replace(ZWNJ, "")
    if bare in ("الله", "اله"):
        return "allah"
    if len(bare) > 4 and bare.endswith("الله"):
        return _word(word[:-4].rstrip(ZWNJ)) + "ollah"
    out: list[str] = []
    n = len(word)
    for i, ch in enumerate(word):
        prev = word[i - 1] if i > 0 else ""
        nxt = word[i + 1] if i + 1 < n else ""
        start = i == 0 or prev == ZWNJ
        end = i == n - 1 or nxt == ZWNJ
        if ch == ZWNJ:
            continue
        if ch == "ا":
            if start and nxt in ("ی", "و"):
                continue  # ای → i, او → u: the vowel letter that follows says it
            out.append("a")
        elif ch == "و":
            out.append("v" if start or prev == "ا" or nxt in ("ا", "ی") or (nxt == "و") else "u")
        elif ch == "ی":
            out.append("y" if (start and nxt != "") or nxt in ("ا", "و") or (prev == "ا" and nxt == "ی") else "i")
        elif ch == "ه" and end and not start and prev not in _VOWEL_LETTERS:
            out.append("eh")
        elif ch in _LETTERS:
            out.append(_LETTERS[ch])
        elif ch.isdigit():
            out.append(ch)
        else:
            out.append(_PUNCT.get(ch, ""))
    return "".join(out)


def transliterate(text: str) -> str:
    """Persian script → Latin skeleton (lower-case ASCII); see the module docstring."""
    if not text:
        return ""
    if ARABIC_CHAR.search(text):
        text = persian_soft(text)
        text = _PERSIAN_WORD.sub(lambda m: _word(m.group()), text)
    text = normalize_latin(text)
    return re.sub(r"\s+", " ", text.encode("ascii", "ignore").decode()).strip()
