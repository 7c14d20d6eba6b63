"""How alike two names are, across scripts: a score in [0, 1] built on the keys.

Both names are parsed (honorifics dropped, compounds and affixes joined) into name units, each with
its key. Units are paired in the best way whatever their order (surname-first lists meet given-first
ones); each pair scores a Levenshtein similarity of the keys (characters; keys are ASCII). A Latin
unit also has an alternative key that reads a single "o" inside a word as the long vowel و (Latin
writers use "o" for both: Rohani/Rouhani, Mosavi/Mousavi, Nori/Nouri); a pair that meets only through
that reading scores at most 0.95. The name score is the mean of the weighted pair scores (weight:
key length; units left unpaired count as 0) and of the weakest pair, so one clearly different part
("Rezaei" vs "Rezvani") pulls the score down even when the other parts are equal. Names whose whole
keys are equal score 1.0; a pairing that changes the order of the units loses 0.02.
"""

from __future__ import annotations

import itertools

from dadkhah.names.parse import analyse

ALTERNATIVE = 0.95
REORDER_PENALTY = 0.02
_MAX_EXACT = 7


def _levenshtein(a: str, b: str) -> int:
    try:
        from rapidfuzz.distance import Levenshtein
    except ImportError:  # pragma: no cover - rapidfuzz is installed with the [all] extra
        prev = list(range(len(b) + 1))
        for i, ca in enumerate(a, 1):
            cur = [i]
            for j, cb in enumerate(b, 1):
                cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
            prev = cur
        return prev[-1]
    return Levenshtein.distance(a, b)


def _ratio(a: str, b: str) -> float:
    if not a and not b:
        return 1.0
    return 1.0 - _levenshtein(a, b) / max(len(a), len(b))


def key_similarity(a: str, b: str) -> float:
    """Levenshtein similarity of two keys: 1 - distance / length of the longer."""
    return 1.0 if a == b else _ratio(a, b)


def _unit_similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """Units as (key, alternative keys…): the primary keys, or an alternative reading at most 0.95."""
    best = key_similarity(a[0], b[0])
    if best < 1.0:
        for x in a:
            for y in b:
                if (x, y) != (a[0], b[0]):
                    best = max(best, ALTERNATIVE * key_similarity(x, y))
    return best


def _best_pairing(ua: list[tuple[str, ...]], ub: list[tuple[str, ...]]) -> tuple[list[tuple[int, int, float]], bool]:
    """Best one-to-one pairing of units (by weighted similarity); and whether it keeps their order."""
    swap = len(ua) > len(ub)
    small, large = (ub, ua) if swap else (ua, ub)
    sims = [[_unit_similarity(x, y) for y in large] for x in small]
    weights = [[len(x[0]) + len(y[0]) for y in large] for x in small]
    best: tuple[float, tuple[int, ...]] = (-1.0, ())
    if len(large) <= _MAX_EXACT:
        for perm in itertools.permutations(range(len(large)), len(small)):
            score = sum(sims[i][j] * weights[i][j] for i, j in enumerate(perm))
            if score > best[0] + 1e-12:
                best = (score, perm)
        pairing = list(best[1])
    else:  # greedy for long names
        pairing, used = [], set()
        for i in range(len(small)):
            j = max((j for j in range(len(large)) if j not in used), key=lambda j: sims[i][j])
            used.add(j)
            pairing.append(j)
    pairs = [(i, j, sims[i][j]) for i, j in enumerate(pairing)]
    if swap:
        pairs = [(j, i, s) for i, j, s in pairs]
    ordered = [j for _, j, _ in sorted(pairs)]
    return pairs, ordered == sorted(ordered)


def _readings(unit) -> tuple[str, ...]:
    """A unit's key, then its alternative key (Latin units with an inner "o"), if different."""
    key = unit.key
    if unit.script == "latin" and "o" in unit.text:
        alt = unit.keyed(o_long=True)
        if alt != key:
            return (key, alt)
    return (key,)


def name_similarity(a: str, b: str) -> float:
    """0..1: how alike two full names are, in any script or spelling (symmetric)."""
    ka, kb = analyse(a or ""), analyse(b or "")
    if ka.key and ka.key == kb.key:
        return 1.0
    ua = [_readings(u) for u in ka.units if u.key]
    ub = [_readings(u) for u in kb.units if u.key]
    if not ua or not ub:
        return 0.0
    if len(ua) > len(ub) or (len(ua) == len(ub) and ua > ub):
        ua, ub = ub, ua  # a canonical argument order keeps the score symmetric
    pairs, ordered = _best_pairing(ua, ub)
    total = sum(len(u[0]) for u in ua) + sum(len(u[0]) for u in ub)
    weighted = sum((len(ua[i][0]) + len(ub[j][0])) * s for i, j, s in pairs) / total
    weakest = min(s for _, _, s in pairs) if len(pairs) == len(ua) == len(ub) else 0.0
    score = (weighted + weakest) / 2
    if not ordered:
        score -= REORDER_PENALTY
    return max(0.0, min(1.0, score))
