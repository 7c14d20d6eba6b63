"""Splitting a full name into given name, family name and honorifics.

Rules (data in ``data/honorifics.yaml``, ``data/compounds.yaml``, ``data/affixes.yaml``):

1. The name is normalised; a comma (``,`` or ``،``) means "family, given" whatever ``order`` says.
2. Words are split into *pieces*: at ZWNJ ("روح‌الله" → روح + الله) and at known parts of a
   written-together word ("میرحسین" → میر + حسین, "Pourmohammadi" → Pour + mohammadi).
3. Honorifics are found (also as phrases: "hojjat ol-eslam", "آیت الله") and removed where they
   stand as titles: *lead* titles before the name, *trail* titles after it ("Karim Khan"), *any* titles
   anywhere but the family-name slot. *Weak* titles (Haj, Mir, Sheikh, Mirza, Agha…), which are also
   names, are removed only while two name words remain.
4. Surname affixes join their neighbour: a prefix joins the next word ("Pour Mohammadi"), a suffix
   the previous one ("Hossein Zadeh", "Khamene-i").
5. Compound given names: a known first element followed by a known second element is one given
   name ("Mohammad Reza", "Hossein Ali") when a family name still follows (given-first: three words
   or more) or when the family name is already known (family-first, or a comma).
6. given-first: the first unit is the given name, the rest the family name; family-first: the other
   way round. A single word is the given name (given-first) or the family name (family-first).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from dadkhah.errors import InputError
from dadkhah.names.normalize import ZWNJ, normalize_latin, persian_soft
from dadkhah.names.script import ARABIC_CHAR, ARABIC_LETTER
from dadkhah.names.skeleton import join_keys, split_word, word_key
from dadkhah.names.tables import Honorific, collapse_doubles, tables

ORDERS = ("given-first", "family-first")
_COMMA = re.compile(r"[,،]")


@dataclass(frozen=True)
class ParsedName:
    """A full name taken apart. ``given``/``family`` are normalised text; ``original`` is the input."""

    given: str
    family: str
    honorifics: tuple[str, ...]
    original: str

    @property
    def given_key(self) -> str:
        """Cross-script key of the given name alone."""
        from dadkhah.names.keys import name_key

        return name_key(self.given) if self.given else ""

    @property
    def family_key(self) -> str:
        """Cross-script key of the family name alone."""
        from dadkhah.names.keys import name_key

        return name_key(self.family) if self.family else ""


@dataclass(frozen=True)
class Piece:
    text: str  # normalised text, no ZWNJ
    glued: bool  # written attached to the previous piece (same word)
    kind: str  # word | compound | affix   (affix pieces are never honorifics)

    @functools.cached_property
    def script(self) -> str:
        return "fa" if ARABIC_LETTER.search(self.text) else "latin"

    @functools.cached_property
    def form(self) -> str:
        return self.text if self.script == "fa" else collapse_doubles(self.text)


@dataclass(frozen=True)
class Unit:
    """One name unit after joins: a given name (maybe compound) or one family-name word (maybe affixed)."""

    pieces: tuple[Piece, ...]
    spaced: tuple[bool, ...]  # per piece: written after a space inside this unit (compound joins)

    @property
    def text(self) -> str:
        out = ""
        for p, sp in zip(self.pieces, self.spaced, strict=True):
            out += (" " if sp and out else "") + p.text
        return out

    @functools.cached_property
    def key(self) -> str:
        return self.keyed(o_long=False)

    @functools.cached_property
    def script(self) -> str:
        scripts = {p.script for p in self.pieces}
        return scripts.pop() if len(scripts) == 1 else "mixed"

    def keyed(self, o_long: bool = False) -> str:
        """The unit's key; ``o_long`` reads a Latin "o" inside a word as و (an alternative reading)."""
        t = tables()
        bare = [i > 0 and p.form in t.bare_suffixes for i, p in enumerate(self.pieces)]
        keys = [word_key(p.text, bare[i], i + 1 < len(bare) and bare[i + 1], o_long)
                for i, p in enumerate(self.pieces)]
        for i, p in enumerate(self.pieces):
            if i and keys[i] and keys[i - 1] and p.form in t.merging_suffixes and keys[i - 1][-1] == keys[i][0]:
                keys[i] = keys[i][1:]  # "Khalil-ollah" as "Khalilollah": the l is not doubled
        return join_keys(keys)


