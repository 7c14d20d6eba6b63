"""Linkage over a case: run the model, keep the scored pairs, cluster with reviewers' decisions.

    report = run_linkage(case, threshold=0.9)          # `dadkhah link run`
    recluster(case)                                    # after decisions (done by review.decide)
    clusters = current_clusters(session)               # record id → cluster key
    explain_cluster(session, "c42")                    # members, links, levels, decisions

A cluster is named after its smallest record id (``c42``). Every record that is active in a list is in
exactly one cluster; a record no pair links is a cluster of its own (one documented victim).
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from dadkhah.access import SYSTEM, Principal, allowed_sensitivities, need, require
from dadkhah.errors import InputError, NotFound
from dadkhah.linkage import engine
from dadkhah.linkage.cluster import Clustering, cluster
from dadkhah.linkage.features import feature_frame
from dadkhah.linkage.merge import person_of_records, sync_persons
from dadkhah.linkage.tables import (
    DECISIONS,
    LinkAssignment,
    LinkDecision,
    LinkMerge,
    LinkPair,
    LinkRun,
    cluster_key,
    cluster_record,
)
from dadkhah.lists.tables import ListRecord, VictimList
from dadkhah.model.base import utcnow
from dadkhah.store import audit

DEFAULT_THRESHOLD = 0.5
BATCH = 10_000
Step = Callable[[str], None]


def check_threshold(threshold: float) -> float:
    try:
        threshold = float(threshold)
    except (TypeError, ValueError):
        raise InputError(f"the threshold must be a probability, not {threshold!r}", field="threshold") from None
    if not 0.0 < threshold < 1.0:
        raise InputError(f"the threshold must be between 0 and 1 (exclusive), not {threshold}", field="threshold")
    return threshold


@dataclass
class RunReport:
    run_id: int
    threshold: float
    backend: str
    records: int
    lists: dict[str, int]
    pairs_stored: int
    links: int
    clusters: int
    cluster_sizes: dict[int, int]
    decisions: dict[str, int]
    conflicts: list[tuple[int, int]]
    refused: int
    prior: float
    blocking: list[dict]
    comparisons: list[dict]
    labels_used: int
    timings: dict[str, float]
    persons: dict[str, int] = field(default_factory=dict)
    pairs_scored: int = 0  # every pair the blocking rules proposed, scored
    match_rate: dict = field(default_factory=dict)  # the estimated rate of matching pairs, and how it was measured
    blocking_used: list[str] = field(default_factory=list)
    blocking_dropped: list[dict] = field(default_factory=list)  # rules left out, with their pairs and why
    refusals: list[dict] = field(default_factory=list)  # the constraints that refused most links, and why
    kept_apart: dict = field(default_factory=dict)  # pairs the model's own checks kept apart
    training: list[dict] = field(default_factory=list)  # the EM sessions: rule, pairs, trained or failed

    def to_dict(self) -> dict:
        d = dict(self.__dict__)
        d["cluster_sizes"] = {str(k): v for k, v in self.cluster_sizes.items()}
        d["timings"] = {k: round(v, 2) for k, v in self.timings.items()}
        return d


# --- reading ---------------------------------------------------------------------------------------------

def latest_run(session: Session) -> LinkRun | None:
    return session.scalars(select(LinkRun).where(LinkRun.finished_at.is_not(None))
                           .order_by(LinkRun.id.desc()).limit(1)).first()


def require_run(session: Session) -> LinkRun:
    run = latest_run(session)
    if run is None:
        raise NotFound("no linkage run yet: run `dadkhah link run` first")
    return run


def active_records(session: Session, principal: Principal) -> list[tuple[int, str, dict]]:
    """(id, list, fields) of the active records ``principal`` may read (the linkage itself passes
    :data:`dadkhah.access.SYSTEM`: it links every record, whoever started it)."""
    t = ListRecord.__table__
    stmt = (select(t.c.id, VictimList.name, t.c.fields).join(VictimList, VictimList.id == t.c.list_id)
            .where(t.c.status == "active").order_by(t.c.id))
    stmt = stmt.where(t.c.sensitivity.in_(allowed_sensitivities(need(principal, "reading list records"))))
    return [(r[0], r[1], r[2]) for r in session.execute(stmt)]


def current_decisions(session: Session) -> dict[tuple[int, int], LinkDecision]:
    """The latest decision on each pair (decisions are never overwritten, only superseded)."""
    out: dict[tuple[int, int], LinkDecision] = {}
    for d in session.scalars(select(LinkDecision).order_by(LinkDecision.id)):
        out[(d.record_l, d.record_r)] = d
    return out


def constraints(session: Session) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(same, different) pairs from the current decisions; "unsure" constrains nothing."""
    same, different = [], []
    for pair, d in current_decisions(session).items():
        if d.decision == "same":
            same.append(pair)
        elif d.decision == "different":
            different.append(pair)
    return same, different


