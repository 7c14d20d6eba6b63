"""The memorial's offline search: the same name keys in Python (publish time) and JavaScript (query time).

How a Latin query finds a name written only in Persian (and the other way round): every name token
is reduced to an ASCII *key* by :func:`dadkhah.names.token_keys` ("میرزایی", "Mirzaei" and
"Mirzayi" share one). At publish time Python computes the key of every name token on the memorial
and writes it into the search index. At query time the browser must key what the visitor types,
and that needs the key function in JavaScript:

- the *data* of the key function (the letter tables of ``dadkhah/names/data/letters.yaml``) is not
  copied by hand: :func:`js_key_rules` writes it into the index at publish time, so the two sides
  always use the same tables;
- the *rules* that apply the tables (word-position rules for vowels, silent final ه…) are ported to
  ``static/memorial.js``; ``tests/publish`` runs the JavaScript in Chromium over every name token of
  the test cases and checks its keys equal Python's, so a drift fails the build.

Normalised tokens are shipped too, so a query also matches a name by plain prefix in its own script.
"""

from __future__ import annotations

import functools
from pathlib import Path

import yaml


def index_terms(names: list[str]) -> tuple[list[str], list[str]]:
    """The normalised word tokens and the cross-script keys of some name forms (for the index)."""
    import re

    from dadkhah.names import normalize, token_keys

    tokens: dict[str, None] = {}
    keys: dict[str, None] = {}
    for name in names:
        for word in re.findall(r"\w+", normalize(name)):
            tokens[word] = None
        for key in token_keys(name):
            if key:
                keys[key] = None
    return list(tokens), list(keys)


@functools.cache
def _letters() -> dict:
    import dadkhah.names

    path = Path(dadkhah.names.__file__).parent / "data" / "letters.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def js_key_rules() -> dict:
    """The letter tables the JavaScript key function reads (from ``dadkhah/names/data/letters.yaml``)."""
    return _letters()
