"""The perpetrator dossier (HTML here; PDF in test_dossier_pdf.py), for each audience."""

from __future__ import annotations

import re

import pytest

from dadkhah.access import SYSTEM
from dadkhah.dossier.person import person_dossier
from dadkhah.dossier.render import render_html
from dadkhah.errors import NotFound
from dadkhah.testing.synthetic_case import CANARY


@pytest.fixture(scope="module")
def dossiers(synthetic):
    """The HTML dossier of Hamid Abbasi (fictional) for each audience."""
    case, ids = synthetic
    out = {}
    with case.reader(SYSTEM) as s:
        for audience in ("internal", "prosecutor", "public"):
            ctx = person_dossier(s, "person-abbasi", audience, blobs=case.blobs)
            out[audience] = render_html("person.html", ctx)
    return out, ids


def section(html: str, anchor: str) -> str:
    start = html.index(f'id="{anchor}"')
    nxt = html.find("<h2", start + 10)
    return html[start: nxt if nxt > 0 else len(html)]


def test_identity_lists_every_name_form_the_audience_may_see_with_persian_marked_rtl(dossiers):
    html, _ = dossiers
    identity = section(html["internal"], "identity")
    assert '<span dir="rtl" lang="fa" class="fa">حمید عباسی</span>' in identity
    assert f"Abbasi {CANARY}" in identity  # a confidential alias: internal only
    assert f"Abbasi {CANARY}" not in html["prosecutor"]
    assert 'dir="rtl"' in section(html["public"], "identity") and "Hamid Abbasi" in html["public"]


def test_the_career_runs_to_the_present_and_says_where_the_person_is_now(dossiers):
    html, _ = dossiers
    now = section(html["public"], "now")
    assert "Ministry official" in now and "since 2015" in now
    assert "Stockholm" in now and "2019-11 (1398/08/10 – 1398/09/09)" in now
    career = section(html["public"], "career")
    assert career.index("Assistant to the deputy prosecutor") < career.index("Trial in Stockholm")
    assert "1987 (1365/10/11 – 1366/10/10)" in career  # both calendars


def test_the_allegation_matrix_lists_evidence_for_and_against_with_grades(dossiers):
    html, _ = dossiers
    matrix = section(html["public"], "matrix")
    row = matrix[matrix.index('id="claim-claim-abbasi-execution"'):]
    row = row[: row.index('<div class="allegation"', 10) if '<div class="allegation"' in row[10:] else len(row)]
    evidence_for, evidence_against = row.split("Evidence against (1):")
    assert "Evidence for (2):" in evidence_for
    assert re.search(r">A2</b> Report of the Special Rapporteur \(fictional\), para. 12", evidence_for)
    assert re.search(r">C3</b> Survivors describe the summer of 1988", evidence_for)
    assert "“Prisoners at Gohardasht were executed in groups.”" in evidence_for  # the quotation
    assert re.search(r">E5</b> Official denial", evidence_against)
    assert "contested" in row and "exhibits E1" in row


def test_the_exhibit_index_gives_each_exhibit_its_sha256(dossiers):
    html, ids = dossiers
    assert ids["sha_public"] in section(html["public"], "exhibits")
    assert ids["sha_secret"] in section(html["internal"], "exhibits")
    assert ids["sha_secret"] not in html["prosecutor"] and ids["sha_secret"] not in html["public"]


def test_witness_statements_are_redacted_for_the_audience(dossiers):
    html, _ = dossiers
    prosecutor = section(html["prosecutor"], "statements")
    assert "Leila Ahmadi" in prosecutor and "[redacted]" in prosecutor and CANARY not in prosecutor
    assert CANARY in section(html["internal"], "statements")
    assert "No witness statement" in section(html["public"], "statements")


def test_the_chain_of_command_is_drawn_and_explained(dossiers):
    html, _ = dossiers
    chain = section(html["public"], "chain")
    assert "<svg" in chain and 'data-id="person-deputy"' in chain
    assert "Naser Tavakoli" in chain and "ناصر توکلی" in chain


def test_sources_are_numbered_notes_and_the_citations_point_at_them(dossiers):
    html, _ = dossiers
    sources = section(html["public"], "sources")
    assert 'id="source-1"' in sources and "Report of the Special Rapporteur (fictional)" in sources
    assert 'href="#source-1"' in html["public"]


def test_a_public_dossier_contains_nothing_that_is_not_public(dossiers):
    html, _ = dossiers
    assert CANARY not in html["public"]
    assert "Informant" not in html["public"] and "Interview notes" not in html["public"]
    assert CANARY in html["prosecutor"]  # restricted material is for the prosecutor…
    assert "Informant" not in html["prosecutor"]  # …confidential material is not


def test_a_person_the_audience_may_not_see_has_no_dossier(synthetic):
    case, _ = synthetic
    with case.reader(SYSTEM) as s, pytest.raises(NotFound):
        person_dossier(s, "person-informant", "prosecutor")


def test_a_person_with_many_roles_gets_a_summary_and_a_compact_matrix_in_pdf(synthetic, monkeypatch):
    import dadkhah.dossier.person as person_module

    monkeypatch.setattr(person_module, "DETAIL_LIMIT", 1)  # Abbasi has two roles: summarise them
    case, _ = synthetic
    with case.reader(SYSTEM) as s:
        ctx = person_dossier(s, "person-abbasi", "public")
        pdf_html = render_html("person.html", ctx, for_pdf=True)
        html = render_html("person.html", ctx)
    assert not ctx["detailed"]
    summary = {(g["role"], g["event_type"]): g["count"] for g in ctx["roles_summary"]}
    assert summary == {("perpetrator_direct", "execution"): 1, ("defendant", "trial_abroad"): 1}
    roles = section(pdf_html, "roles")
    assert "Kind of event" in roles and "Executions at Gohardasht, August 1988" not in roles
    matrix = section(pdf_html, "matrix")
    assert "this PDF cites each source by its grade" in matrix
    assert "FOR: A2 [2] para. 12; C3 [1] p. 3" in matrix and "AGAINST: E5 [3]" in matrix
    assert "Prisoners at Gohardasht were executed in groups." not in matrix  # quotations: HTML edition only
    assert "Prisoners at Gohardasht were executed in groups." in section(html, "matrix")