def stored_edges(session: Session, run_id: int, threshold: float) -> list[tuple[int, int, float]]:
    t = LinkPair.__table__
    stmt = select(t.c.record_l, t.c.record_r, t.c.match_probability).where(
        t.c.run_id == run_id, t.c.match_probability >= threshold)
    return [(a, b, p) for a, b, p in session.execute(stmt)]


def stored_vetoes(session: Session, run: LinkRun) -> list[tuple[int, int]]:
    """Pairs the run kept apart: those it found clearly different when it checked every pair inside its
    clusters (stored pairs below ``veto``), and those its coherence checks split (different fathers,
    contradicting dates, brothers or sisters), which the run lists in its summary."""
    veto = run.summary.get("veto")
    out = [(int(a), int(b)) for a, b in run.summary.get("kept_apart_pairs") or []]
    if not veto:
        return out
    t = LinkPair.__table__
    stmt = select(t.c.record_l, t.c.record_r).where(t.c.run_id == run.id, t.c.match_probability < veto)
    return [(a, b) for a, b in session.execute(stmt)] + out


def _kept_apart_pairs(out: engine.LinkOutput, veto: float) -> list[list[int]]:
    """The run's vetoes that its stored pairs do not show (not a stored pair scored below ``veto``)."""
    low = out.pairs[out.pairs["match_probability"] < veto]
    shown = set(zip(low["unique_id_l"].astype("int64").tolist(), low["unique_id_r"].astype("int64").tolist(),
                    strict=True))
    return sorted([int(min(a, b)), int(max(a, b))] for a, b in out.veto_pairs
                  if (min(a, b), max(a, b)) not in shown)


def current_clusters(session: Session) -> dict[int, str]:
    """record id → cluster key, for every record clustered by the latest run or re-clustering."""
    t = LinkAssignment.__table__
    return {rid: c for rid, c in session.execute(select(t.c.record_id, t.c.cluster))}


def clusters_at(session: Session, threshold: float | None = None, *, principal: Principal) -> dict[int, str]:
    """Clusters of the active records: the current ones, or recomputed at another ``threshold``
    from the latest run's pairs and the current decisions (nothing is written)."""
    if threshold is None:
        assigned = current_clusters(session)
        return {rid: assigned.get(rid, cluster_key(rid)) for rid, _, _ in active_records(session, principal)}
    threshold = check_threshold(threshold)
    run = require_run(session)
    if threshold < run.summary.get("floor", 0.0):
        raise InputError(f"the latest run kept pairs down to {run.summary.get('floor')} only; "
                         f"re-run the linkage with a lower floor to cluster at {threshold}", field="threshold")
    ids = [rid for rid, _, _ in active_records(session, principal)]
    same, different = constraints(session)
    result = cluster(ids, stored_edges(session, run.id, threshold), threshold, same=same, different=different,
                     veto=stored_vetoes(session, run))
    return {rid: cluster_key(c) for rid, c in result.clusters.items()}


# --- running ---------------------------------------------------------------------------------------------

def _digest(rows: list[dict]) -> str:
    return hashlib.sha256(audit.canonical(rows).encode("utf-8")).hexdigest()


