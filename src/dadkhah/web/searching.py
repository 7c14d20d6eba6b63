"""Search with facets: names across scripts and spellings, full text, and counts by role, place, period
and organisation. Built on :func:`dadkhah.store.search.search`, which filters by the caller's principal
in the query; facet values are read from the same principal-filtered index rows."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from dadkhah.access import Principal
from dadkhah.web import readmodel

FACETS = ("role", "place", "period", "organization")
ENTITY_FACETS = {"place", "organization"}  # values are entity ids, shown by their labels
MAX_HITS = 100


@dataclass
class SearchResult:
    q: str
    hits: list[dict]
    total: int
    kinds: dict[str, int] = field(default_factory=dict)
    facets: dict[str, list[dict]] = field(default_factory=dict)
    selected: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"q": self.q, "total": self.total, "hits": self.hits, "kinds": self.kinds, "facets": self.facets,
                "selected": self.selected}


def faceted_search(s: Session, q: str, principal: Principal, *, kind: str | None = None,
                   selected: dict[str, str] | None = None, limit: int = 50) -> SearchResult:
    from dadkhah.store.search import search

    selected = {k: v for k, v in (selected or {}).items() if k in FACETS and v}
    hits = search(s, q, principal=principal, limit=min(MAX_HITS, max(limit, 50)))
    # facet values come with the hits, from the index rows the principal may read
    values = {(h.kind, h.id): {k: set(h.facets.get(k) or ()) for k in FACETS} for h in hits}

    def matches(h, skip: str | None = None) -> bool:
        vals = values.get((h.kind, h.id), {})
        return all(v in vals.get(k, set()) for k, v in selected.items() if k != skip)

    kept = [h for h in hits if matches(h)]
    kinds = Counter(h.kind for h in kept)
    if kind:
        kept = [h for h in kept if h.kind == kind]
    counters: dict[str, Counter] = {}
    for key in FACETS:
        counter = counters[key] = Counter()
        for h in hits:
            if (not kind or h.kind == kind) and matches(h, skip=key):
                counter.update(values.get((h.kind, h.id), {}).get(key, set()))
    known = readmodel.refs(s, [v for key in ENTITY_FACETS for v, _ in counters[key].most_common(15)], principal)
    facet_counts: dict[str, list[dict]] = {}
    for key in FACETS:
        entries = []
        for value, n in counters[key].most_common(15):
            label = value
            if key in ENTITY_FACETS:
                if value not in known:
                    continue  # an entity the principal may not see is not offered as a facet
                label = known[value]["label"]
            entry = {"value": value, "label": label, "count": n}
            if key in ENTITY_FACETS:
                entry["id"] = value  # so the label is given in the reader's script
            entries.append(entry)
        if entries:
            facet_counts[key] = entries
    rows = [{"kind": h.kind, "id": h.id, "label": h.label, "score": round(h.score, 3), "snippet": h.snippet,
             "entity_id": h.entity_id} for h in kept[:limit]]
    return SearchResult(q=q, hits=rows, total=len(kept), kinds=dict(kinds), facets=facet_counts,
                        selected=selected)
