"""Clerical review: the service the CLI (`dadkhah link review`) and the web UI build on.

    pairs = next_pairs(case, 10)                       # the most uncertain undecided pairs first
    detail = pair_detail(case, pairs[0]["pair"])       # both records side by side, in their own script
    decide(case, pairs[0]["pair"], "different", reviewer="maryam", note="different fathers")

A *pair* is either the id of a scored pair of the latest run (``int``) or two list record ids
(``(a, b)``, any order) — so a reviewer can also decide about two records the model never paired.

Decisions are ``same``, ``different`` or ``unsure``, stored with the reviewer and the time, never
overwritten (a later decision on the same pair supersedes the earlier one). They act at once as hard
constraints on the clusters (``same`` joins, ``different`` keeps apart even when other links would chain
the records together) and, at the next ``dadkhah link run``, "same" pairs also re-estimate the model's
m probabilities.
"""

from __future__ import annotations

from sqlalchemy import select

from dadkhah.access import Principal, allowed_sensitivities, need, require
from dadkhah.errors import InputError, NotFound
from dadkhah.linkage.merge import active_merges
from dadkhah.linkage.service import (
    check_decision,
    current_clusters,
    current_decisions,
    explain_levels,
    logit,
    recluster,
    require_run,
)
from dadkhah.linkage.tables import LinkDecision, LinkMerge, LinkPair
from dadkhah.lists.tables import ListRecord
from dadkhah.model.base import utcnow

#: Pairs whose match probability lies in this band are offered for review (the rest are clear enough).
REVIEW_BAND = (0.2, 0.995)

Pair = int | tuple[int, int] | list


def _visible(session, ids: list[int], principal: Principal) -> bool:
    allowed = allowed_sensitivities(need(principal, "reading a pair"))
    t = ListRecord.__table__
    levels = session.execute(select(t.c.sensitivity).where(t.c.id.in_(ids))).scalars().all()
    return len(levels) == len(set(ids)) and all(level in allowed for level in levels)


def next_pairs(case, n: int = 10, *, principal: Principal, band: tuple[float, float] = REVIEW_BAND,
               include_decided: bool = False) -> list[dict]:
    """The ``n`` undecided pairs of the latest run closest to its threshold (most uncertain first)."""
    if n < 1:
        raise InputError("ask for at least one pair", field="n")
    principal = need(principal, "the review queue")
    with case.reader(principal) as s:
        run = require_run(s)
        decided = set(current_decisions(s)) if not include_decided else set()
        clusters = current_clusters(s)
        t = LinkPair.__table__
        rows = s.execute(select(t.c.id, t.c.record_l, t.c.record_r, t.c.match_probability).where(
            t.c.run_id == run.id, t.c.match_probability >= band[0], t.c.match_probability < band[1])).all()
        centre = logit(run.threshold)
        rows = sorted((r for r in rows if (r.record_l, r.record_r) not in decided),
                      key=lambda r: (abs(logit(r.match_probability) - centre), r.id))
        out = []
        for r in rows:
            if len(out) >= n:
                break
            if not _visible(s, [r.record_l, r.record_r], principal):
                continue
            out.append({"pair": r.id, "records": [r.record_l, r.record_r],
                        "match_probability": round(r.match_probability, 4),
                        "same_cluster": clusters.get(r.record_l) == clusters.get(r.record_r)})
        return out


def _resolve_pair(session, pair: Pair, run) -> tuple[int, int, LinkPair | None]:
    if isinstance(pair, (tuple, list)):
        if len(pair) != 2:
            raise InputError("a pair is two record ids", field="pair")
        a, b = sorted(int(x) for x in pair)
        if a == b:
            raise InputError("a pair needs two different records", field="pair")
        for rid in (a, b):
            if session.get(ListRecord, rid) is None:
                raise NotFound(f"no list record {rid}")
        lp = session.scalars(select(LinkPair).where(LinkPair.run_id == run.id, LinkPair.record_l == a,
                                                    LinkPair.record_r == b)).first() if run else None
        return a, b, lp
    try:
        pid = int(pair)
    except (TypeError, ValueError):
        raise InputError(f"a pair is a pair id or two record ids, not {pair!r}", field="pair") from None
    lp = session.get(LinkPair, pid)
    if lp is None:
        raise NotFound(f"no scored pair {pid}")
    return lp.record_l, lp.record_r, lp


def _side(rec: ListRecord, list_name: str, source_id: str) -> dict:
    from dadkhah.dates import FuzzyDate

    f = rec.fields
    dates = {}
    for k in ("birth", "death"):
        if f.get(k):
            try:
                dates[k] = FuzzyDate.from_dict(f[k]).display()
            except ValueError:
                dates[k] = f[k].get("text")
    return {"id": rec.id, "list": list_name, "row": rec.file_row, "line": rec.file_line, "status": rec.status,
            "source_id": source_id, "original": rec.original, "name": f.get("full_name"),
            "given": f.get("given"), "family": f.get("family"), "father": f.get("father"), "gender": f.get("gender"),
            "age": f.get("age"), "dates": dates, "place_of_origin": f.get("place_of_origin"),
            "detention_site": f.get("detention_site"), "burial_site": f.get("burial_site"), "notes": f.get("notes")}


