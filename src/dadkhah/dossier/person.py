"""The perpetrator dossier: everything a case holds about one person, for one audience.

Sections: identity (every visible name form, a photo if there is one), the career timeline up to the
present with the person's current positions and whereabouts, alleged roles in events, the chain of
command around the person, the allegation matrix (each allegation × evidence for and against, with
source grades), witness statements (redacted for the audience), the exhibit index (SHA-256) and the
numbered source notes.

A person with more than :data:`DETAIL_LIMIT` roles in events gets a summary of them (by role and kind
of event) instead of one table row each, and a career timeline of positions and whereabouts: each role
is still listed, with its evidence, date and place, in the allegation matrix. (A 500-row table would
add pages that repeat the matrix, and tables are the slowest thing WeasyPrint lays out.)
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from dadkhah.access import can_see
from dadkhah.access.screen import read_as
from dadkhah.casework.allegations import PERPETRATOR_ROLES, allegation_matrix, load_person, roles_in_events
from dadkhah.casework.career import career
from dadkhah.casework.chain import build_command_graph, focus_subgraph, superiors
from dadkhah.casework.evidence import exhibits_for, photo_of, statements_about
from dadkhah.dossier.common import SourceNotes, audience_for, header
from dadkhah.errors import NotFound
from dadkhah.model import Person
from dadkhah.records.naming import all_name_forms, display_name

DETAIL_LIMIT = 60  # above this many roles in events, the dossier summarises them (each is in the matrix)


def summarise_roles(roles: list[dict]) -> list[dict]:
    """Roles grouped by role and kind of event: how many, from when to when, where (most frequent first)."""
    from collections import Counter

    groups: dict[tuple[str, str], dict] = {}
    for r in roles:
        g = groups.setdefault((r["role"], r["event"].event_type), {
            "role": r["role"], "event_type": r["event"].event_type, "count": 0, "first": None, "last": None,
            "places": Counter(), "perpetrator": r["perpetrator"]})
        g["count"] += 1
        date = r["date"]
        if date is not None:
            if g["first"] is None or date.low < g["first"].low:
                g["first"] = date
            if g["last"] is None or date.high > g["last"].high:
                g["last"] = date
        if r["place"] is not None:
            g["places"][r["place"].label] += 1
    out = sorted(groups.values(), key=lambda g: (not g["perpetrator"], -g["count"]))
    for g in out:
        g["places"] = [name for name, _ in g["places"].most_common(3)]
    return out


def chain_period(roles: list[dict]):
    """The period to draw the chain of command for: the date of the person's first dated perpetrator role."""
    for r in roles:
        if r["perpetrator"] and r["date"] is not None:
            return r["date"]
    return None


def person_dossier(session: Session, person_id: str, audience: str, *, case_title: str | None = None,
                   blobs=None, with_chain: bool = True) -> dict:
    """The template context of a person's dossier, as ``audience`` may read it."""
    principal = audience_for(audience)
    read_as(session, principal)  # protected witnesses' names read as their pseudonyms below identity readers
    person = session.get(Person, person_id)
    if person is None or not can_see(principal, person):
        raise NotFound(f"no person with id {person_id!r}" + ("" if person is None else f" visible to {audience}"))
    name = display_name(person, principal)
    notes = SourceNotes(session, principal)
    records = load_person(session, person_id, principal)
    matrix = allegation_matrix(session, person_id, principal, records=records)
    for row in matrix:
        for ref in (*row.supporting, *row.contradicting):
            ref.note = notes.number(ref.source_id)
    roles = roles_in_events(session, person_id, principal, records=records)
    life = career(session, person_id, principal, records=records)
    statements = statements_about(session, person_id, principal, audience)

    chain_graph, above, period = None, [], None
    if with_chain:
        period = chain_period(roles)
        graph = build_command_graph(session, period, principal=principal)
        if person_id in graph.graph:
            above = superiors(session, person_id, graph=graph, principal=principal)
            sub = focus_subgraph(graph, person_id, radius=2)
            if sub.number_of_nodes() > 1:
                chain_graph = sub

    entity_ids = [person_id, *(e.record_id for e in life.entries if e.kind in ("position", "event"))]
    exhibits = exhibits_for(session, principal, entity_ids=entity_ids, claim_ids=[a.claim_id for a in matrix],
                            source_ids=notes.ids(),
                            item_ids=[i for s in statements for i in s.item_ids])
    notes.attach_exhibits(exhibits)
    by_claim: dict[str, list[str]] = {}
    for ex in exhibits:
        for link in ex.links:
            by_claim.setdefault(link, []).append(ex.number)
    for row in matrix:
        row.exhibits = by_claim.get(row.claim_id, [])

    ctx = header("person", f"Dossier: {name.main}", audience, case_title)
    ctx.update(
        subject=person, name=name, names=all_name_forms(person, principal),
        photo=photo_of(session, person_id, principal, blobs),
        facts={"gender": person.gender, "birth": person.birth, "death": person.death,
               "father_name": person.father_name, "nationality": person.nationality},
        description=person.description, career=life, roles=roles, matrix=matrix, statements=statements,
        exhibits=exhibits, sources=notes.notes(), chain_graph=chain_graph, chain_period=period, superiors=above,
        detailed=len(roles) <= DETAIL_LIMIT, roles_summary=summarise_roles(roles),
        timeline=life.entries if len(roles) <= DETAIL_LIMIT else [
            e for e in life.entries if not (e.kind == "event" and e.role in PERPETRATOR_ROLES)],
        counts={"allegations": len(matrix),
                "corroborated": sum(a.status == "corroborated" for a in matrix),
                "contested": sum(a.status == "contested" for a in matrix),
                "refuted": sum(a.status == "refuted" for a in matrix)},
        bundle=None,
    )
    return ctx
