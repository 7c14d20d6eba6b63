"""What an export to an audience may hold — the one export policy (JSON Lines, CSV, the web's export).

- Tables that are never given to a reader who may not read witness identities: the sealed identities,
  the wrapped witness keys and the name screen's digests (:data:`SEALED_TABLES`).
- Tables never exported through the web, whoever asks (credentials: :data:`CREDENTIAL_TABLES`); only a
  backup made at the command line by the operator holds them.
- Every other row goes out only if its sensitivity is one the principal may read and no row it points
  to was withheld; its free text is masked for protected witnesses' names
  (:mod:`dadkhah.access.screen`).

The policy names tables explicitly; :func:`check_tables` makes a renamed or missing table an error (a
rename must not quietly put ``witness_identity`` into a restricted export).
"""

from __future__ import annotations

from collections.abc import Iterable

from dadkhah.access import Principal, may_read_identities, need

SEALED_TABLES = frozenset({"witness_identity", "witness_key", "witness_screen"})
CREDENTIAL_TABLES = frozenset({"web_user", "web_session", "web_token"})


class ExportPolicyError(RuntimeError):
    """The export policy names a table the case does not have (renamed or missing): nothing is exported."""


def check_tables(names: Iterable[str]) -> None:
    names = set(names)
    missing = sorted((SEALED_TABLES | CREDENTIAL_TABLES) - names)
    if missing:
        raise ExportPolicyError(f"the export policy names tables this case does not have: {', '.join(missing)} "
                                "(renamed? update dadkhah.access.export)")


def withheld_tables(principal: Principal, *, web: bool = False) -> frozenset[str]:
    """The tables an export for ``principal`` leaves out."""
    principal = need(principal, "an export")
    out: set[str] = set()
    if not may_read_identities(principal) or principal.ceiling.value != "confidential":
        out |= SEALED_TABLES | CREDENTIAL_TABLES
    if web:
        out |= CREDENTIAL_TABLES
    return frozenset(out)
