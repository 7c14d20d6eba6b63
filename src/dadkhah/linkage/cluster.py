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
        """cluster id → its record ids, sorted (clusters in order of their ids)."""
        if not self.clusters:
            return {}
        rids = np.fromiter(self.clusters.keys(), dtype=np.int64, count=len(self.clusters))
        cids = np.fromiter(self.clusters.values(), dtype=np.int64, count=len(self.clusters))
        order = np.lexsort((rids, cids))
        rids, cids = rids[order], cids[order]
        starts = np.flatnonzero(np.r_[True, cids[1:] != cids[:-1]])
        bounds = np.r_[starts, len(cids)].tolist()
        sorted_rids = rids.tolist()
        return {c: sorted_rids[bounds[i]:bounds[i + 1]] for i, c in enumerate(cids[starts].tolist())}

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


def _edge_arrays(edges) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Edges as three arrays (left id, right id, probability), from triples or a frame of scored pairs."""
    if hasattr(edges, "columns"):
        return (edges["unique_id_l"].to_numpy(dtype=np.int64), edges["unique_id_r"].to_numpy(dtype=np.int64),
                edges["match_probability"].to_numpy(dtype=np.float64))
    triples = list(edges)
    if not triples:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.float64)
    a, b, p = zip(*triples, strict=True)
    return np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64), np.asarray(p, dtype=np.float64)


def _pair_arrays(pairs: Iterable[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    pairs = list(pairs)
    if not pairs:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    flat = np.fromiter((x for pair in pairs for x in pair), dtype=np.int64, count=2 * len(pairs))
    return flat[0::2], flat[1::2]


def _positions(ids: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Index of each value in the sorted ``ids``, or -1 where it is not one of them."""
    pos = np.searchsorted(ids, values)
    pos = np.minimum(pos, max(len(ids) - 1, 0))
    found = (ids[pos] == values) if len(ids) else np.zeros(len(values), dtype=bool)
    return np.where(found, pos, -1)


def cluster(records: Sequence[int], edges, threshold: float, *,
            same: Iterable[tuple[int, int]] = (), different: Iterable[tuple[int, int]] = (),
            veto: Iterable[tuple[int, int]] = ()) -> Clustering:
    """Cluster ``records`` (ids) from ``edges`` (id, id, match probability triples, or a frame of scored
    pairs with ``unique_id_l``, ``unique_id_r``, ``match_probability``) at ``threshold``.

    ``same`` and ``different`` are reviewers' decisions (pairs of record ids): hard constraints.
    ``veto`` are pairs the model itself found clearly different: they refuse model edges like
    "different" does, but never a reviewer's "same". Ids outside ``records`` are ignored.

    The result is that of the constrained Kruskal algorithm of the module docstring, computed in two parts:
    a connected component of the links (and "same" decisions) with no constraint between two of its own
    records is a cluster as it is (no edge in it can be refused); only the components that hold both
    records of a constraint are grown edge by edge (:func:`_grow`). At a million records most components
    are of the first kind, and the edge-by-edge loop was most of the clustering time.
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    ids = np.unique(np.fromiter((int(r) for r in records), dtype=np.int64))
    n = len(ids)
    ea, eb, ep = _edge_arrays(edges)
    ia, ib = _positions(ids, ea), _positions(ids, eb)
    keep = (ep >= threshold) & (ia >= 0) & (ib >= 0) & (ia != ib)
    ia, ib = ia[keep], ib[keep]
    same = list(same)
    different = list(different)
    veto = list(veto)
    sa, sb = _pair_arrays(same)
    sia, sib = _positions(ids, sa), _positions(ids, sb)
    sk = (sia >= 0) & (sib >= 0) & (sia != sib)
    sia, sib = sia[sk], sib[sk]
    rows = np.concatenate([ia, sia])
    cols = np.concatenate([ib, sib])
    graph = coo_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(n, n))
    _n, comp = connected_components(graph, directed=False)
    ca, cb = _pair_arrays(different + veto)
    cia, cib = _positions(ids, ca), _positions(ids, cb)
    ck = (cia >= 0) & (cib >= 0) & (cia != cib)
    constrained_comps = np.unique(comp[cia[ck]][comp[cia[ck]] == comp[cib[ck]]])
    inside = np.isin(comp, constrained_comps)
    # free components: named after their smallest record id (ids are sorted, so the first seen)
    first = np.full(_n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, comp, ids)
    cid = first[comp]
    result = Clustering(clusters={})
    free = ~inside
    if free.any():
        # unions in the free part: records less components; those made by "same" decisions are not edges used
        free_comps = len(np.unique(comp[free]))
        same_free = free[sia] if len(sia) else np.zeros(0, dtype=bool)
        if same_free.any():
            sg = coo_matrix((np.ones(int(same_free.sum()), dtype=np.int8), (sia[same_free], sib[same_free])),
                            shape=(n, n))
            _m, same_comp = connected_components(sg, directed=False)
            same_unions = int(free.sum()) - len(np.unique(same_comp[free]))
        else:
            same_unions = 0
        result.edges_used = int(free.sum()) - free_comps - same_unions
    if inside.any():
        members = set(ids[inside].tolist())
        sub_edges = [(a, b, p) for a, b, p in zip(ea[keep].tolist(), eb[keep].tolist(), ep[keep].tolist(),
                                                  strict=True) if a in members]
        sub = _grow(sorted(members), sub_edges, threshold,
                    same=[(a, b) for a, b in same if a in members and b in members],
                    different=[(a, b) for a, b in different if a in members and b in members],
                    veto=[(a, b) for a, b in veto if a in members and b in members])
        result.edges_used += sub.edges_used
        result.refused, result.conflicts, result.refused_by = sub.refused, sub.conflicts, sub.refused_by
        sub_ids = np.fromiter(sub.clusters.keys(), dtype=np.int64, count=len(sub.clusters))
        sub_cid = np.fromiter(sub.clusters.values(), dtype=np.int64, count=len(sub.clusters))
        cid[_positions(ids, sub_ids)] = sub_cid
    result.clusters = dict(zip(ids.tolist(), cid.tolist(), strict=True))
    return result


def _grow(records: Sequence[int], edges: Iterable[tuple[int, int, float]], threshold: float, *,
          same: Iterable[tuple[int, int]] = (), different: Iterable[tuple[int, int]] = (),
          veto: Iterable[tuple[int, int]] = ()) -> Clustering:
    """The constrained Kruskal algorithm itself (see :func:`cluster`), one edge at a time."""
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