def _write_assignments(session: Session, run_id: int, result: Clustering, actor: str) -> None:
    conn = session.connection()
    t = LinkAssignment.__table__
    conn.execute(delete(t))
    rows = [{"record_id": rid, "cluster": cluster_key(c), "run_id": run_id} for rid, c in result.clusters.items()]
    for i in range(0, len(rows), BATCH):
        conn.execute(insert(t), rows[i:i + BATCH])
    audit.append_rows(session, actor=actor, action="replace", table=t, record_id=f"run {run_id}", rows=rows,
                      replace=True, after={"records": len(rows), "clusters": len(set(result.clusters.values())),
                                           "sha256": _digest(rows)})


def _write_pairs(session: Session, run_id: int, pairs, actor: str) -> int:
    t = LinkPair.__table__
    gammas = [c for c in pairs.columns if c.startswith("gamma_")]
    names = [c[len("gamma_"):] for c in gammas]
    total = 0
    cols = ["unique_id_l", "unique_id_r", "match_probability", "match_weight", *gammas]
    batch: list[dict] = []
    for row in pairs[cols].itertuples(index=False, name=None):
        batch.append({"run_id": run_id, "record_l": int(row[0]), "record_r": int(row[1]),
                      "match_probability": float(row[2]), "match_weight": float(row[3]),
                      "levels": {n: int(g) for n, g in zip(names, row[4:], strict=True)}})
        if len(batch) >= BATCH:
            total += _flush_pairs(session, t, batch, run_id, actor)
            batch = []
    if batch:
        total += _flush_pairs(session, t, batch, run_id, actor)
    return total


def _flush_pairs(session: Session, t, batch: list[dict], run_id: int, actor: str) -> int:
    written = session.connection().execute(insert(t).returning(*t.c, sort_by_parameter_order=True),
                                           batch).mappings().all()
    audit.append_rows(session, actor=actor, action="bulk-insert", table=t, record_id=f"run {run_id}", rows=written,
                      after={"pairs": len(batch), "sha256": _digest(batch)})
    return len(batch)


def run_linkage(case, *, threshold: float = DEFAULT_THRESHOLD, options: engine.EngineOptions | None = None,
                actor: str | None = None, principal: Principal, merge: bool = True,
                step: Step | None = None) -> RunReport:
    """Dedupe within and link across every active list record; store pairs, clusters (and persons).
    ``principal`` (who starts the run) must be allowed to edit; the run itself reads every record, as
    :data:`dadkhah.access.SYSTEM` (a clustering over part of the lists would split people)."""
    threshold = check_threshold(threshold)
    options = options or engine.EngineOptions()
    actor = actor or case.actor
    require(need(principal, "a linkage run"), "edit")
    step = step or (lambda _m: None)
    t0 = time.perf_counter()
    step("reading list records")
    with case.reader(SYSTEM) as s:
        recs = active_records(s, SYSTEM)
        same, different = constraints(s)
    if not recs:
        raise InputError("no list records to link: import lists first (`dadkhah lists import`)")
    step(f"computing name keys, dates and places for {len(recs):,} records")
    df = feature_frame(recs)
    active = {r[0] for r in recs}
    same = [p for p in same if p[0] in active and p[1] in active]
    different = [p for p in different if p[0] in active and p[1] in active]
    out = engine.link(df, threshold, same=same, different=different, options=options, step=step)
    result = out.clustering
    edges = list(out.pairs[["unique_id_l", "unique_id_r", "match_probability"]].itertuples(index=False, name=None))
    timings = {"read": 0.0, **out.timings}
    step("saving pairs and clusters")
    t = time.perf_counter()
    with case.session(actor=actor, principal=principal) as s:
        run = LinkRun(actor=actor, backend=options.backend, threshold=threshold, model=out.model, summary={})
        s.add(run)
        s.flush()
        stored = _write_pairs(s, run.id, out.pairs, actor)
        _write_assignments(s, run.id, result, actor)
        persons: dict[str, int] = {}
        if merge:
            step("updating merged persons")
            persons = sync_persons(s, run.id, result, actor=actor)
        lists = Counter(name for _, name, _ in recs)
        report = RunReport(
            run_id=run.id, threshold=threshold, backend=options.backend, records=len(recs), lists=dict(lists),
            pairs_stored=stored, links=sum(1 for _, _, p in edges if p >= threshold),
            clusters=len(set(result.clusters.values())), cluster_sizes=result.sizes(),
            decisions={"same": len(same), "different": len(different)}, conflicts=result.conflicts,
            refused=len(result.refused), prior=out.model.get("probability_two_random_records_match", 0.0),
            blocking=[b.to_dict() for b in out.blocking], comparisons=out.comparisons, labels_used=out.labels_used,
            timings=timings, persons=persons, **explain_run(out, len(recs)))
        timings["save"] = time.perf_counter() - t
        timings["total"] = time.perf_counter() - t0
        run.summary = {**report.to_dict(), "floor": options.floor, "veto": options.veto, "vetoes": out.vetoes,
                       "kept_apart_pairs": _kept_apart_pairs(out, options.veto)}
        run.finished_at = utcnow()
    return report