@dataclass(frozen=True)
class Analysis:
    given: tuple[Unit, ...]
    family: tuple[Unit, ...]
    honorifics: tuple[str, ...]

    @property
    def units(self) -> tuple[Unit, ...]:
        return self.given + self.family

    @functools.cached_property
    def key(self) -> str:
        return join_keys(u.key for u in self.units)


def _clean(word: str) -> str:
    return "".join(c for c in word if c.isalpha())


def normalized_name(text: str) -> str:
    """The name normalised for parsing: Persian rules (ZWNJ kept) then Latin rules."""
    if not isinstance(text, str):
        raise TypeError(f"a name or text must be a str, not {type(text).__name__}")
    if ARABIC_CHAR.search(text):
        text = persian_soft(text)
    return normalize_latin(text)


EZAFE = frozenset({"e", "ye"})  # Latin ezafe particles written as words: "Al-e Ahmad", "Mir-e ..."


def pieces_of(segment: str) -> list[Piece]:
    """The pieces of a text: words split at spaces, ZWNJ and known parts; punctuation, digits and Latin
    ezafe particles ("-e", "-ye") dropped."""
    out: list[Piece] = []
    words = segment.split()
    if len(words) > 1:
        words = [w for w in words if w not in EZAFE]
    for word in words:
        first = True
        for part in word.split(ZWNJ):
            part = _clean(part)
            if not part:
                continue
            for text, kind in split_word(part):
                out.append(Piece(text, glued=not first, kind=kind))
                first = False
    return out


def _honorific_matches(pieces: list[Piece]) -> dict[int, tuple[int, list[Honorific]]]:
    """Start index → (number of pieces, candidate honorifics), longest phrase first."""
    t = tables()
    found: dict[int, tuple[int, list[Honorific]]] = {}
    i = 0
    while i < len(pieces):
        best = None
        script = pieces[i].script
        text = ""
        for n in range(1, min(t.honorific_max_words, len(pieces) - i) + 1):
            p = pieces[i + n - 1]
            if p.kind == "affix" or p.script != script:
                break
            text += p.text
            form = text if script == "fa" else collapse_doubles(text)
            if (script, form) not in t.honorific_prefixes:
                break
            hons = t.honorifics.get((script, form))
            if hons:
                best = (n, hons)
        if best:
            found[i] = best
            i += best[0]
        else:
            i += 1
    return found


def _words_left(pieces: list[Piece], removed: set[int]) -> int:
    words = 0
    prev_kept = False
    for i, p in enumerate(pieces):
        if i in removed:
            prev_kept = False
            continue
        if not (p.glued and prev_kept):
            words += 1
        prev_kept = True
    return words


