"""Cross-script keys of whole names and of the words of a text (pure ASCII, no spaces).

- :func:`name_key` — the key of a whole name: honorifics dropped, the keys of its words concatenated in
  given-first order as written (so compounds are joined whatever the spacing: "Mohammad Reza" ==
  "Mohammadreza" == "محمدرضا"). "محمد رضایی", "Mohammad Rezaei", "MUHAMMAD REZAEE" → ``mhmdrzi``.
- :func:`name_keys` — that key, the key in the other order, and an order-insensitive key (the keys of
  the name units sorted), for search and blocking.
- :func:`token_keys` — one key per word of a text (and per part of a compound word, and per joined
  compound or affixed pair of words), for indexing single-word queries like "رئیسی" / "Raisi".
"""

from __future__ import annotations

import functools

from dadkhah.names.parse import Piece, _form, _honorific_matches, _unit, _words, analyse, normalized_name, pieces_of
from dadkhah.names.skeleton import join_keys
from dadkhah.names.tables import tables

MIN_TOKEN_KEY = 2


def name_key(text: str) -> str:
    """The cross-script key of a whole name (``""`` when it has no letters). A comma means
    "family, given"; otherwise the words are keyed in the order written."""
    return analyse(text or "", "given-first").key


def name_keys(text: str, order: str = "given-first") -> list[str]:
    """Keys for a full name: [given-first key, key as written (when different), order-insensitive key].

    The first element equals ``name_key(text)`` for ``order="given-first"``.
    """
    a = analyse(text or "", order)
    keys = [a.key]
    written = analyse(text or "", "given-first").key
    keys.append(written)
    unit_keys = [u.key for u in a.units if u.key]
    if len(unit_keys) > 1:
        keys.append(join_keys(sorted(unit_keys)))
    return [k for k in dict.fromkeys(keys) if k]


@functools.lru_cache(maxsize=100_000)
def _word_keys(word: tuple[Piece, ...]) -> tuple[str, tuple[str, ...]]:
    """(key of the whole word, keys of its compound parts and ZWNJ parts when it has several)."""
    t = tables()
    unit = _unit([list(word)], spaced_between=False)
    parts: tuple[str, ...] = ()
    if len(word) > 1:
        parts = tuple(_unit([[p]], False).key for i, p in enumerate(word)
                      if p.kind != "affix" and not (i > 0 and p.form in t.bare_suffixes))
    return unit.key, parts


def _is_title(form: str) -> bool:
    script = "fa" if any("\u0600" <= c <= "\u06ff" for c in form) else "latin"
    return any(h.strength == "strong" for h in tables().honorifics.get((script, form), ()))


def token_keys(text: str) -> list[str]:
    """Per-word keys of a text, in order, without repeats (function words and titles skipped)."""
    if not text:
        return []
    t = tables()
    pieces = pieces_of(normalized_name(text))
    titles: set[int] = set()
    for start, (n, hons) in _honorific_matches(pieces).items():
        if n > 1 and any(h.strength == "strong" for h in hons):
            titles.update(range(start, start + n))
    kept = [p for i, p in enumerate(pieces) if i not in titles]
    words = _words(kept)
    forms = [_form(w) for w in words]
    skip = [f in t.stopwords or _is_title(f) for f in forms]
    out: dict[str, None] = {}
    for i, w in enumerate(words):
        if skip[i]:
            continue
        key, parts = _word_keys(tuple(w))
        out[key] = None
        for k in parts:
            out[k] = None
        if i + 1 < len(words) and not skip[i + 1]:
            cur, nxt = forms[i], forms[i + 1]
            last = i + 2 == len(words)
            joined = ((cur in t.first and nxt in t.second)
                      or (nxt in t.suffixes and (last or nxt not in t.prefixes))
                      or cur in t.prefixes)
            if joined:
                out[_unit([w, words[i + 1]], True).key] = None
    return [k for k in out if len(k) >= MIN_TOKEN_KEY]