def explain_run(out: engine.LinkOutput, records: int) -> dict:
    """What `link run --json` says beyond the counts: the blocking rules used and dropped, the pairs scored,
    the estimated match rate (and how it was measured), the EM sessions, and which constraints refused links."""
    prior = out.model.get("probability_two_random_records_match", 0.0) or 0.0
    possible = records * (records - 1) // 2
    used = [b for b in out.blocking if b.used]
    dropped = [{**b.to_dict(), "why": ("it proposes no pair" if b.pairs == 0 else
                                       "its pairs would burst the blocking budget")}
               for b in out.blocking if not b.used]
    rate = {"prior": prior, "possible_pairs": possible,
            "expected_matching_pairs": round(out.expected_matches, 1) if out.expected_matches is not None
            else round(prior * possible, 1),
            "expected_matches_per_record": round(2 * prior * possible / records, 4) if records else 0.0,
            "left_out_matches": round(out.left_out_matches, 1) if out.left_out_matches else 0.0,
            "how": "the sum of the match probabilities of every scored pair, re-estimated to a fixed point, "
                   "with those of a scored sample of the pairs the capped blocking rules left out counted for "
                   "all of them (left_out_matches; other pairs no blocking rule proposes count as "
                   "non-matches), divided by all possible pairs"}
    clustering = out.clustering
    refusals = clustering.refusals(out.veto_pairs) if clustering is not None else []
    return {"pairs_scored": out.pairs_scored, "match_rate": rate,
            "blocking_used": [b.to_dict()["rule"] for b in used], "blocking_dropped": dropped,
            "refusals": refusals, "training": out.em_sessions,
            "kept_apart": {"vetoes": out.vetoes - out.incoherent, "incoherent": out.incoherent,
                           "why": "pairs inside a cluster that the model scored below the veto, or that "
                                  "contradict each other (different fathers, exact dates apart) without a "
                                  "strong link of their own: the cluster is split at its weakest link"}}


def recluster(case, *, principal: Principal, actor: str | None = None, session: Session | None = None,
              merge: bool = True) -> Clustering:
    """Cluster again from the latest run's pairs and the current decisions (no re-training). ``principal``
    must be allowed to review (a decision re-clusters); the clustering covers every record (as
    :data:`dadkhah.access.SYSTEM`)."""
    require(need(principal, "re-clustering"), "review")
    if session is not None:
        return _recluster(session, actor or case.actor, merge)
    with case.session(actor=actor, principal=principal) as s:
        return _recluster(s, actor or case.actor, merge)


def _recluster(s: Session, actor: str, merge: bool) -> Clustering:
    run = require_run(s)
    ids = [rid for rid, _, _ in active_records(s, SYSTEM)]
    same, different = constraints(s)
    result = cluster(ids, stored_edges(s, run.id, run.threshold), run.threshold, same=same, different=different,
                     veto=stored_vetoes(s, run))
    _write_assignments(s, run.id, result, actor)
    if merge and _has_merges(s):
        sync_persons(s, run.id, result, actor=actor)
    return result


def _has_merges(s: Session) -> bool:
    return s.scalar(select(LinkMerge.id).limit(1)) is not None


