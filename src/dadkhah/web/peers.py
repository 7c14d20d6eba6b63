"""The web's view of the other capabilities (vault, linkage review, estimates, casework).

Each function imports its capability lazily (the web starts without loading every capability), by
name. Every capability ships with dadkhah: a module or a service function the web names that cannot be
found is an error (:class:`MissingCapability`), never a quiet "not available" — a rename must not turn a
page or an access check off without a word.
"""

from __future__ import annotations

import importlib
from typing import Any

from sqlalchemy.orm import Session

from dadkhah.access import Principal


class MissingCapability(ImportError):
    """The web names a capability module or function that dadkhah does not have (renamed or removed)."""


def module(name: str):
    """The capability module ``name`` (e.g. ``"dadkhah.vault.testimony"``); a missing one is an error."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        raise MissingCapability(f"the web needs {name}, which cannot be imported ({exc}): renamed? update "
                                "dadkhah.web") from exc


def function(module_name: str, name: str):
    mod = module(module_name)
    try:
        return getattr(mod, name)
    except AttributeError:
        raise MissingCapability(f"the web needs {module_name}.{name}, which does not exist: renamed? update "
                                "dadkhah.web") from None


def available(module_name: str, *names: str) -> bool:
    """True when ``module_name`` has every one of ``names``; otherwise :class:`MissingCapability`."""
    for n in names:
        function(module_name, n)
    module(module_name)
    return True


def linked_to_entity(s: Session, entity_id: str, principal: Principal) -> dict[str, Any]:
    """Evidence items and testimony linked to an entity, as the principal may see them.

    Values are lists, or None where the vault is not available."""
    out: dict[str, Any] = {"evidence": None, "testimony": None}
    from dadkhah.web import vaultview

    if vaultview.evidence_available():
        out["evidence"] = vaultview.items_linked_to(s, entity_id, principal)
    if vaultview.testimony_available():
        out["testimony"] = vaultview.testimony_of(s, entity_id, principal)
    return out
