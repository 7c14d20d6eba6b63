"""The evidence vault: originals stored once under their SHA-256, derived files kept apart, a chain of
custody per item, testimony, protected witnesses and sealed exhibit bundles.

Modules: :mod:`~dadkhah.vault.blobs` (content-addressed store), :mod:`~dadkhah.vault.tables`,
:mod:`~dadkhah.vault.custody`, :mod:`~dadkhah.vault.evidence` (items, links, custody actions),
:mod:`~dadkhah.vault.witness` (encrypted identities), :mod:`~dadkhah.vault.testimony`,
:mod:`~dadkhah.vault.bundle` (sealed bundles and their offline verification),
:mod:`~dadkhah.vault.integrity` (the ``dadkhah verify`` check of originals).
"""

import dadkhah.vault.indexing  # noqa: F401  (registers the search indexers)
