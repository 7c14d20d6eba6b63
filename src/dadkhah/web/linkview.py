"""The web's adapter to linkage review (:mod:`dadkhah.linkage.review`): the queue of uncertain pairs,
one pair side by side, and the reviewer's decision. The review service checks the caller's right to
review and the sensitivity of both list records."""

from __future__ import annotations

from dadkhah.access import Principal
from dadkhah.errors import NotFound
from dadkhah.web.peers import available


def review_available() -> bool:
    return available("dadkhah.linkage.review", "next_pairs", "pair_detail", "decide")


def queue(case, principal: Principal, n: int = 20) -> tuple[list[dict], str | None]:
    """``(pairs, problem)``: the most uncertain undecided pairs with both names, or why there are none."""
    from dadkhah.linkage.review import next_pairs, pair_detail

    try:
        pairs = next_pairs(case, n, principal=principal)
    except NotFound as exc:
        return [], str(exc)
    out = []
    for p in pairs:
        try:
            d = pair_detail(case, p["pair"], principal=principal)
        except NotFound:
            continue
        out.append({**p, "left": d["left"], "right": d["right"]})
    return out, None


NAME_FIELDS = ("name", "given", "family", "father")
TEXT_FIELDS = ("gender", "age", "place_of_origin", "detention_site", "burial_site", "notes")


def compare_values(field: str, left, right) -> str:
    """How two records' values of one field compare, by what they mean rather than how they are written:
    ``same`` (the same cross-script key: حسین and Hossein are the same name), ``similar`` (a spelling or
    transliteration away), ``different``, or ``one`` (only one record says)."""
    from dadkhah.names.keys import name_key
    from dadkhah.names.normalize import normalize
    from dadkhah.names.script import to_ascii_digits
    from dadkhah.names.similarity import name_similarity

    if left in (None, "") or right in (None, ""):
        return "one"
    a, b = to_ascii_digits(str(left)).strip(), to_ascii_digits(str(right)).strip()
    if a.casefold() == b.casefold() or normalize(a) == normalize(b):
        return "same"
    if field == "notes":
        return "different"
    ka, kb = name_key(a), name_key(b)
    if ka and ka == kb:
        return "same"
    if field in NAME_FIELDS or field in ("place_of_origin", "detention_site", "burial_site"):
        if name_similarity(a, b) >= 0.85:
            return "similar"
    return "different"


def detail(case, pair_id: int, principal: Principal) -> dict:
    from dadkhah.linkage.review import pair_detail

    d = pair_detail(case, pair_id, principal=principal)
    d["rows"] = []
    for f in NAME_FIELDS + TEXT_FIELDS:
        left, right = d["left"].get(f), d["right"].get(f)
        if left or right:
            how = compare_values(f, left, right)
            d["rows"].append({"field": f, "left": left, "right": right, "compare": how, "differs": how == "different"})
    raw = _raw_dates(case, [d["left"]["id"], d["right"]["id"]], principal)
    for k in ("birth", "death"):
        left, right = raw.get(d["left"]["id"], {}).get(k), raw.get(d["right"]["id"], {}).get(k)
        if left or right:
            how = compare_dates(left, right)
            d["left"].setdefault("date_values", {})[k] = left
            d["right"].setdefault("date_values", {})[k] = right
            d["rows"].append({"field": k, "left": left, "right": right, "compare": how, "differs": how == "different",
                              "date": True})
    d["comparisons"] = [dict(c, **explain_level(c)) for c in d.get("comparisons", [])]
    return d


def _raw_dates(case, record_ids: list[str], principal: Principal) -> dict[str, dict]:
    """record id → {"birth": date dict, "death": …} as parsed at import (the review service has already
    checked that the principal may see both records)."""
    from dadkhah.lists.tables import ListRecord

    out = {}
    with case.reader(principal) as s:
        for rid in record_ids:
            rec = s.get(ListRecord, rid)
            if rec is not None:
                out[rid] = {k: rec.fields.get(k) for k in ("birth", "death") if rec.fields.get(k)}
    return out