# --- explaining ------------------------------------------------------------------------------------------

def level_labels(run: LinkRun) -> dict[str, dict[int, dict]]:
    """comparison → gamma → {label, weight} for the run's model."""
    out: dict[str, dict[int, dict]] = {}
    for comp in run.summary.get("comparisons", []):
        out[comp["name"]] = {int(lv["gamma"]): {"label": lv["label"], "weight": lv["weight"]}
                             for lv in comp["levels"]}
    return out


UNKNOWN_LEVEL_LABEL = "level not known (its weight does not tell the levels apart, e.g. an untrained comparison)"


def explain_levels(run: LinkRun, levels: dict) -> list[dict]:
    """Each comparison of a pair: its level's label and weight (bits). A pair whose level could not be
    told from its weight (:data:`dadkhah.linkage.engine.LEVEL_UNKNOWN`) says so, with the weight the
    comparison gave it when all its candidate levels weigh the same."""
    labels = level_labels(run)
    out = []
    for name, gamma in levels.items():
        gamma = int(gamma)
        comp = labels.get(name, {})
        if gamma == engine.LEVEL_UNKNOWN:
            weights = {lv["weight"] for g, lv in comp.items() if g != -1}
            out.append({"comparison": name, "level": UNKNOWN_LEVEL_LABEL, "gamma": gamma,
                        "weight": 0.0 if weights <= {0.0, None} else None})
            continue
        info = comp.get(gamma, {})
        out.append({"comparison": name, "level": info.get("label", str(gamma)), "gamma": gamma,
                    "weight": info.get("weight") if gamma != -1 else 0.0})
    return out


def record_brief(rec: dict) -> dict:
    f = rec["fields"]
    return {"id": rec["id"], "list": rec["list"], "row": rec["row"], "name": f.get("full_name"),
            "father": f.get("father"), "birth": (f.get("birth") or {}).get("text"),
            "death": (f.get("death") or {}).get("text"), "place_of_origin": f.get("place_of_origin"),
            "detention_site": f.get("detention_site"), "burial_site": f.get("burial_site")}


def explain_cluster(session: Session, key: str, principal: Principal) -> dict:
    """Why a cluster holds what it holds: its records, the scored links among them (with the level of
    every comparison), the near misses to records outside it, and the reviewers' decisions."""
    from dadkhah.lists.service import get_record, record_to_dict

    principal = need(principal, "explaining a cluster")
    run = require_run(session)
    cluster_record(key)
    members = sorted(rid for rid, c in current_clusters(session).items() if c == key)
    if not members:
        try:
            get_record(session, cluster_record(key), SYSTEM)  # does the cluster exist at all
        except NotFound:
            raise NotFound(f"no cluster {key!r}") from None
        members = [cluster_record(key)]
    visible = []
    for rid in members:
        try:
            visible.append(record_to_dict(session, get_record(session, rid, principal), principal))
        except NotFound:
            continue
    if not visible:
        raise NotFound(f"no cluster {key!r}")
    ids = {r["id"] for r in visible}
    t = LinkPair.__table__
    rows = session.execute(select(t).where(t.c.run_id == run.id, (t.c.record_l.in_(ids)) | (t.c.record_r.in_(ids)))
                           .order_by(t.c.match_probability.desc())).mappings().all()
    links, near = [], []
    for r in rows:
        item = {"records": [r["record_l"], r["record_r"]], "match_probability": round(r["match_probability"], 4),
                "match_weight": round(r["match_weight"], 2), "levels": explain_levels(run, r["levels"])}
        if r["record_l"] in ids and r["record_r"] in ids:
            links.append(item)
        elif r["match_probability"] >= min(0.2, run.threshold):
            near.append(item)
    # a near miss or a decision names a record outside the cluster: only one the reader may read
    touching = {(a, b): d for (a, b), d in current_decisions(session).items() if a in ids or b in ids}
    outside = {x for item in near for x in item["records"] if x not in ids} | {
        x for pair in touching for x in pair if x not in ids}
    readable: set[int] = set()
    if outside:
        lt = ListRecord.__table__
        readable = set(session.scalars(select(lt.c.id).where(
            lt.c.id.in_(outside), lt.c.sensitivity.in_(allowed_sensitivities(principal)))))
    near = [item for item in near if all(x in ids or x in readable for x in item["records"])]
    decisions = [
        {"records": [d.record_l, d.record_r], "decision": d.decision, "reviewer": d.reviewer,
         "decided_at": d.decided_at, "note": d.note, "origin": d.origin}
        for (a, b), d in touching.items() if all(x in ids or x in readable for x in (a, b))]
    return {"cluster": key, "threshold": run.threshold, "run": run.id, "records": [record_brief(r) for r in visible],
            "person": person_of_records(session, sorted(ids)), "links": links, "near_misses": near[:20],
            "decisions": decisions,
            "why": _why(len(visible), links, decisions, run.threshold)}