def _strip_honorifics(pieces: list[Piece], family_slot_last: bool, min_words: int = 2, *,
                      family_segment: bool = False,
                      family_word_first: bool = False) -> tuple[list[Piece], list[tuple[int, str]]]:
    """Remove honorifics from one segment; returns the kept pieces and (position, honorific) found.
    Weak titles go only while ``min_words`` name words remain (1 in a segment of a "family, given" name).

    Weak titles are also surname parts ("Mirhosseini", "Hajiabbasi", "Aghajani"): in the family-name
    slot they stay. ``family_segment``: the whole segment is the family name (before the comma of
    "Mir-Ali, Faramarz"); ``family_word_first``: the first written word is (family-first order,
    "میرعلی نسرین"), so a weak title written together with the rest of that word stays."""
    matches = _honorific_matches(pieces)
    if matches and (family_segment or family_word_first):
        first_word = 1
        while first_word < len(pieces) and pieces[first_word].glued:
            first_word += 1

        def in_family(s: int) -> bool:
            return family_segment or s + matches[s][0] < first_word  # a title glued to the next piece
        matches = {s: (n, [h for h in hons if h.strength == "strong" or not in_family(s)])
                   for s, (n, hons) in matches.items()}
        matches = {s: m for s, m in matches.items() if m[1]}
    if not matches:
        return pieces, []
    starts = sorted(matches)
    is_hon = {j for s in starts for j in range(s, s + matches[s][0])}
    if len(is_hon) == len(pieces):
        return pieces, []  # nothing but titles: they are the name
    lead_run = set()
    for s in starts:  # titles standing before any name piece
        if all(j in is_hon for j in range(0, s)):
            lead_run.add(s)
    trail_run = set()
    for s in reversed(starts):
        n = matches[s][0]
        if all(j in is_hon for j in range(s + n, len(pieces))) and any(j not in is_hon for j in range(0, s)):
            trail_run.add(s)
    last_piece = len(pieces) - 1
    strong: list[tuple[int, Honorific]] = []
    weak: list[tuple[int, Honorific]] = []
    for s in starts:
        n, hons = matches[s]
        in_family_slot = family_slot_last and s + n - 1 == last_piece
        for h in hons:
            ok = ((h.where == "lead" and s in lead_run) or (h.where == "trail" and s in trail_run)
                  or (h.where == "any" and not in_family_slot and s not in lead_run and 0 < s)
                  or (h.where == "lead" and h.strength == "strong" and not in_family_slot))
            if ok:
                (strong if h.strength == "strong" else weak).append((s, h))
                break
    removed: set[int] = set()
    found: list[tuple[int, str]] = []

    def take(s: int, h: Honorific) -> None:
        removed.update(range(s, s + matches[s][0]))
        script = pieces[s].script
        found.append((s, h.fa if script == "fa" else h.canonical))

    for s, h in strong:
        if _words_left(pieces, removed | set(range(s, s + matches[s][0]))) >= 1:
            take(s, h)
    lead_weak = [x for x in weak if x[0] in lead_run]
    trail_weak = [x for x in reversed(weak) if x[0] not in lead_run]
    for s, h in lead_weak + trail_weak:
        if _words_left(pieces, removed | set(range(s, s + matches[s][0]))) >= min_words:
            take(s, h)
    kept: list[Piece] = []
    prev_removed = False
    for i, p in enumerate(pieces):
        if i in removed:
            prev_removed = True
            continue
        kept.append(Piece(p.text, p.glued and not prev_removed, p.kind) if prev_removed else p)
        prev_removed = False
    return kept, sorted(found)


def _words(pieces: list[Piece]) -> list[list[Piece]]:
    words: list[list[Piece]] = []
    for p in pieces:
        if p.glued and words:
            words[-1].append(p)
        else:
            words.append([p])
    return words


def _form(word: list[Piece]) -> str:
    text = "".join(p.text for p in word)
    return text if ARABIC_LETTER.search(text) else collapse_doubles(text)


def _unit(words: list[list[Piece]], spaced_between: bool) -> Unit:
    pieces: list[Piece] = []
    spaced: list[bool] = []
    for wi, w in enumerate(words):
        for pi, p in enumerate(w):
            pieces.append(p)
            spaced.append(spaced_between and wi > 0 and pi == 0)
    return Unit(tuple(pieces), tuple(spaced))


def _join_affixes(words: list[list[Piece]], family_first: bool = False) -> list[list[list[Piece]]]:
    """Group words into units by surname affixes: each group is the words of one unit.

    An affix that is both a prefix and a suffix ("پور", "Pour") joins the next word, except when it is
    the last word or, in a ``family_first`` name, the second: "کاظم پور مصطفی" is Kazempour Mostafa
    (the surname comes first, so the affix ends it), not Kazem Pourmostafa."""
    t = tables()
    groups: list[list[list[Piece]]] = []
    pending_prefix: list[list[Piece]] = []
    for i, w in enumerate(words):
        form = _form(w)
        is_last = i == len(words) - 1
        ends_family = family_first and i == 1 and len(groups) == 1 and not pending_prefix
        if form in t.suffixes and (groups or pending_prefix) and (is_last or ends_family or form not in t.prefixes):
            if pending_prefix:
                pending_prefix.append(w)
            else:
                groups[-1].append(w)
            continue
        if form in t.prefixes and not is_last and len(words) > 1:
            pending_prefix.append(w)
            continue
        groups.append(pending_prefix + [w])
        pending_prefix = []
    if pending_prefix:
        groups.append(pending_prefix)
    return groups


