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


def detail(case, pair_id: int, principal: Principal) -> dict:
    from dadkhah.linkage.review import pair_detail

    d = pair_detail(case, pair_id, principal=principal)
    fields = ("name", "given", "family", "father", "gender", "age", "place_of_origin", "detention_site",
              "burial_site", "notes")
    d["rows"] = [{"field": f, "left": d["left"].get(f), "right": d["right"].get(f),
                  "differs": (d["left"].get(f) or "") != (d["right"].get(f) or "")} for f in fields
                 if d["left"].get(f) or d["right"].get(f)]
    for k in ("birth", "death"):
        left, right = d["left"]["dates"].get(k), d["right"]["dates"].get(k)
        if left or right:
            d["rows"].append({"field": k, "left": left, "right": right, "differs": left != right})
    return d


def decide(case, pair_id: int, decision: str, principal: Principal, note: str | None) -> dict:
    from dadkhah.linkage.review import decide as link_decide

    return link_decide(case, pair_id, decision, principal.name, note=note or None, principal=principal)
