"""Claims: attributing every fact to the sources that state it (see :mod:`dadkhah.model.claims`)."""

from dadkhah.claims.service import add_claim, cite, claims_about, list_claims

__all__ = ["add_claim", "cite", "claims_about", "list_claims"]