def _compound_given(groups: list[list[list[Piece]]], need_rest: bool) -> tuple[Unit | None, int]:
    """The given-name unit at the start of ``groups`` (joining a compound), and how many groups it used."""
    if not groups:
        return None, 0
    t = tables()
    g0 = groups[0]
    if (len(groups) >= (3 if need_rest else 2) and len(g0) == 1 and len(groups[1]) == 1
            and _form(g0[0]) in t.first and _form(groups[1][0]) in t.second):
        return _unit(g0 + groups[1], spaced_between=True), 2
    return _unit(g0, spaced_between=False), 1


@functools.lru_cache(maxsize=100_000)
def analyse(full: str, order: str = "given-first") -> Analysis:
    """The units and honorifics of a full name (cached; see the module docstring for the rules)."""
    if order not in ORDERS:
        raise InputError(f"unknown name order {order!r}; expected one of {', '.join(ORDERS)}", field="order")
    if full is not None and not isinstance(full, str):
        raise TypeError(f"a name must be a str, not {type(full).__name__}")
    text = normalized_name(full or "")
    segments = [s for s in _COMMA.split(text) if s.strip()] if _COMMA.search(text) else [text]
    honorifics: list[str] = []
    if len(segments) > 1:
        family_pieces, found = _strip_honorifics(pieces_of(segments[0]), family_slot_last=False, min_words=1,
                                                 family_segment=True)
        honorifics += [h for _, h in found]
        given_pieces: list[Piece] = []
        for seg in segments[1:]:
            kept, found = _strip_honorifics(pieces_of(seg), family_slot_last=False, min_words=1)
            honorifics += [h for _, h in found]
            given_pieces += kept
        fam_groups = _join_affixes(_words(family_pieces))
        giv_groups = _join_affixes(_words(given_pieces))
        given: list[Unit] = []
        first, used = _compound_given(giv_groups, need_rest=False)
        if first:
            given = [first] + [_unit(g, False) for g in giv_groups[used:]]
        family = [_unit(g, False) for g in fam_groups]
        return Analysis(tuple(given), tuple(family), tuple(honorifics))

    pieces, found = _strip_honorifics(pieces_of(text), family_slot_last=(order == "given-first"),
                                      family_word_first=(order == "family-first"))
    honorifics = [h for _, h in found]
    groups = _join_affixes(_words(pieces), family_first=(order == "family-first"))
    if order == "given-first":
        first, used = _compound_given(groups, need_rest=True)
        given = [first] if first else []
        family = [_unit(g, False) for g in groups[used:]]
    else:
        if len(groups) == 1:
            return Analysis((), (_unit(groups[0], False),), tuple(honorifics))
        family = [_unit(groups[0], False)] if groups else []
        first, used = _compound_given(groups[1:], need_rest=False)
        given = ([first] if first else []) + [_unit(g, False) for g in groups[1 + used:]]
    return Analysis(tuple(given), tuple(family), tuple(honorifics))


def parse_name(full: str, order: str = "given-first") -> ParsedName:
    """Split a full name into given name, family name and honorifics (see the module docstring).

    ``parse_name("Seyed Mohammad Reza Pour-Mohammadi")`` gives ``given="mohammad reza"``,
    ``family="pourmohammadi"``, ``honorifics=("seyed",)``. ``order`` is ``"given-first"`` or
    ``"family-first"``; a comma ("Raisi, Ebrahim") always means family first.
    """
    a = analyse(full, order)
    return ParsedName(
        given=" ".join(u.text for u in a.given),
        family=" ".join(u.text for u in a.family),
        honorifics=a.honorifics,
        original=full or "",
    )
