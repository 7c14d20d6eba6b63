"""The one place where roles and sensitivity decide what a caller may see.

Every read path (CLI, web pages, API, search, exports, bundles, public site) asks this module:

- :func:`allowed_sensitivities` — the sensitivity levels a principal may read;
- :func:`visible` — add the sensitivity filter to a SQLAlchemy ``select`` of a model;
- :func:`can_see` — check one record;
- :func:`visible_names` — the name forms of an entity the principal may read;
- :func:`require` — raise :class:`Forbidden` unless a principal may perform an action.

- :func:`rank`, :func:`stricter`, :data:`LEVELS` — the one sensitivity order (nothing else writes it out);
- :func:`need` — the principal a service function was given, or an error: a missing principal never
  means "everything" (internal jobs pass :data:`SYSTEM`);
- :mod:`dadkhah.access.screen` — protected witnesses' names in any text, replaced by their pseudonym for
  every reader who may not see witness identities;
- :mod:`dadkhah.access.export` — which tables and columns an export to each audience may hold.

Roles (issue: web app) — admin and investigator read everything, including confidential records;
analyst, reviewer and viewer read public and restricted; anonymous reads public only. Reading the
real identity of a *protected witness* additionally needs ``Principal.can_unmask`` (see
``dadkhah.vault.witness``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from dadkhah.errors import DadkhahError
from dadkhah.model.base import Sensitivity

LEVELS: tuple[str, ...] = ("public", "restricted", "confidential")  # lowest first
_RANK = {level: i for i, level in enumerate(LEVELS)}


def rank(level: str | None) -> int:
    """The order of a sensitivity level (a missing level counts as public; an unknown one is an error)."""
    try:
        return _RANK[level or "public"]
    except KeyError:
        raise ValueError(f"unknown sensitivity {level!r}: use {', '.join(LEVELS)}") from None


def level_of(n: int) -> str:
    return LEVELS[n]


def stricter(*levels: str | None) -> str:
    """The strictest of several sensitivity levels (what a record drawn from all of them needs)."""
    return LEVELS[max((rank(v) for v in levels), default=0)]


class Role(StrEnum):
    admin = "admin"
    investigator = "investigator"
    reviewer = "reviewer"
    analyst = "analyst"
    viewer = "viewer"
    anonymous = "anonymous"


CEILING: dict[Role, Sensitivity] = {
    Role.admin: Sensitivity.confidential,
    Role.investigator: Sensitivity.confidential,
    Role.reviewer: Sensitivity.restricted,
    Role.analyst: Sensitivity.restricted,
    Role.viewer: Sensitivity.restricted,
    Role.anonymous: Sensitivity.public,
}

# What each role may do beyond reading.
ACTIONS: dict[str, set[Role]] = {
    "edit": {Role.admin, Role.investigator},
    "review": {Role.admin, Role.investigator, Role.reviewer},
    "analyse": {Role.admin, Role.investigator, Role.analyst},
    "upload": {Role.admin, Role.investigator},
    "export": {Role.admin, Role.investigator, Role.analyst},
    "manage_users": {Role.admin},
    "view_audit": {Role.admin},
    "unmask_witness": {Role.admin, Role.investigator},
}


class Forbidden(DadkhahError, PermissionError):
    pass


class MissingPrincipal(TypeError):
    """A read was asked for without saying who reads: it never means "everything"."""


@dataclass(frozen=True)
class Principal:
    """Who is asking: a user (or the local operator) with a role."""

    name: str = "anonymous"
    role: Role = Role.anonymous
    user_id: int | None = None
    grants: frozenset[str] = field(default_factory=frozenset)

    @property
    def ceiling(self) -> Sensitivity:
        return CEILING[Role(self.role)]

    @property
    def can_unmask(self) -> bool:
        return Role(self.role) in ACTIONS["unmask_witness"] or "unmask_witness" in self.grants

    def may(self, action: str) -> bool:
        return Role(self.role) in ACTIONS.get(action, set()) or action in self.grants


def anonymous() -> Principal:
    return Principal()


def operator(name: str = "operator") -> Principal:
    """The local operator at the command line, who owns the case folder."""
    return Principal(name=name, role=Role.admin)


# Internal jobs (re-indexing, statistics, integrity checks, merges) read everything, and say so.
SYSTEM = Principal(name="system", role=Role.admin)


def need(principal: Principal | None, what: str = "this read") -> Principal:
    """``principal``, or :class:`MissingPrincipal`: every read states who reads (``SYSTEM`` for jobs)."""
    if not isinstance(principal, Principal):
        raise MissingPrincipal(f"{what} needs a principal (who reads); pass dadkhah.access.SYSTEM for an "
                               f"internal job, not {principal!r}")
    return principal


def may_read_identities(principal: Principal) -> bool:
    """May ``principal`` read protected witnesses' real names wherever they are written? Everyone else
    reads the pseudonym in their place (see :mod:`dadkhah.access.screen`)."""
    return need(principal).can_unmask


AUDIENCES: dict[str, Principal] = {
    "public": Principal("audience:public", Role.anonymous),
    "restricted": Principal("audience:restricted", Role.viewer),
    "internal": Principal("audience:internal", Role.investigator),
}


def audience(name: str) -> Principal:
    """The principal standing for an export audience (``public``, ``restricted``, ``internal``…)."""
    if name == "prosecutor":
        # Prosecutors see restricted material but not protected identities.
        return Principal("audience:prosecutor", Role.viewer)
    try:
        return AUDIENCES[name]
    except KeyError:
        raise ValueError(f"unknown audience {name!r}: use public, restricted, prosecutor or internal") from None


def allowed_sensitivities(principal: Principal) -> tuple[str, ...]:
    ceiling = rank(need(principal).ceiling.value)
    return tuple(level for level in LEVELS if rank(level) <= ceiling)


def can_see(principal: Principal, record) -> bool:
    level = getattr(record, "sensitivity", None) or "public"
    return level in allowed_sensitivities(principal)


def can_see_level(principal: Principal, level: str | None) -> bool:
    return (level or "public") in allowed_sensitivities(principal)


def visible(stmt, model, principal: Principal):
    """Restrict a ``select`` over ``model`` to rows ``principal`` may read."""
    return stmt.where(model.sensitivity.in_(allowed_sensitivities(principal)))


def visible_names(entity, principal: Principal) -> list:
    return [n for n in entity.names if can_see(principal, n)]


def filter_visible(records: Iterable, principal: Principal) -> list:
    return [r for r in records if can_see(principal, r)]


def visible_citations(principal: Principal, claim) -> list:
    """The citations of ``claim`` whose source ``principal`` may read."""
    return [c for c in claim.citations if c.source is not None and can_see(principal, c.source)]


def claim_visible(principal: Principal, claim) -> bool:
    """The one rule for claims: a reader sees a claim when they may read the claim itself and at least one
    of its sources. A claim whose every source is hidden is hidden everywhere (lists, entity pages, the API,
    exports, dossiers) — a fact is a claim *with sources*."""
    return can_see(principal, claim) and bool(visible_citations(principal, claim))


def require(principal: Principal, action: str) -> None:
    if not need(principal).may(action):
        raise Forbidden(f"{principal.name} ({principal.role}) may not {action}")