def compare_dates(left: dict | None, right: dict | None) -> str:
    """``same`` (the same span), ``similar`` (the spans overlap: 1336 and "aged 31 in 1367"), ``different``."""
    if not left or not right:
        return "one"
    a = (left.get("low"), left.get("high"))
    b = (right.get("low"), right.get("high"))
    if None in a or None in b:
        return "same" if left.get("text") == right.get("text") else "different"
    if a == b:
        return "same"
    return "similar" if a[0] <= b[1] and b[0] <= a[1] else "different"


_LEVEL_PATTERNS: list[tuple[str, str]] = [
    (r"^(?P<what>[a-z_]+) is NULL$", "missing"),
    (r"^same key$", "same_key"),
    (r"^same skeleton$", "same_skeleton"),
    (r"^same but for vowel letters", "same_but_vowels"),
    (r"^one edit apart$", "one_edit"),
    (r"^(?P<n>\d+) edits apart$", "edits"),
    (r"^the whole name the same, split between given and family name elsewhere$", "split_elsewhere"),
    (r"^Jaro-Winkler >= (?P<n>[0-9.]+)$", "similar_spelling"),
    (r"^All other comparisons$|^All other$|^else$", "other"),
    (r"^same day$", "same_day"),
    (r"^within a week$", "within_week"),
    (r"^overlap, both within (?P<n>\d+) days$", "overlap_narrow"),
    (r"^intervals overlap$", "overlap"),
    (r"^within (?P<n>\d+) days$", "within_days"),
    (r"^no dates to compare; same age at death$", "same_age"),
    (r"^no dates to compare; ages at death a year apart$", "age_year"),
    (r"^no dates to compare; ages at death differ$", "age_differs"),
    (r"^same (?P<parent>\w+) \(one names only the \w+\)$", "same_parent_only"),
    (r"^same (?P<parent>\w+), different (?P<what>\w+)$", "same_parent_different"),
    (r"^same list$", "same_list"),
    (r"^different lists$", "different_lists"),
    (r"^places compared directly, or none to compare$", "region_null"),
    (r"^a place of one in the province of a place of the other$", "region_same"),
    (r"^their places lie in different provinces$", "region_different"),
    (r"^same given and family name$", "same_whole_name"),
    (r"^not both names equal$", "whole_name_differs"),
    (r"^same (?P<what>\w+)$", "same_thing"),
    (r"^level not known", "unknown"),
]


def explain_level(c: dict) -> dict:
    """The message key (``review.lvl.*``) and values that say one comparison's level in plain words, in any
    language: {"level_key", "level_values", "comparison_key"}."""
    import re

    label = str(c.get("level") or "")
    if c.get("gamma") == -2:
        return {"level_key": "review.lvl.unknown", "level_values": {},
                "comparison_key": f"review.cmp.{c.get('comparison')}"}
    for pattern, key in _LEVEL_PATTERNS:
        m = re.match(pattern, label)
        if m:
            values = {k: v for k, v in m.groupdict().items() if v}
            if "n" in values:
                n = float(values["n"])
                values["n"] = int(round(n * 100)) if n < 1 else int(n)
            for k in ("what", "parent"):
                if k in values:
                    values[k] = f"review.thing.{values[k]}"
            return {"level_key": f"review.lvl.{key}", "level_values": values,
                    "comparison_key": f"review.cmp.{c.get('comparison')}"}
    return {"level_key": "review.lvl.level_n", "level_values": {"n": c.get("gamma")},
            "comparison_key": f"review.cmp.{c.get('comparison')}"}


def decide(case, pair_id: int, decision: str, principal: Principal, note: str | None) -> dict:
    from dadkhah.linkage.review import decide as link_decide

    return link_decide(case, pair_id, decision, principal.name, note=note or None, principal=principal)
