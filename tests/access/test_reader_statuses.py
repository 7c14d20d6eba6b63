"""Counts and claim statuses as the reader may know them — the dashboard, the dossiers and the chain of
command — never the stored status (which counts sources above the reader). On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from dadkhah.access import SYSTEM, MissingPrincipal, audience
from dadkhah.claims import add_claim
from dadkhah.claims.status import count_by_status
from dadkhah.model import Claim
from dadkhah.records import add_person, add_source

PUBLIC = audience("public")
RESTRICTED = audience("restricted")


@pytest.fixture
def claims(case):
    """A claim corroborated only thanks to a confidential source, one whose every source is confidential,
    one contested only by a confidential source, and one the public sees whole."""
    with case.session() as s:
        add_person(s, names=["Hamid Nouri"], id="person-nouri")
        add_person(s, names=["Ali Razini"], id="person-razini")
        add_source(s, source_type="report", title="Open report", id="src-open", publisher="Amnesty",
                   reliability="B")
        add_source(s, source_type="report", title="Second open report", id="src-open2", publisher="HRW",
                   reliability="B")
        add_source(s, source_type="report", title="Sealed report", id="src-sealed", publisher="Insider",
                   reliability="B", sensitivity="confidential")
        add_claim(s, subject_id="person-nouri", predicate="participated", statement="Corroborated behind the seal",
                  citations=[{"source_id": "src-open"}, {"source_id": "src-sealed"}], id="claim-two")
        add_claim(s, subject_id="person-nouri", predicate="statement", statement="Sealed only",
                  citations=[{"source_id": "src-sealed"}], id="claim-hidden")
        add_claim(s, subject_id="person-nouri", predicate="statement", statement="Contested behind the seal",
                  citations=[{"source_id": "src-open"}, {"source_id": "src-sealed", "stance": "contradicts"}],
                  id="claim-disputed")
        add_claim(s, subject_id="person-nouri", predicate="statement", statement="Corroborated in the open",
                  citations=[{"source_id": "src-open"}, {"source_id": "src-open2"}], id="claim-open")
        add_claim(s, subject_id="person-razini", predicate="ordered", object_id="person-nouri",
                  statement="Razini ordered Nouri", citations=[{"source_id": "src-open"}, {"source_id": "src-sealed"}],
                  id="claim-order")
    with case.reader(SYSTEM) as s:  # the stored statuses count every source
        stored = {c.id: c.status for c in s.query(Claim)}
    assert stored == {"claim-two": "corroborated", "claim-hidden": "alleged", "claim-disputed": "contested",
                      "claim-open": "corroborated", "claim-order": "corroborated"}
    return case


def test_claim_counts_are_those_the_reader_may_know(claims):
    with claims.reader(SYSTEM) as s:
        assert count_by_status(s, SYSTEM) == {"alleged": 1, "contested": 1, "corroborated": 3}
    for reader in (PUBLIC, RESTRICTED):
        with claims.reader(reader) as s:
            # the sealed-only claim is not counted at all; two claims are merely alleged for this reader
            assert count_by_status(s, reader) == {"alleged": 3, "corroborated": 1}
    with claims.reader(SYSTEM) as s, pytest.raises(MissingPrincipal):
        count_by_status(s, None)


def test_the_dashboard_counts_and_labels_claims_as_the_reader_may_know_them(claims):
    from dadkhah.web.readmodel import dashboard

    with claims.reader(PUBLIC) as s:
        public = dashboard(s, PUBLIC)
    assert public["by_status"] == {"alleged": 3, "corroborated": 1}
    assert public["counts"]["claim"] == 4
    assert public["contested"] == []  # contested only by a source the public may not read
    recent = {c["id"]: c["status"] for c in public["recent"]}
    assert recent == {"claim-two": "alleged", "claim-disputed": "alleged", "claim-open": "corroborated",
                      "claim-order": "alleged"}
    with claims.reader(SYSTEM) as s:
        internal = dashboard(s, SYSTEM)
    assert internal["by_status"] == {"alleged": 1, "contested": 1, "corroborated": 3}
    assert [c["id"] for c in internal["contested"]] == ["claim-disputed"]


def test_the_person_dossier_shows_the_status_the_audience_may_know(claims):
    from dadkhah.dossier.person import person_dossier

    with claims.reader(PUBLIC) as s:
        ctx = person_dossier(s, "person-nouri", "public", with_chain=False)
    statuses = {a.claim_id: a.status for a in ctx["matrix"]}
    assert "claim-hidden" not in statuses
    assert statuses["claim-two"] == "alleged" and statuses["claim-disputed"] == "alleged"
    assert statuses["claim-open"] == "corroborated"
    assert statuses["claim-order"] == "alleged"
    assert ctx["counts"]["corroborated"] == 1
    assert ctx["counts"]["contested"] == 0
    with claims.reader(SYSTEM) as s:
        ctx = person_dossier(s, "person-nouri", "internal", with_chain=False)
    statuses = {a.claim_id: a.status for a in ctx["matrix"]}
    assert statuses["claim-two"] == "corroborated" and statuses["claim-disputed"] == "contested"
    assert ctx["counts"]["contested"] == 1


def test_the_case_report_lists_only_what_the_audience_may_know_is_contested(claims):
    from dadkhah.dossier.common import SourceNotes
    from dadkhah.dossier.report import contested_groups

    with claims.reader(PUBLIC) as s:
        assert contested_groups(s, PUBLIC, SourceNotes(s, PUBLIC)) == []
    with claims.reader(SYSTEM) as s:
        groups = contested_groups(s, SYSTEM, SourceNotes(s, SYSTEM))
        assert [row["claim"].id for g in groups for row in g["claims"]] == ["claim-disputed"]


def test_an_order_in_the_chain_of_command_carries_the_status_the_reader_may_know(claims):
    from dadkhah.casework.chain import build_command_graph

    def order_status(reader):
        with claims.reader(reader) as s:
            g = build_command_graph(s, None, principal=reader).graph
        return [d["status"] for _, _, d in g.edges("person-razini", data=True) if d["relation"] == "ordered"]

    assert order_status(SYSTEM) == ["corroborated"]
    assert order_status(PUBLIC) == ["alleged"]
