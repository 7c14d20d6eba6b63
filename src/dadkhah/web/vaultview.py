"""The web's adapter to the evidence vault (:mod:`dadkhah.vault`): evidence items, testimony, protected
witnesses. Every read passes the caller's principal to the vault's service functions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dadkhah.access import Principal
from dadkhah.web.peers import available


def evidence_available() -> bool:
    return available("dadkhah.vault.evidence", "list_items", "get_item", "item_to_dict")


def testimony_available() -> bool:
    return available("dadkhah.vault.testimony")


def items_linked_to(s: Session, entity_id: str, principal: Principal) -> list[dict]:
    from dadkhah.vault.evidence import get_item
    from dadkhah.vault.tables import EvidenceLink

    out = []
    for item_id in dict.fromkeys(s.scalars(select(EvidenceLink.item_id).where(EvidenceLink.entity_id == entity_id))):
        try:
            item = get_item(s, item_id, principal)
        except LookupError:
            continue
        out.append({"id": item.id, "label": item.title or item.filename or item.id, "sensitivity": item.sensitivity})
    return out


def testimony_of(s: Session, entity_id: str, principal: Principal) -> list[dict]:
    return []
