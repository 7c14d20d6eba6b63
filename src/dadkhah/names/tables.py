"""The data behind the name rules, read once from the YAML files in ``data/`` (on first use, not on import).

The tables are data, not code (followthemoney style): to teach the rules a new honorific, compound
element, affix or spelling, edit the YAML file; nothing here needs to change.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).with_name("data")


def _load(name: str):
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with (DATA / name).open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=loader)


_DOUBLES = re.compile(r"(.)\1+")


@functools.lru_cache(maxsize=100_000)
def collapse_doubles(text: str) -> str:
    """``"seyyed"`` → ``"seyed"``: runs of one letter become one letter."""
    return _DOUBLES.sub(r"\1", text)


@dataclass(frozen=True)
class Honorific:
    canonical: str  # Latin form reported for a Latin-script name
    fa: str  # Persian form reported for a Persian-script name
    where: str  # lead | trail | any
    strength: str  # strong | weak


@dataclass
class Letters:
    persian_fold: dict[int, str]
    persian_marks: re.Pattern
    zero_width: re.Pattern
    latin_spell_out: dict[int, str]
    latin_remove: dict[int, None]
    latin_space: dict[int, str]
    persian_key: dict[str, str]
    latin_groups: list[tuple[str, str]]  # longest first
    latin_group_re: re.Pattern  # one alternation of the groups, longest first


@dataclass
class NameTables:
    honorifics: dict[tuple[str, str], list[Honorific]]  # (script, match form) → honorifics
    honorific_max_words: int
    honorific_prefixes: set[tuple[str, str]]  # (script, every prefix of every honorific form)
    first: set[str]  # compound first elements, match forms of both scripts
    second: set[str]
    prefixes: set[str]
    suffixes: set[str]
    bare_suffixes: set[str]
    merging_suffixes: set[str]  # keyed onto the word before without doubling a letter across the join
    split_prefixes: set[str]  # affixes also split off a written-together word (both scripts)
    split_suffixes: set[str]
    min_prefix_rest: int  # consonants a split-off prefix must leave
    min_suffix_root: int  # consonants a split-off suffix must leave
    latin_words: dict[str, str]
    latin_prefixes: list[tuple[re.Pattern, str]]
    latin_keys: dict[str, str]
    latin_rules: list[tuple[re.Pattern, str]]
    persian_final_alef: set[str]
    persian_rules: list[tuple[re.Pattern, str]]
    stopwords: set[str] = field(default_factory=set)


def _ranges(pairs: list[list[str]]) -> re.Pattern:
    return re.compile("[" + "".join(f"{re.escape(a)}-{re.escape(b)}" for a, b in pairs) + "]")


@functools.cache
def letters() -> Letters:
    raw = _load("letters.yaml")
    groups = sorted(raw["latin_groups"].items(), key=lambda kv: -len(kv[0]))
    return Letters(
        persian_fold={ord(k): v for k, v in raw["persian_fold"].items()},
        persian_marks=_ranges(raw["persian_marks"]),
        zero_width=re.compile("[" + "".join(re.escape(c) for c in raw["zero_width"]) + "]"),
        latin_spell_out={ord(k): v for k, v in raw["latin_spell_out"].items()},
        latin_remove={ord(c): None for c in raw["latin_remove"]},
        latin_space={ord(c): " " for c in raw["latin_space"]},
        persian_key=dict(raw["persian_key"]),
        latin_groups=groups,
        latin_group_re=re.compile("|".join(re.escape(src) for src, _ in groups)),
    )


def latin_form(word: str) -> str:
    """How a Latin table entry or word is compared: normalised, lower case, doubled letters collapsed."""
    from dadkhah.names.normalize import normalize_latin

    return collapse_doubles(normalize_latin(word).replace(" ", ""))


def persian_form(word: str) -> str:
    """How a Persian table entry or word is compared: normalised, spaces and ZWNJ removed."""
    from dadkhah.names.normalize import normalize_persian

    return normalize_persian(word).replace(" ", "")


def _strings(items, where: str) -> list[str]:
    """The entries of a YAML list, all of which must be strings (YAML reads a bare ``on`` as a bool)."""
    out = list(items or [])
    for item in out:
        if not isinstance(item, str):
            raise ValueError(f"names data {where}: entry {item!r} is not a string (quote it in the YAML file)")
    return out


def _forms(entry: dict, where: str) -> tuple[list[str], list[str]]:
    latin = [latin_form(w) for w in _strings(entry.get("latin"), where)]
    fa = [persian_form(w) for w in _strings(entry.get("persian"), where)]
    return latin, fa


@functools.cache
def tables() -> NameTables:
    hon_raw = _load("honorifics.yaml")
    honorifics: dict[tuple[str, str], list[Honorific]] = {}
    for e in hon_raw:
        h = Honorific(e["canonical"], e["fa"], e["where"], e["strength"])
        latin, fa = _forms(e, "honorifics.yaml")
        for w in latin:
            honorifics.setdefault(("latin", w), []).append(h)
        for w in fa:
            honorifics.setdefault(("fa", w), []).append(h)

    comp = _load("compounds.yaml")
    first_l, first_f, second = [], [], set()
    for e in comp["first"]:
        latin, fa = _forms(e, "compounds.yaml")
        first_l += latin
        first_f += fa
    for e in comp["second"]:
        latin, fa = _forms(e, "compounds.yaml")
        second.update(latin)
        second.update(fa)

    aff = _load("affixes.yaml")
    prefixes, suffixes, bare, merging = set(), set(), set(), set()
    sp_l, sp_f, ss_l, ss_f = [], [], [], []
    for e in aff["prefixes"]:
        latin, fa = _forms(e, "affixes.yaml")
        if e.get("join", True):
            prefixes.update(latin + fa)
        if e.get("split"):
            sp_l += latin
            sp_f += fa
    for e in aff["suffixes"]:
        latin, fa = _forms(e, "affixes.yaml")
        suffixes.update(latin + fa)
        if e.get("bare"):
            bare.update(latin + fa)
        if e.get("merge"):
            merging.update(latin + fa)
        if e.get("split"):
            ss_l += latin
            ss_f += fa

    var = _load("variants.yaml")
    latin_words = {}
    for canonical, spellings in var["latin_words"].items():
        for s in _strings(spellings, "variants.yaml"):
            latin_words[latin_form(s)] = canonical
    stop = _load("stopwords.yaml")

    return NameTables(
        honorifics=honorifics,
        honorific_max_words=6,
        honorific_prefixes={(script, form[:i]) for script, form in honorifics for i in range(1, len(form) + 1)},
        first=set(first_l) | set(first_f),
        second=second,
        prefixes=prefixes,
        suffixes=suffixes,
        bare_suffixes=bare,
        merging_suffixes=merging,
        split_prefixes=set(sp_l) | set(sp_f),
        split_suffixes=set(ss_l) | set(ss_f),
        min_prefix_rest=int(aff["min_rest"]["prefix"]),
        min_suffix_root=int(aff["min_rest"]["suffix"]),
        latin_words=latin_words,
        latin_prefixes=[(re.compile(p), r) for p, r in var["latin_prefixes"].items()],
        latin_keys={latin_form(k): v for k, v in var["latin_keys"].items()},
        latin_rules=[(re.compile(p), r) for p, r in var["latin_rules"].items()],
        persian_final_alef={persian_form(w) for w in var["persian_final_alef"]},
        persian_rules=[(re.compile(p), r) for p, r in var["persian_rules"].items()],
        stopwords=({latin_form(w) for w in _strings(stop["latin"], "stopwords.yaml")}
                   | {persian_form(w) for w in _strings(stop["persian"], "stopwords.yaml")}),
    )
