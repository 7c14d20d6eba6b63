"""Claims: one rule — a claim whose every source is hidden is hidden everywhere — and a status computed
only from what the reader may see. On SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from dadkhah.access import SYSTEM, audience
from dadkhah.claims import add_claim, claims_about, list_claims
from dadkhah.claims.service import claim_to_dict, get_claim
from dadkhah.errors import NotFound
from dadkhah.model import Person
from dadkhah.records import add_person, add_source
from dadkhah.records.service import entity_to_dict

PUBLIC = audience("public")


@pytest.fixture
def claims(case):
    with case.session() as s:
        add_person(s, names=["Hamid Nouri"], id="person-nouri")
        add_source(s, source_type="report", title="Open report", id="src-open", publisher="Amnesty", reliability="B")
        add_source(s, source_type="report", title="Sealed report", id="src-sealed", publisher="Insider",
                   reliability="B", sensitivity="confidential")
        add_claim(s, subject_id="person-nouri", predicate="statement", statement="Hidden-sources claim",
                  citations=[{"source_id": "src-sealed"}], id="claim-hidden")
        add_claim(s, subject_id="person-nouri", predicate="participated", statement="Two-source claim",
                  citations=[{"source_id": "src-open"}, {"source_id": "src-sealed"}], id="claim-two")
    return case


def test_a_claim_whose_every_source_is_hidden_is_hidden_everywhere(claims):
    with claims.reader(PUBLIC) as s:
        assert [c.id for c in list_claims(s, principal=PUBLIC)] == ["claim-two"]
        assert [c.id for c in claims_about(s, "person-nouri", PUBLIC)] == ["claim-two"]
        page = entity_to_dict(s, s.get(Person, "person-nouri"), PUBLIC)
        assert [c["id"] for c in page["claims"]] == ["claim-two"]
        with pytest.raises(NotFound):
            get_claim(s, "claim-hidden", PUBLIC)
    with claims.reader(SYSTEM) as s:
        assert {c.id for c in claims_about(s, "person-nouri", SYSTEM)} == {"claim-hidden", "claim-two"}


def test_status_is_computed_from_what_the_reader_may_see(claims):
    with claims.reader(SYSTEM) as s:
        claim = get_claim(s, "claim-two", SYSTEM)
        assert claim.status == "corroborated"  # two independent sources, one confidential
        assert claim_to_dict(claim, SYSTEM)["status"] == "corroborated"
    with claims.reader(PUBLIC) as s:
        d = claim_to_dict(get_claim(s, "claim-two", PUBLIC), PUBLIC)
        assert d["status"] == "alleged" and [x["source_id"] for x in d["sources"]] == ["src-open"]
        assert [c.id for c in list_claims(s, principal=PUBLIC, status="corroborated")] == []
        assert [c.id for c in list_claims(s, principal=PUBLIC, status="alleged")] == ["claim-two"]


def test_a_missing_principal_is_an_error_not_everything(claims):
    from dadkhah.access import MissingPrincipal

    with claims.reader(SYSTEM) as s:
        with pytest.raises(MissingPrincipal):
            list_claims(s, principal=None)
        with pytest.raises(MissingPrincipal):
            claims_about(s, "person-nouri", None)
        with pytest.raises(MissingPrincipal):
            claim_to_dict(get_claim(s, "claim-two", SYSTEM), None)


def test_show_audience_public_and_the_api_hide_it_too(claims):
    from dadkhah.cli import app

    if claims.backend != "sqlite":
        pytest.skip("the command line takes a case folder")
    r = CliRunner().invoke(app, ["--data", str(claims.data_dir), "show", "person", "person-nouri", "--audience",
                                 "public", "--json"])
    assert r.exit_code == 0, r.output
    shown = json.loads(r.stdout)
    assert "claim-hidden" not in r.stdout and "Hidden-sources" not in r.stdout
    assert [c["status"] for c in shown["claims"]] == ["alleged"]
