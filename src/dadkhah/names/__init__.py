"""Persian and Latin person names: normalisation, parsing, cross-script keys and similarity.

Pure functions; nothing here touches a database. Importing is cheap: the data tables (``data/*.yaml``)
are read on first use. See ``README.md`` in this folder and ``docs/names.md`` for the rules.

Public API::

    normalize_persian(text) / normalize_latin(text) / normalize(text)   matching normalisation
    detect_script(text) -> "fa" | "latin" | "mixed" | ""
    to_persian_digits(text) / to_ascii_digits(text)
    ParsedName(given, family, honorifics, original); parse_name(full, order="given-first")
    transliterate(text)          Persian → Latin skeleton (for matching, not display)
    name_key(text)               ASCII cross-script key of a whole name
    name_keys(text, order)       keys for search and blocking (order-insensitive variant included)
    token_keys(text)             per-word keys of a text
    name_similarity(a, b)        0..1 across scripts
"""

from dadkhah.names.keys import name_key, name_keys, token_keys
from dadkhah.names.normalize import normalize, normalize_latin, normalize_persian
from dadkhah.names.parse import ParsedName, parse_name
from dadkhah.names.script import detect_script, to_ascii_digits, to_persian_digits
from dadkhah.names.similarity import name_similarity
from dadkhah.names.transliterate import transliterate

__all__ = [
    "ParsedName",
    "detect_script",
    "name_key",
    "name_keys",
    "name_similarity",
    "normalize",
    "normalize_latin",
    "normalize_persian",
    "parse_name",
    "to_ascii_digits",
    "to_persian_digits",
    "token_keys",
    "transliterate",
]
