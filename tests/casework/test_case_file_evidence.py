"""Exhibits (with SHA-256) and witness statements as a case file shows them to each audience."""

from __future__ import annotations

from dadkhah.access import SYSTEM, audience
from dadkhah.casework.evidence import exhibits_for, statements_about
from dadkhah.testing.synthetic_case import CANARY


def test_exhibits_linked_to_a_person_or_their_claims_are_listed_with_sha256(synthetic):
    case, ids = synthetic
    with case.reader(SYSTEM) as s:
        internal = exhibits_for(s, audience("internal"), entity_ids=["person-abbasi"],
                                claim_ids=["claim-abbasi-execution"])
        public = exhibits_for(s, audience("public"), entity_ids=["person-abbasi"],
                              claim_ids=["claim-abbasi-execution"])
    assert [(e.number, e.sha256) for e in internal] == [("E1", ids["sha_secret"]), ("E2", ids["sha_public"])]
    assert [(e.number, e.sha256) for e in public] == [("E1", ids["sha_public"])]
    assert public[0].links == ["claim-abbasi-execution"]


def test_exhibits_made_from_a_cited_source_are_found_through_it(synthetic):
    case, ids = synthetic
    with case.reader(SYSTEM) as s:
        found = exhibits_for(s, audience("public"), source_ids=["src-un"])
    assert [e.sha256 for e in found] == [ids["sha_public"]]


def test_a_statement_reaches_the_prosecutor_with_what_they_may_not_see_redacted(synthetic):
    case, _ = synthetic
    with case.reader(SYSTEM) as s:
        prosecutor = statements_about(s, "person-abbasi", audience("prosecutor"), "prosecutor")
        internal = statements_about(s, "person-abbasi", audience("internal"), "internal")
        public = statements_about(s, "person-abbasi", audience("public"), "public")
    assert len(prosecutor) == 1 and prosecutor[0].witness == "Leila Ahmadi"
    text = " ".join(prosecutor[0].excerpts)
    assert "Hamid Abbasi came with a list" in text and "[redacted]" in text and CANARY not in text
    assert CANARY in " ".join(internal[0].excerpts)
    assert public == []  # restricted, and consent covers prosecution only
