"""Finding names in running text with the cross-script name keys of :mod:`dadkhah.names`.

Every run of 1–6 consecutive words of a text is keyed with ``name_key`` — the same function that keyed
each :class:`~dadkhah.model.NameForm` — so "محمد رضایی" in a Persian transcript finds the person
recorded as "Mohammad Rezaei", and "MUHAMMAD REZAEE" in an English one finds them too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_WORDS = 6
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Span:
    start: int  # character offsets in the text
    end: int
    text: str
    words: int


def tokenize(text: str) -> list[tuple[int, int]]:
    """Word boundaries ``(start, end)`` in ``text``."""
    return [(m.start(), m.end()) for m in _WORD.finditer(text or "")]


def _key(text: str) -> str:
    from dadkhah.names import name_key

    try:
        return name_key(text) or ""
    except Exception:  # noqa: BLE001 - a word the name keyer cannot handle is simply not a name
        return ""


def ngram_keys(text: str, tokens: list[tuple[int, int]] | None = None,
               max_words: int = MAX_WORDS) -> dict[str, list[Span]]:
    """Name key → the spans of ``text`` (1–``max_words`` consecutive words) that have it."""
    tokens = tokenize(text) if tokens is None else tokens
    out: dict[str, list[Span]] = {}
    for i in range(len(tokens)):
        for n in range(1, max_words + 1):
            if i + n > len(tokens):
                break
            start, end = tokens[i][0], tokens[i + n - 1][1]
            span_text = text[start:end]
            if len(span_text) < 3:
                continue
            key = _key(span_text)
            if key:
                out.setdefault(key, []).append(Span(start, end, span_text, n))
    return out


def find_name(tokens_or_text, name: str, text: str | None = None) -> list[Span]:
    """Where ``name`` occurs in a text, in any script or spelling its name key unifies."""
    if isinstance(tokens_or_text, str):
        text = tokens_or_text
        tokens = tokenize(text)
    else:
        tokens = tokens_or_text
    if text is None:
        raise ValueError("give the text whose tokens these are")
    key = _key(name)
    if not key:
        return []
    n = len(tokenize(name))
    return [s for s in ngram_keys(text, tokens, max_words=max(1, n + 1)).get(key, [])]
