"""The one place where roles and sensitivity decide what a caller may see.

Every read path (CLI, web pages, API, search, exports, bundles, public site) asks this module:

- :func:`allowed_sensitivities` — the sensitivity levels a principal may read;
- :func:`visible` — add the sensitivity filter to a SQLAlchemy ``select`` of a model;
- :func:`can_see` — check one record;
- :func:`visible_names` — the name forms of an entity the principal may read;
- :func:`require` — raise :class:`Forbidden` unless a principal may perform an action.

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
    rank = principal.ceiling.rank
    return tuple(s.value for s in Sensitivity if s.rank <= rank)


def can_see(principal: Principal, record) -> bool:
    level = getattr(record, "sensitivity", None) or "public"
    return level in allowed_sensitivities(principal)


def visible(stmt, model, principal: Principal):
    """Restrict a ``select`` over ``model`` to rows ``principal`` may read."""
    return stmt.where(model.sensitivity.in_(allowed_sensitivities(principal)))


def visible_names(entity, principal: Principal) -> list:
    return [n for n in entity.names if can_see(principal, n)]


def filter_visible(records: Iterable, principal: Principal) -> list:
    return [r for r in records if can_see(principal, r)]


def require(principal: Principal, action: str) -> None:
    if not principal.may(action):
        raise Forbidden(f"{principal.name} ({principal.role}) may not {action}")
