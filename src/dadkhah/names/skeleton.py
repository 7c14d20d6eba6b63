"""The key of one written word (a *piece*): a consonant skeleton with long-vowel markers, in ASCII.

Both scripts are mapped onto one alphabet (``data/letters.yaml``)::

    b p t s j c(ch) h x(kh) d z r w(sh) f q(gh/q) k g l m n   v (و v w u ou oo)   i (ی y i ee)   a

Persian writes no short vowels, so the Latin short vowels a/e/o vanish inside a word; the long vowels
keep a marker on both sides (ی → i, و → v). Position rules, the same for both scripts:

- start of a word: a vowel start (ا آ ع / a e o) keys as ``a``; Latin i/u starts key as ``ai``/``av``
  (Persian writes ای/او there);
- end of a word: ا / a keys as ``a``; Latin o keys as ``v`` (Persian writes و); a silent final ه
  (after a consonant or ی) and Latin final ``eh``/``e`` key as ``e`` (Mahdi ≠ Mahdieh); ع at the end
  vanishes;
- consecutive equal letters inside a word collapse (Persian shadda, Latin "ss", "yy", and ی ی).

Words are split into their known parts first (:func:`split_word`): compound given names
("محمدعلی" = محمد + علی) and surname affixes ("رضازاده" = رضا + زاده), so the start and end rules see
the same boundaries whether a name was written joined, hyphenated or apart.
"""

from __future__ import annotations

import functools
import re

from dadkhah.names.script import ARABIC_LETTER
from dadkhah.names.tables import collapse_doubles, letters, tables

_VOWEL_TAGS = frozenset("AEOUIY")
_LATIN_LETTERS = re.compile(r"[a-z]+")


def collapse(key: str) -> str:
    return collapse_doubles(key)


def join_keys(keys) -> str:
    """Concatenate the keys of the parts of a name. Letters doubled across a boundary stay doubled:
    "Asadollah Lajevardi" (asdl|ljvrdi) is not "Asad Lajevardi" (asd|ljvrdi), and "Zahra Ahmadi"
    (zhra|ahmdi) is not "Zohreh Ahmadi" (zhre|ahmdi). A written-together word is split into its known
    parts before keying, so "Rahimmanesh" keys as "Rahim Manesh" does."""
    return "".join(keys)


def _collapse_consonants(word: str) -> str:
    """"hossein" → "hosein", but "ee"/"oo" stay: they are vowel letters of their own."""
    return re.sub(r"([^aeiou])\1+", r"\1", word)


@functools.lru_cache(maxsize=200_000)
def persian_word_key(word: str, bare: bool = False, before_bare: bool = False) -> str:
    """Key of one Persian word (normalised, no spaces or ZWNJ). ``bare``: no start-of-word marker;
    ``before_bare``: a bare suffix follows (خامنه‌ای), so a final silent ه keys as nothing."""
    t = tables()
    if word in t.persian_final_alef:
        word = word[:-1] + "ا"
    if word.startswith("ال") and word[2:] in t.second:
        word = word[1:]  # the article before a name written apart: عبد الحسین == عبدالحسین
    for pattern, repl in t.persian_rules:
        word = pattern.sub(repl, word)
    word = "".join(c for c in word if ARABIC_LETTER.match(c))
    word = word.rstrip("ع")
    if not word:
        return ""
    table = letters().persian_key
    out: list[str] = []
    last = len(word) - 1
    for i, ch in enumerate(word):
        if i == 0 and not bare and ch in "اع":
            out.append("a")
        elif ch == "ا":
            if i == last:
                out.append("a")
        elif ch == "ه" and i == last and i > 0 and word[i - 1] not in "او":
            if not before_bare:
                out.append("e")  # silent final heh: فاطمه Fatemeh, زاده zadeh
        else:
            out.append(table.get(ch, ""))
    return collapse("".join(out))


def _latin_groups(word: str) -> list[str]:
    """Latin letter groups of a word, longest first ("kh", "ou", "ee" before single letters), as key tags."""
    t = letters()
    table = dict(t.latin_groups)
    return [table[g] for g in t.latin_group_re.findall(word)]


def latin_spelling(word: str) -> str:
    """The Persian-style spelling the key reads for a Latin word (lower case, doubled consonants collapsed):
    whole-word variants (Muhammad → mohammad) and prefix variants (Abdul- → abdol-) applied."""
    t = tables()
    canonical = t.latin_words.get(collapse_doubles(word))
    w = _collapse_consonants(canonical or word)
    for pattern, repl in t.latin_prefixes:
        w = pattern.sub(repl, w, count=1)
    return w