def _why(n: int, links: list[dict], decisions: list[dict], threshold: float) -> str:
    if n == 1:
        return "no other record scored at or above the threshold (or a reviewer kept them apart)"
    strong = sum(1 for link in links if link["match_probability"] >= threshold)
    same = sum(1 for d in decisions if d["decision"] == "same")
    return (f"{n} records joined by {strong} scored link(s) at or above {threshold}"
            + (f" and {same} reviewer 'same' decision(s)" if same else ""))


def export_rows(session: Session, principal: Principal) -> list[tuple[str, int, str]]:
    """(list, row, cluster) for every active record the principal may see; row = 1-based data row."""
    assigned = current_clusters(session)
    t = ListRecord.__table__
    stmt = (select(VictimList.name, t.c.file_row, t.c.id, VictimList.position)
            .join(VictimList, VictimList.id == t.c.list_id).where(t.c.status == "active")
            .where(t.c.sensitivity.in_(allowed_sensitivities(need(principal, "exporting clusters")))))
    rows = sorted(session.execute(stmt), key=lambda r: (r[3], r[1]))
    return [(name, row, assigned.get(rid, cluster_key(rid))) for name, row, rid, _ in rows]


def export_csv(rows: list[tuple[str, int, str]]) -> str:
    """:func:`export_rows` as CSV text: a ``list,row,cluster`` header, then a line per record."""
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["list", "row", "cluster"])
    w.writerows(rows)
    return buf.getvalue()


def summary(session: Session, principal: Principal) -> dict:
    """The latest run, counted over the records ``principal`` may see: records, clusters and their sizes,
    reviewers' decisions between two such records (a record above the reader's level is not counted)."""
    run = latest_run(session)
    if run is None:
        return {"run": None}
    lt, at = ListRecord.__table__, LinkAssignment.__table__
    allowed = allowed_sensitivities(need(principal, "a linkage summary"))
    clusters = dict(session.execute(select(at.c.record_id, at.c.cluster).join(lt, lt.c.id == at.c.record_id)
                                    .where(lt.c.sensitivity.in_(allowed))).all())
    sizes = Counter(Counter(clusters.values()).values())
    decided = current_decisions(session)
    named = {x for pair in decided for x in pair}
    readable = set(session.scalars(select(lt.c.id).where(lt.c.id.in_(named), lt.c.sensitivity.in_(allowed)))
                   ) if named else set()
    decisions = [d.decision for (a, b), d in decided.items() if a in readable and b in readable]
    return {"run": run.id, "finished_at": run.finished_at, "threshold": run.threshold, "backend": run.backend,
            "records": len(clusters), "clusters": len(set(clusters.values())),
            "cluster_sizes": {str(k): v for k, v in sorted(sizes.items())},
            "decisions": dict(Counter(decisions)),
            "prior": run.model.get("probability_two_random_records_match")}


def check_decision(decision: str) -> str:
    if decision not in DECISIONS:
        raise InputError(f"a decision is one of {', '.join(DECISIONS)}, not {decision!r}", field="decision")
    return decision


def logit(p: float) -> float:
    p = min(max(p, 1e-12), 1 - 1e-12)
    return math.log(p / (1 - p))
