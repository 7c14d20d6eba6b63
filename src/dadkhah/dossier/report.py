"""The whole-case report: documented counts beside the statistical estimate, contested claims side by
side, the perpetrators and their allegations, and the timeline of events.

*Documented* counts are persons the case records as victims of a killing (execution, killing,
death in custody, enforced disappearance), counted once each, as the audience may see them. The
*estimate* is the multiple-systems estimate of :mod:`dadkhah.estimate` over the case's linked lists,
when the caller supplies one (it is slow to compute and is a separate, reviewed step).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dadkhah.access import allowed_sensitivities, can_see, claim_visible, visible_citations
from dadkhah.access.screen import read_as
from dadkhah.claims.status import status_for
from dadkhah.dossier.common import SourceNotes, audience_for, header
from dadkhah.model import Citation, Claim, Entity, Event, Participation, Person, Place
from dadkhah.model.vocab import label as vocab_label
from dadkhah.records.naming import display_name
from dadkhah.records.population import victim_roles

PERPETRATOR_ROLES = ("perpetrator_direct", "perpetrator_ordering", "perpetrator_complicit")


def documented_counts(session: Session, principal) -> dict:
    """Victims of killings recorded in the case (:mod:`dadkhah.records.population`), counted once each:
    in total, by event type, by place and by year (the year of the event's earliest possible date)."""
    rows = [(pid, eid, etype, place_id, low)
            for pid, _part, eid, etype, place_id, low in session.execute(victim_roles(principal))]
    persons = {r[0] for r in rows}
    by_type: dict[str, set] = defaultdict(set)
    by_place: dict[str, set] = defaultdict(set)
    by_year: dict[str, set] = defaultdict(set)
    for pid, _eid, etype, place_id, low in rows:
        by_type[etype].add(pid)
        by_place[place_id or ""].add(pid)
        by_year[str(low.year) if low else "undated"].add(pid)
    place_labels = {}
    for place_id in by_place:
        place = session.get(Place, place_id) if place_id else None
        place_labels[place_id] = (display_name(place, principal).both if place is not None
                                  and can_see(principal, place) else "place not recorded")
    return {
        "total": len(persons),
        # the same population seen from the lists: those the linkage merged from list records (the
        # population the estimate's capture history counts), and those recorded from other sources only
        "on_lists": len(persons & _listed_persons(session)),
        "by_type": sorted(((vocab_label("event_type", k), len(v)) for k, v in by_type.items()), key=lambda x: -x[1]),
        "by_place": sorted(((place_labels[k], len(v)) for k, v in by_place.items()), key=lambda x: -x[1]),
        "by_year": sorted((k, len(v)) for k, v in by_year.items()),
    }


def _listed_persons(session: Session) -> set[str]:
    from dadkhah.linkage.tables import LinkMerge

    return set(session.scalars(select(LinkMerge.person_id).where(LinkMerge.status == "active")))


def contested_groups(session: Session, principal, notes: SourceNotes) -> list[dict]:
    """Contested claims grouped by what they are about (subject and predicate), side by side."""
    allowed = set(allowed_sensitivities(principal))
    # contested as the reader may know it: a claim contested only by a source or a rival above them is not
    # (and a claim contested for a reader is contested over everything, so the stored status narrows the read)
    claims = session.scalars(select(Claim).options(selectinload(Claim.citations).selectinload(Citation.source))
                             .where(Claim.status == "contested", Claim.sensitivity.in_(allowed))
                             .order_by(Claim.subject_id, Claim.predicate, Claim.value_low, Claim.id)).all()
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for c in claims:
        if not claim_visible(principal, c) or status_for(session, c, principal) != "contested":
            continue
        cites = visible_citations(principal, c)
        subject = session.get(Entity, c.subject_id)
        if subject is None or not can_see(principal, subject):
            continue
        groups[(c.subject_id, c.predicate)].append({
            "claim": c, "value": c.value_display(), "statement": c.statement,
            "refs": [{"note": notes.number(ci.source_id), "grade": ci.source.grade, "title": ci.source.title,
                      "stance": ci.stance, "quotation": ci.quotation, "locator": ci.locator} for ci in cites],
        })
    out = []
    for (subject_id, predicate), rows in groups.items():
        subject = session.get(Entity, subject_id)
        out.append({"subject": subject, "subject_name": display_name(subject, principal), "predicate": predicate,
                    "predicate_label": vocab_label("claim_predicate", predicate), "claims": rows})
    return out


def perpetrators(session: Session, principal) -> list[dict]:
    """Persons with a perpetrator role in an event, with how many roles and claims concern them."""
    allowed = allowed_sensitivities(principal)
    parts = session.scalars(select(Participation).where(Participation.role.in_(PERPETRATOR_ROLES),
                                                        Participation.sensitivity.in_(allowed))).all()
    per: dict[str, list] = defaultdict(list)
    for p in parts:
        per[p.participant_id].append(p)
    claim_counts: Counter = Counter()
    if parts:
        ids = {p.id for p in parts}
        rows = session.scalars(select(Claim).options(selectinload(Claim.citations).selectinload(Citation.source))
                               .where((Claim.subject_id.in_(ids) | Claim.object_id.in_(ids)),
                                      Claim.sensitivity.in_(allowed)))
        for claim in rows:
            if not claim_visible(principal, claim):  # a claim whose every source is hidden is not counted
                continue
            for key in {claim.subject_id, claim.object_id} & ids:
                claim_counts[key] += 1
    out = []
    for pid, plist in per.items():
        who = session.get(Person, pid)
        if who is None or not can_see(principal, who):
            continue
        events = []
        for p in plist:
            ev = session.get(Event, p.event_id)
            if ev is not None and can_see(principal, ev):
                events.append({"event": ev, "role": p.role, "claims": claim_counts[p.id]})
        out.append({"person": who, "name": display_name(who, principal), "events": events})
    return sorted(out, key=lambda r: r["name"].main)


def timeline(session: Session, principal) -> list[dict]:
    allowed = allowed_sensitivities(principal)
    events = session.scalars(select(Event).where(Event.sensitivity.in_(allowed))).all()
    rows = []
    for ev in events:
        place = session.get(Place, ev.place_id) if ev.place_id else None
        rows.append({"event": ev, "name": display_name(ev, principal), "date": ev.date, "low": ev.date_low,
                     "place": display_name(place, principal) if place is not None and can_see(principal, place)
                     else None})
    rows.sort(key=lambda r: (r["low"] is None, r["low"] or dt.date.min, r["event"].label))
    return rows


def estimate_summary(run) -> dict | None:
    """The headline of an estimate run (an :class:`~dadkhah.estimate.service.EstimateRun` or its dict)."""
    if run is None:
        return None
    doc = run.to_dict() if hasattr(run, "to_dict") else dict(run)
    return {"method": doc.get("primary") or doc.get("method"), "estimate": doc.get("estimate"),
            "lower": doc.get("lower"), "upper": doc.get("upper"), "documented": doc.get("documented"),
            "lists": doc.get("lists") or [], "warnings": [w.get("message", str(w)) if isinstance(w, dict) else str(w)
                                                        for w in doc.get("warnings") or []],
            "source": doc.get("source")}


def case_report(session: Session, audience: str, *, case_title: str | None = None,
                estimate=None, estimate_note: str | None = None) -> dict:
    """The template context of the whole-case report, as ``audience`` may read it.

    ``estimate`` is an estimate run (or its JSON document) to print beside the documented counts;
    ``estimate_note`` says why there is none, when there is none.
    """
    principal = audience_for(audience)
    read_as(session, principal)  # protected witnesses' names read as their pseudonyms below identity readers
    notes = SourceNotes(session, principal)
    ctx = header("case", "Case report", audience, case_title)
    summary = estimate_summary(estimate)
    if summary and summary["lists"]:  # never the name of a list the audience may not see
        from dadkhah.lists.service import lists as visible_lists

        seen = {vl.name for vl in visible_lists(session, principal)}
        hidden = [n for n in summary["lists"] if n not in seen]
        if hidden:
            summary["lists"] = [n for n in summary["lists"] if n in seen]
            summary["warnings"].append(f"{len(hidden)} list(s) behind this estimate are not shown to this audience")
    ctx.update(counts=documented_counts(session, principal), estimate=summary,
               estimate_note=estimate_note, contested=contested_groups(session, principal, notes),
               perpetrators=perpetrators(session, principal), timeline=timeline(session, principal),
               sources=notes.notes())
    return ctx
