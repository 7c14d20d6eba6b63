"""Recording claims and their citations. A claim without a source is refused."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dadkhah.access import Principal, allowed_sensitivities, can_see, claim_visible, need, visible_citations
from dadkhah.errors import InputError
from dadkhah.model import Citation, Claim, Entity, Source, new_id
from dadkhah.model.base import SENSITIVITY_VALUES
from dadkhah.model.vocab import UnknownTerm, check_term


def cite(session: Session, claim: Claim, source_id: str, *, quotation: str | None = None,
         locator: str = "", stance: str = "supports", language: str | None = None) -> Citation:
    source = session.get(Source, source_id)
    if source is None:
        raise InputError(f"no source with id {source_id!r}", field="source_id")
    if stance not in ("supports", "contradicts"):
        raise InputError(f"stance must be 'supports' or 'contradicts', not {stance!r}", field="stance")
    citation = Citation(source=source, source_id=source_id, quotation=quotation, locator=locator or "",
                        stance=stance, language=language)
    claim.citations.append(citation)
    return citation


def add_claim(session: Session, *, subject_id: str, predicate: str, citations: Iterable[dict],
              statement: str = "", object_id: str | None = None, value_text: str | None = None,
              value_low: float | None = None, value_high: float | None = None, unit: str | None = None,
              valid: str | None = None, sensitivity: str = "public", asserted_status: str | None = None,
              status_note: str | None = None, id: str | None = None) -> Claim:
    """Record what sources say about ``subject_id``.

    ``citations`` is a list of ``{"source_id", "quotation", "locator", "stance"}``; at least one.
    """
    citations = list(citations)
    if not citations:
        raise InputError("a claim must cite at least one source", field="citations")
    if session.get(Entity, subject_id) is None:
        raise InputError(f"no entity with id {subject_id!r}", field="subject_id")
    if object_id and session.get(Entity, object_id) is None:
        raise InputError(f"no entity with id {object_id!r}", field="object_id")
    try:
        check_term("claim_predicate", predicate, session)
    except UnknownTerm as exc:
        raise InputError(str(exc), field="predicate") from None
    if sensitivity not in SENSITIVITY_VALUES:
        raise InputError(f"sensitivity must be one of {', '.join(SENSITIVITY_VALUES)}", field="sensitivity")
    if asserted_status not in (None, "contested", "refuted"):
        raise InputError("an analyst may only assert 'contested' or 'refuted'", field="asserted_status")
    if value_low is not None and value_high is not None and value_high < value_low:
        raise InputError("value_high is below value_low", field="value_high")
    claim = Claim(id=id or new_id("claim"), subject_id=subject_id, predicate=predicate, object_id=object_id,
                  statement=statement, value_text=value_text, value_low=value_low, value_high=value_high,
                  unit=unit, sensitivity=sensitivity, asserted_status=asserted_status,
                  status_note=status_note)
    if valid:
        from dadkhah.dates import DateParseError

        try:
            claim.valid = valid
        except DateParseError as exc:
            raise InputError(str(exc), field="valid") from None
    session.add(claim)
    for c in citations:
        cite(session, claim, c["source_id"], quotation=c.get("quotation"), locator=c.get("locator", ""),
             stance=c.get("stance", "supports"), language=c.get("language"))
    session.flush()
    return claim


def _claims_query(principal: Principal):
    stmt = select(Claim).options(selectinload(Claim.citations).selectinload(Citation.source))
    return stmt.where(Claim.sensitivity.in_(allowed_sensitivities(need(principal, "reading claims"))))


def list_claims(session: Session, *, principal: Principal, status: str | None = None,
                predicate: str | None = None, subject_id: str | None = None) -> list[Claim]:
    """The claims ``principal`` may see (:func:`dadkhah.access.claim_visible`); ``status`` filters on the
    status as that reader may know it (:func:`dadkhah.claims.status.status_for`)."""
    from dadkhah.claims.status import status_for

    stmt = _claims_query(principal)
    if predicate:
        stmt = stmt.where(Claim.predicate == predicate)
    if subject_id:
        stmt = stmt.where(Claim.subject_id == subject_id)
    claims = [c for c in session.scalars(stmt.order_by(Claim.subject_id, Claim.predicate, Claim.id)).all()
              if claim_visible(principal, c)]
    if status:
        claims = [c for c in claims if status_for(session, c, principal) == status]
    return claims


def claims_about(session: Session, entity_id: str, principal: Principal) -> list[Claim]:
    """The claims about an entity (as subject or object) that ``principal`` may see — the same rule."""
    stmt = _claims_query(principal).where((Claim.subject_id == entity_id) | (Claim.object_id == entity_id))
    return [c for c in session.scalars(stmt.order_by(Claim.predicate, Claim.id)).all() if claim_visible(principal, c)]


def get_claim(session: Session, claim_id: str, principal: Principal) -> Claim:
    from dadkhah.errors import NotFound

    claim = session.get(Claim, claim_id)
    if claim is None or not claim_visible(need(principal, "reading a claim"), claim):
        raise NotFound(f"no claim with id {claim_id!r}")
    return claim


def claim_to_dict(claim: Claim, principal: Principal) -> dict:
    """A claim as ``principal`` may read it: only the sources they may see, its status computed from them."""
    from sqlalchemy.orm import object_session

    from dadkhah.claims.status import status_for

    principal = need(principal, "reading a claim")
    session = object_session(claim)
    cited = visible_citations(principal, claim)
    return {
        "id": claim.id,
        "subject": {"id": claim.subject_id,
                    "label": claim.subject.label if claim.subject and can_see(principal, claim.subject) else None},
        "predicate": claim.predicate,
        "object": ({"id": claim.object_id, "label": claim.object.label} if claim.object_id and claim.object
                   and can_see(principal, claim.object) else None),
        "statement": claim.statement,
        "value": claim.value_display() or None,
        "value_low": claim.value_low,
        "value_high": claim.value_high,
        "unit": claim.unit,
        "valid": claim.valid.to_dict() if claim.valid else None,
        "status": status_for(session, claim, principal) if session is not None else claim.status,
        "status_note": claim.status_note,
        "sensitivity": claim.sensitivity,
        "sources": [
            {"source_id": c.source_id, "title": c.source.title, "author": c.source.author,
             "publisher": c.source.publisher, "grade": c.source.grade, "reliability": c.source.reliability,
             "credibility": c.source.credibility, "quotation": c.quotation, "locator": c.locator,
             "stance": c.stance}
            for c in cited
        ],
    }
