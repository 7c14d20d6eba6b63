"""The perpetrator dossier: everything a case holds about one person, for one audience.

Sections: identity (every visible name form, a photo if there is one), the career timeline up to the
present with the person's current positions and whereabouts, alleged roles in events, the chain of
command around the person, the allegation matrix (each allegation × evidence for and against, with
source grades), witness statements (redacted for the audience), the exhibit index (SHA-256) and the
numbered source notes.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from dadkhah.access import can_see
from dadkhah.casework.allegations import allegation_matrix, roles_in_events
from dadkhah.casework.career import career
from dadkhah.casework.chain import build_command_graph, focus_subgraph, superiors
from dadkhah.casework.evidence import exhibits_for, photo_of, statements_about
from dadkhah.casework.naming import all_name_forms, display_name
from dadkhah.dossier.common import SourceNotes, audience_for, header
from dadkhah.errors import NotFound
from dadkhah.model import Person


def chain_period(roles: list[dict]):
    """The period to draw the chain of command for: the date of the person's first dated perpetrator role."""
    for r in roles:
        if r["perpetrator"] and r["date"] is not None:
            return r["date"]
    return None


def person_dossier(session: Session, person_id: str, audience: str = "internal", *, case_title: str | None = None,
                   blobs=None, with_chain: bool = True) -> dict:
    """The template context of a person's dossier, as ``audience`` may read it."""
    principal = audience_for(audience)
    person = session.get(Person, person_id)
    if person is None or not can_see(principal, person):
        raise NotFound(f"no person with id {person_id!r}" + ("" if person is None else f" visible to {audience}"))
    name = display_name(person, principal)
    notes = SourceNotes(session, principal)
    matrix = allegation_matrix(session, person_id, principal)
    for row in matrix:
        for ref in (*row.supporting, *row.contradicting):
            ref.note = notes.number(ref.source_id)
    roles = roles_in_events(session, person_id, principal)
    life = career(session, person_id, principal)
    statements = statements_about(session, person_id, principal, audience)

    chain_graph, above, period = None, [], None
    if with_chain:
        period = chain_period(roles)
        graph = build_command_graph(session, period, principal=principal)
        if person_id in graph.graph:
            above = superiors(session, person_id, graph=graph)
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
        counts={"allegations": len(matrix),
                "corroborated": sum(a.status == "corroborated" for a in matrix),
                "contested": sum(a.status == "contested" for a in matrix),
                "refuted": sum(a.status == "refuted" for a in matrix)},
        bundle=None,
    )
    return ctx
