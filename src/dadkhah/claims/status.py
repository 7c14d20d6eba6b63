"""Claim status, computed — the tool never takes sides.

- ``refuted`` or ``contested`` when an analyst has said so (``asserted_status``);
- ``contested`` when a cited source contradicts the claim, or another claim about the same subject
  with a *functional* predicate (one true value, e.g. a death toll) gives a different value —
  both claims then stand side by side as contested;
- ``corroborated`` when at least two *independent* sources support it (different ``origin``, or
  different publisher when no origin is recorded) and none of them is graded E or F for reliability;
- ``alleged`` otherwise.

The stored ``Claim.status`` is computed from everything the case holds. What a reader is shown is
:func:`status_for` — the same rules over only the sources and rival claims that reader may see, so a
claim is never "corroborated" for an anonymous reader on the strength of a confidential source.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from dadkhah.model import Claim
from dadkhah.model.vocab import is_functional

UNRELIABLE = {"E", "F"}


def independent_origins(claim: Claim, citations=None) -> set[str]:
    origins = set()
    for c in claim.citations if citations is None else citations:
        if c.stance != "supports" or c.source is None or c.source.reliability in UNRELIABLE:
            continue
        origins.add((c.source.origin or c.source.publisher or c.source.id).strip().casefold())
    return origins


def _values_conflict(a: Claim, b: Claim) -> bool:
    if a.value_low is not None and b.value_low is not None:
        a_hi = a.value_high if a.value_high is not None else a.value_low
        b_hi = b.value_high if b.value_high is not None else b.value_low
        return a_hi < b.value_low or b_hi < a.value_low
    if a.object_id or b.object_id:
        return (a.object_id or "") != (b.object_id or "")
    if a.valid_low and b.valid_low:
        return a.valid_high < b.valid_low or b.valid_high < a.valid_low
    va, vb = (a.value_text or "").strip().casefold(), (b.value_text or "").strip().casefold()
    return bool(va and vb and va != vb)


def conflicting(session: Session, claim: Claim) -> list[Claim]:
    """Other claims about the same subject whose value cannot be true together with this one."""
    if not is_functional(claim.predicate, session):
        return []
    rivals = session.scalars(
        select(Claim).where(Claim.subject_id == claim.subject_id, Claim.predicate == claim.predicate,
                            Claim.id != claim.id)
    ).all()
    return [r for r in rivals if r.asserted_status != "refuted" and _values_conflict(claim, r)]


def compute_status(session: Session, claim: Claim) -> str:
    if claim.asserted_status in ("refuted", "contested"):
        return claim.asserted_status
    if any(c.stance == "contradicts" for c in claim.citations) or conflicting(session, claim):
        return "contested"
    if len(independent_origins(claim)) >= 2:
        return "corroborated"
    return "alleged"


def status_for(session: Session, claim: Claim, principal) -> str:
    """The status of ``claim`` as ``principal`` may know it: computed from the citations whose source they
    may read and the rival claims they may see."""
    from dadkhah.access import claim_visible, may_read_identities, need, visible_citations

    principal = need(principal, "a claim's status")
    if claim.asserted_status in ("refuted", "contested"):
        return claim.asserted_status
    if may_read_identities(principal) and principal.ceiling.value == "confidential":
        return claim.status or compute_status(session, claim)  # this reader sees everything it was computed from
    cited = visible_citations(principal, claim)
    if any(c.stance == "contradicts" for c in cited):
        return "contested"
    if any(claim_visible(principal, r) for r in conflicting(session, claim)):
        return "contested"
    if len(independent_origins(claim, cited)) >= 2:
        return "corroborated"
    return "alleged"


def refresh_statuses(session: Session, claims: Iterable[Claim]) -> None:
    """Recompute the status of these claims and of every claim they could conflict with."""
    groups = {(c.subject_id, c.predicate) for c in claims}
    seen: set[str] = set()
    for subject_id, predicate in groups:
        for claim in session.scalars(
            select(Claim).where(Claim.subject_id == subject_id, Claim.predicate == predicate)
        ):
            if claim.id in seen:
                continue
            seen.add(claim.id)
            status = compute_status(session, claim)
            if claim.status != status:
                claim.status = status


def _needs_own_status(principal):
    """A SQL condition on :class:`Claim`: the claims whose status or visibility for ``principal`` may differ
    from the stored one — a citation whose source they may not read, no citation at all, or a stored
    "contested" (the rival or the contradicting source may be hidden). For every other claim the reader
    sees every source and the stored status is theirs (a hidden rival would have made it "contested")."""
    from sqlalchemy import and_, exists, not_, or_

    from dadkhah.access import allowed_sensitivities
    from dadkhah.model import Citation, Entity

    allowed = allowed_sensitivities(principal)
    hidden_source = exists().where(Citation.claim_id == Claim.id, Citation.source_id == Entity.id,
                                   not_(Entity.sensitivity.in_(allowed)))
    any_citation = exists().where(Citation.claim_id == Claim.id)
    contested = and_(Claim.status == "contested", or_(Claim.asserted_status.is_(None),
                                                     Claim.asserted_status != "contested"))
    return or_(hidden_source, not_(any_citation), contested)


def count_by_status(session: Session, principal) -> dict[str, int]:
    """How many claims ``principal`` may see (:func:`dadkhah.access.claim_visible`), by the status they may
    know (:func:`status_for`) — what a dashboard or a report counts. The claims whose every source the reader
    sees are counted by the database; only the others are read one by one."""
    from sqlalchemy import func
    from sqlalchemy.orm import selectinload

    from dadkhah.access import allowed_sensitivities, claim_visible, need
    from dadkhah.model import Citation

    principal = need(principal, "counting claims")
    allowed = allowed_sensitivities(principal)
    own = _needs_own_status(principal)
    counts: dict[str, int] = {}
    for status, n in session.execute(select(Claim.status, func.count()).where(
            Claim.sensitivity.in_(allowed), ~own).group_by(Claim.status)):
        counts[status] = counts.get(status, 0) + n
    stmt = (select(Claim).where(Claim.sensitivity.in_(allowed), own)
            .options(selectinload(Claim.citations).selectinload(Citation.source)))
    for claim in session.scalars(stmt):
        if claim_visible(principal, claim):
            status = status_for(session, claim, principal)
            counts[status] = counts.get(status, 0) + 1
    return dict(sorted(counts.items()))
