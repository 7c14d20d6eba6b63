"""The memorial's offline search: the same name keys in Python (publish time) and JavaScript (query time).

How a Latin query finds a name written only in Persian (and the other way round): every name token
is reduced to an ASCII *key* by :func:`dadkhah.names.token_keys` ("میرزایی", "Mirzaei" and
"Mirzayi" share one). At publish time Python computes the key of every name token on the memorial
and writes it into the search index. At query time the browser must key what the visitor types,
and that needs the key function in JavaScript:

- the *data* of the key function (the letter tables and spelling variants of ``dadkhah/names/data``)
  is not copied by hand: :func:`js_key_rules` writes it into the index at publish time, so both
  sides always read the same tables;
- the *rules* that apply the tables to one word (:func:`dadkhah.names.skeleton.word_key`: position
  rules for vowels, the silent final ه, doubled letters…) and the normalisation before them are
  ported to ``static/memorial.js`` (``MemorialKeys``). ``tests/publish`` runs that JavaScript in
  Chromium over every name word of the test cases and checks its keys equal Python's, so any drift
  fails the build;
- what is *not* ported is the splitting of compound names and affixed surnames that
  :func:`~dadkhah.names.token_keys` does: the index carries those keys instead (the keys of the parts
  and of the joined forms), so the browser only ever keys single words.

Normalised tokens are shipped too, so a query also matches a name by prefix in its own script.
"""

from __future__ import annotations

import functools
import re

from dadkhah.names import normalize, token_keys
from dadkhah.names.script import ARABIC_CHAR, ARABIC_LETTER
from dadkhah.names.skeleton import word_key as skeleton_word_key
from dadkhah.names.tables import _load, letters, tables


def query_words(text: str) -> list[str]:
    """The words of a name or query as the search sees them: normalised, split at spaces."""
    return normalize(text or "").split()


def word_key(word: str) -> str:
    """The key of one normalised word: :func:`dadkhah.names.skeleton.word_key`, the function that
    ``memorial.js`` ports (``MemorialKeys.wordKey``)."""
    if not (ARABIC_LETTER.search(word) or re.search(r"[a-z]", word)):
        return ""  # digits or punctuation only: nothing to key
    return skeleton_word_key(word)


def index_terms(names: list[str]) -> tuple[list[str], list[str]]:
    """The normalised word tokens and the keys of some name forms, for the search index.

    Keys are those of :func:`dadkhah.names.token_keys` (which also keys the parts of compound names
    and affixed surnames, "محمدرضا" → mhmd, rza, mhmdrza) plus the plain key of every word — the
    key the browser computes for a query word — so a word typed as it is written on the page
    always finds it, whatever the compound rules did.
    """
    tokens: dict[str, None] = {}
    keys: dict[str, None] = {}
    for name in names:
        for word in query_words(name):
            for token in re.findall(r"\w+", word):
                tokens[token] = None
            key = word_key(word)
            if key:
                keys[key] = None
        for key in token_keys(name):
            if key:
                keys[key] = None
    return list(tokens), list(keys)


@functools.cache
def js_key_rules() -> dict:
    """Everything ``MemorialKeys`` (memorial.js) needs to normalise and key a word as Python does: the
    letter tables and spelling variants of :mod:`dadkhah.names`, as the names package loads them."""
    raw = _load("letters.yaml")
    t = tables()
    return {
        "arabicLetter": ARABIC_LETTER.pattern,
        "arabicChar": ARABIC_CHAR.pattern,
        "persianFold": raw["persian_fold"],
        "persianMarks": raw["persian_marks"],
        "zeroWidth": raw["zero_width"],
        "latinSpellOut": raw["latin_spell_out"],
        "latinRemove": raw["latin_remove"],
        "latinSpace": raw["latin_space"],
        "persianKey": raw["persian_key"],
        "latinGroups": [list(g) for g in letters().latin_groups],
        "latinWords": t.latin_words,
        "latinPrefixes": [[p.pattern, r] for p, r in t.latin_prefixes],
        "latinKeys": t.latin_keys,
        "latinRules": [[p.pattern, r] for p, r in t.latin_rules],
        "persianFinalAlef": sorted(t.persian_final_alef),
        "persianRules": [[p.pattern, r] for p, r in t.persian_rules],
        "persianSecond": sorted(w for w in t.second if ARABIC_LETTER.search(w)),
    }
