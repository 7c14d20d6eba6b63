"""The web's view of the other capabilities (vault, linkage review, estimates, casework).

Each function imports its capability lazily: when a capability (or the service function the web
needs) is not installed yet, :func:`available` says so and the page shows a clear "not available"
state instead of failing.
"""

from __future__ import annotations

import importlib
from typing import Any

from sqlalchemy.orm import Session

from dadkhah.access import Principal


def module(name: str):
    """The capability module ``name`` (e.g. ``"dadkhah.vault.testimony"``), or None if absent."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and name.startswith(exc.name) or exc.name == name:
            return None
        raise


def function(module_name: str, name: str):
    mod = module(module_name)
    return getattr(mod, name, None) if mod is not None else None


def available(module_name: str, *names: str) -> bool:
    mod = module(module_name)
    return mod is not None and all(hasattr(mod, n) for n in names)


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
