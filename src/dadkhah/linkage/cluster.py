"""Clusters from scored pairs, with reviewers' decisions as hard constraints.

Plain connected components at a threshold lets one doubtful edge chain two people together, and
cannot respect "these two are different". Here clusters are grown like Kruskal's algorithm:

1. every "same" decision joins its two records (must-link);
2. model edges at or above the threshold join records, strongest first;
3. an edge is refused when it would put into one cluster two records that a reviewer said are
   "different" (cannot-link) — so one "different" splits a cluster however the records were chained.

A "same" that contradicts a "different" (directly or through other "same" decisions) is reported as
a conflict and the "different" wins. Results are deterministic: ties are broken by record ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Clustering:
    clusters: dict[int, int]  # record id → cluster id (the smallest record id in the cluster)
    edges_used: int = 0
    refused: list[tuple[int, int, float]] = field(default_factory=list)  # edges a "different" refused
    conflicts: list[tuple[int, int]] = field(default_factory=list)  # "same" decisions that could not hold
    refused_by: dict[tuple[int, int], list[tuple[int, int, float]]] = field(default_factory=dict)
    # the constraint (a "different" decision or a veto, as a record pair) → the edges it refused

    def refusals(self, vetoes: set[tuple[int, int]] | frozenset = frozenset(), most: int = 10) -> list[dict]:
        """The constraints that refused most links, most first: which pair, what kind ("different" from a
        reviewer, or "veto" from the model's own check), how many links it refused and the strongest."""
        out = []
        for pair, edges in sorted(self.refused_by.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:most]:
            kind = "veto" if pair in vetoes else "different"
            strongest = max(edges, key=lambda e: e[2])
            why = (f"records {pair[0]} and {pair[1]} must stay apart "
                   + ("(a reviewer said 'different')" if kind == "different" else
                      "(the model found them clearly different, or they contradict each other)")
                   + f": {len(edges)} link(s) that would have put them into one cluster, through other records, "
                   f"were refused, the strongest {strongest[0]}–{strongest[1]} at p={strongest[2]:.3f}")
            out.append({"records": list(pair), "kind": kind, "links_refused": len(edges),
                        "strongest": {"records": [strongest[0], strongest[1]], "match_probability":
                                      round(strongest[2], 4)}, "why": why})
        return out

    def members(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for rid, c in self.clusters.items():
            out.setdefault(c, []).append(rid)
        for m in out.values():
            m.sort()
        return out

    def sizes(self) -> dict[int, int]:
        """How many clusters have each size."""
        counts: dict[int, int] = {}
        for m in self.members().values():
            counts[len(m)] = counts.get(len(m), 0) + 1
        return dict(sorted(counts.items()))


class _UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))
        self.cannot: dict[int, list[tuple[int, int]]] = {}  # root → (index it must not join, constraint id)

    def find(self, i: int) -> int:
        parent = self.parent
        root = i
        while parent[root] != root:
            root = parent[root]
        while parent[i] != root:
            parent[i], i = root, parent[i]
        return root

    def forbidden(self, ra: int, rb: int) -> int | None:
        """The id of a constraint that keeps the two components apart, or None."""
        small, big = (ra, rb) if len(self.cannot.get(ra, ())) <= len(self.cannot.get(rb, ())) else (rb, ra)
        for j, origin in self.cannot.get(small, ()):
            if self.find(j) == big:
                return origin
        return None

    def union(self, ra: int, rb: int) -> None:
        if ra > rb:
            ra, rb = rb, ra
        self.parent[rb] = ra
        if rb in self.cannot:
            self.cannot.setdefault(ra, []).extend(self.cannot.pop(rb))


def cluster(records: Sequence[int], edges: Iterable[tuple[int, int, float]], threshold: float, *,
            same: Iterable[tuple[int, int]] = (), different: Iterable[tuple[int, int]] = (),
            veto: Iterable[tuple[int, int]] = ()) -> Clustering:
    """Cluster ``records`` (ids) from ``edges`` (id, id, match probability) at ``threshold``.

    ``same`` and ``different`` are reviewers' decisions (pairs of record ids): hard constraints.
    ``veto`` are pairs the model itself found clearly different: they refuse model edges like
    "different" does, but never a reviewer's "same". Ids outside ``records`` are ignored.
    """
    ids = np.asarray(sorted(set(int(r) for r in records)), dtype=np.int64)
    index = {int(r): i for i, r in enumerate(ids)}
    uf = _UnionFind(len(ids))
    result = Clustering(clusters={})
    diff_pairs: set[tuple[int, int]] = set()
    origins: list[tuple[int, int]] = []  # constraint id → its record pair
    for a, b in different:
        if a in index and b in index and a != b:
            ia, ib = index[a], index[b]
            origins.append((min(a, b), max(a, b)))
            uf.cannot.setdefault(ia, []).append((ib, len(origins) - 1))
            uf.cannot.setdefault(ib, []).append((ia, len(origins) - 1))
            diff_pairs.add((min(a, b), max(a, b)))
    same_pairs = {(min(a, b), max(a, b)) for a, b in same}
    for a, b in sorted(same_pairs):
        if a not in index or b not in index or a == b:
            continue
        ra, rb = uf.find(index[a]), uf.find(index[b])
        if ra == rb:
            continue
        if uf.forbidden(ra, rb) is not None:
            result.conflicts.append((a, b))
            continue
        uf.union(ra, rb)
    for a, b in veto:
        if a in index and b in index and a != b and (min(a, b), max(a, b)) not in same_pairs:
            ra, rb = uf.find(index[a]), uf.find(index[b])
            if ra != rb:  # (when reviewers said "same" they are joined already: the reviewers win)
                origins.append((min(a, b), max(a, b)))
                uf.cannot.setdefault(ra, []).append((index[b], len(origins) - 1))
                uf.cannot.setdefault(rb, []).append((index[a], len(origins) - 1))
    e = [(p, min(a, b), max(a, b)) for a, b, p in edges if p >= threshold and a in index and b in index and a != b]
    e.sort(key=lambda t: (-t[0], t[1], t[2]))
    for p, a, b in e:
        ra, rb = uf.find(index[a]), uf.find(index[b])
        if ra == rb:
            continue
        origin = uf.forbidden(ra, rb) if uf.cannot else None
        if origin is not None:
            result.refused.append((a, b, p))
            result.refused_by.setdefault(origins[origin], []).append((a, b, p))
            continue
        uf.union(ra, rb)
        result.edges_used += 1
    id_list = ids.tolist()
    result.clusters = {rid: id_list[uf.find(i)] for i, rid in enumerate(id_list)}
    return result