@functools.lru_cache(maxsize=200_000)
def latin_word_key(word: str, bare: bool = False, before_bare: bool = False, o_long: bool = False) -> str:
    """Key of one Latin word (normalised: lower case a-z). ``bare``: no start-of-word marker;
    ``before_bare``: a bare suffix follows ("Khamene-i"); ``o_long``: read a single "o" inside the word
    as the long vowel و (an alternative reading used by the similarity: "Rohani" as "Rouhani")."""
    word = "".join(_LATIN_LETTERS.findall(word))
    if not word:
        return ""
    t = tables()
    direct = t.latin_keys.get(collapse_doubles(word))
    if direct is not None:
        return direct
    w = latin_spelling(word)
    for pattern, repl in t.latin_rules:
        w = pattern.sub(repl, w)
    g = _latin_groups(w)
    ends_eh = len(g) > 1 and g[-1] == "h" and g[-2] == "E"
    if ends_eh:
        g.pop()  # final "eh" is the silent ه: Fatemeh, Zadeh
    out: list[str] = []
    last = len(g) - 1
    for i, tag in enumerate(g):
        if tag not in _VOWEL_TAGS:
            out.append(tag)
        elif i == 0 and not bare:
            out.append(_START[tag])
        elif i == last:
            if tag == "E" and (before_bare or (not ends_eh and g[i - 1] in ("I", "Y"))):
                continue  # "Khamene-i"; a final "-ie" is "-i" (Mirzaie), but "-ieh" is "-iyeh" (Mahdieh)
            out.append(_END[tag])
        elif tag == "O" and o_long:
            out.append("v")
        else:
            out.append(_INSIDE[tag])
    return collapse("".join(out))


_START = {"A": "a", "E": "a", "O": "a", "I": "ai", "U": "av", "Y": "i"}
_END = {"A": "a", "E": "e", "O": "v", "I": "i", "U": "v", "Y": "i"}
_INSIDE = {"A": "", "E": "", "O": "", "I": "i", "U": "v", "Y": "i"}


def word_key(word: str, bare: bool = False, before_bare: bool = False, o_long: bool = False) -> str:
    """Key of one word in either script (a word mixing scripts is keyed run by run)."""
    if not word:
        return ""
    has_fa = ARABIC_LETTER.search(word) is not None
    has_latin = _LATIN_LETTERS.search(word) is not None
    if has_fa and not has_latin:
        return persian_word_key(word, bare, before_bare)
    if has_latin and not has_fa:
        return latin_word_key(word, bare, before_bare, o_long)
    if not has_fa:
        return ""  # letters of other scripts (Greek, Cyrillic…) are not keyed
    runs = _SCRIPT_RUNS.findall(word)
    return join_keys(word_key(r, bare and i == 0, before_bare and i == len(runs) - 1, o_long)
                     for i, r in enumerate(runs))


_SCRIPT_RUNS = re.compile(ARABIC_LETTER.pattern + "+|[a-z]+")


# --- splitting a written-together word into its known parts --------------------------------------

def _consonants(word: str) -> int:
    """Consonant letters in the key of a word: the same count whichever script it is written in
    (a letter count is not: "جری" has three letters, "jari" four)."""
    return sum(1 for c in word_key(word) if c not in "aiv")


def _form(text: str) -> str:
    return text if ARABIC_LETTER.search(text) else collapse_doubles(text)


@functools.lru_cache(maxsize=200_000)
def split_word(word: str) -> tuple[tuple[str, str], ...]:
    """A written-together word → its parts as ``(text, kind)``; kind is ``"word"`` (unsplit),
    ``"compound"`` (a compound given-name element) or ``"affix"`` (a surname affix or its root).

    "محمدعلی" → (محمد, compound), (علی, compound); "Pourmohammadi" → (Pour, affix), (mohammadi, affix).
    """
    t = tables()
    n = len(word)
    for i in range(2, n - 1):
        head, rest = word[:i], word[i:]
        if _form(head) in t.first and _form(rest) in t.second:
            return ((head, "compound"), (rest, "compound"))
    for i in range(n - 2, 1, -1):
        head, rest = word[:i], word[i:]
        if head[-1] == head[-2]:
            continue  # "pourr|ahimi": a doubled letter belongs to both sides of the boundary
        if _form(head) in t.split_prefixes and _consonants(rest) >= t.min_prefix_rest:
            return ((head, "affix"), *[(p, "affix") for p, _ in split_word(rest)])
    for i in range(2, n - 1):
        root, tail = word[:i], word[i:]
        if tail[0] == tail[1]:
            continue  # "rahi|mmanesh"
        if _form(tail) in t.split_suffixes and _consonants(root) >= t.min_suffix_root:
            return (*[(p, "affix") for p, _ in split_word(root)], (tail, "affix"))
    return ((word, "word"),)
