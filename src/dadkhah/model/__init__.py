"""Tables and domain types. Importing this package registers the core tables on ``Base.metadata``.

Capabilities add their own tables in ``dadkhah/<capability>/tables.py``; ``load_all_tables()``
imports them all so the metadata (and migrations, export, tests) see the whole schema.
"""

from __future__ import annotations

import importlib

from dadkhah.model.base import Base, Sensitivity, new_id
from dadkhah.model.claims import CLAIM_STATUSES, Citation, Claim
from dadkhah.model.entities import (
    ENTITY_KINDS,
    KIND_CLASSES,
    Entity,
    Event,
    Membership,
    NameForm,
    Organization,
    Participation,
    Person,
    Place,
    Source,
)
from dadkhah.model.vocab_table import VocabTerm

# Capability modules that define tables of their own (imported on demand by load_all_tables).
TABLE_MODULES = [
    "dadkhah.access.screen",
    "dadkhah.store.audit",
    "dadkhah.store.search",
    "dadkhah.vault.tables",
    "dadkhah.ingest.fingerprints",
    "dadkhah.capture.tables",
    "dadkhah.lists.tables",
    "dadkhah.linkage.tables",
    "dadkhah.estimate.tables",
    "dadkhah.web.tables",
]


def load_all_tables() -> None:
    """Import every module that defines tables. A missing one is an error (a renamed module would
    otherwise drop its tables from migrations, exports and checks without a word)."""
    for name in TABLE_MODULES:
        importlib.import_module(name)


__all__ = [
    "Base", "Sensitivity", "new_id", "CLAIM_STATUSES", "Citation", "Claim", "ENTITY_KINDS",
    "KIND_CLASSES", "Entity", "Event", "Membership", "NameForm", "Organization", "Participation",
    "Person", "Place", "Source", "VocabTerm", "load_all_tables",
]