def pair_detail(case, pair: Pair, *, principal: Principal) -> dict:
    """Both records side by side — original values exactly as imported (their own script and headers)
    and parsed fields — with the model's probability, the level of every comparison and its weight,
    the clusters they are in now, and the decisions already taken on the pair."""
    from dadkhah.lists.tables import VictimList

    principal = need(principal, "reading a pair")
    with case.reader(principal) as s:
        run = require_run(s)
        a, b, lp = _resolve_pair(s, pair, run)
        if not _visible(s, [a, b], principal):
            raise NotFound(f"no pair {pair!r}")
        sides = []
        for rid in (a, b):
            rec = s.get(ListRecord, rid)
            vl = s.get(VictimList, rec.list_id)
            sides.append(_side(rec, vl.name, vl.source_id))
        clusters = current_clusters(s)
        history = [{"decision": d.decision, "reviewer": d.reviewer, "decided_at": d.decided_at, "note": d.note,
                    "origin": d.origin}
                   for d in s.scalars(select(LinkDecision).where(LinkDecision.record_l == a, LinkDecision.record_r == b)
                                      .order_by(LinkDecision.id))]
        return {
            "pair": lp.id if lp else None, "records": [a, b], "left": sides[0], "right": sides[1],
            "match_probability": round(lp.match_probability, 4) if lp else None,
            "match_weight": round(lp.match_weight, 3) if lp else None,
            "comparisons": explain_levels(run, lp.levels) if lp else [],
            "threshold": run.threshold,
            "clusters": [clusters.get(a), clusters.get(b)],
            "same_cluster": clusters.get(a) is not None and clusters.get(a) == clusters.get(b),
            "decisions": history,
        }


def decide(case, pair: Pair, decision: str, reviewer: str, *, note: str | None = None,
           principal: Principal) -> dict:
    """Record a reviewer's decision about a pair and re-cluster at once with it as a hard constraint."""
    decision = check_decision(decision)
    reviewer = (reviewer or "").strip()
    if not reviewer:
        raise InputError("a decision needs the reviewer's name", field="reviewer")
    require(need(principal, "a review decision"), "review")
    with case.session(actor=reviewer, principal=principal) as s:
        run = require_run(s)
        a, b, lp = _resolve_pair(s, pair, run)
        if not _visible(s, [a, b], principal):
            raise NotFound(f"no pair {pair!r}")
        before = current_clusters(s)
        d = LinkDecision(record_l=a, record_r=b, decision=decision, reviewer=reviewer, note=note, origin="review",
                         match_probability=lp.match_probability if lp else None, run_id=run.id)
        s.add(d)
        s.flush()
        result = recluster(case, actor=reviewer, principal=principal, session=s)
        after = {r: f"c{c}" for r, c in result.clusters.items()}
        conflict = (a, b) in result.conflicts
        return {"id": d.id, "records": [a, b], "decision": decision, "reviewer": reviewer, "decided_at": d.decided_at,
                "note": note, "clusters_before": [before.get(a), before.get(b)],
                "clusters_after": [after.get(a), after.get(b)], "conflict": conflict}


def undo_merge(case, person_id: str, *, principal: Principal, actor: str | None = None,
               note: str | None = None) -> dict:
    """Separate again the groups the latest merge of ``person_id`` joined; keep them apart in re-runs."""
    actor = actor or case.actor
    require(need(principal, "undoing a merge"), "review")
    with case.session(actor=actor, principal=principal) as s:
        merge = s.scalars(select(LinkMerge).where(LinkMerge.person_id == person_id, LinkMerge.status == "active")
                          ).first()
        if merge is None:
            raise NotFound(f"no merged person {person_id!r} (or it stands for no cluster any more)")
        parts = [list(p) for p in merge.parts]
        if len(parts) < 2:
            raise InputError(f"{person_id} was not formed by joining records or persons: nothing to undo "
                             "(to take one record out of a cluster, decide 'different' on a pair)")
        added = 0
        for i in range(len(parts)):
            for j in range(i + 1, len(parts)):
                for a in parts[i]:
                    for b in parts[j]:
                        s.add(LinkDecision(record_l=min(a, b), record_r=max(a, b), decision="different",
                                           reviewer=actor, origin="undo-merge",
                                           note=note or f"undo of merge {merge.id} ({person_id})"))
                        added += 1
        s.flush()
        result = recluster(case, actor=actor, principal=principal, session=s)  # the person keeps its largest part
        merge.status, merge.ended_at, merge.ended_by = "undone", utcnow(), actor
        persons = sorted({m.person_id for m in active_merges(s) if set(m.records) & set(merge.records)})
    return {"person": person_id, "merge": merge.id, "parts": parts, "decisions": added,
            "clusters": sorted({result.clusters[r] for r in merge.records if r in result.clusters}),
            "persons": persons}
