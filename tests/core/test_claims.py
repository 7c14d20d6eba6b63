"""A fact is a claim citing sources; conflicting claims coexist; the tool never takes sides."""

import pytest

from dadkhah.access import SYSTEM
from dadkhah.claims import add_claim, list_claims
from dadkhah.errors import InputError
from dadkhah.records import add_event, add_source


@pytest.fixture
def toll_case(case):
    with case.session() as s:
        add_event(s, id="event-x", event_type="execution", label="Executions", date="1988")
        add_source(s, id="src-a", source_type="report", title="Report A", publisher="Org A", origin="A",
                   reliability="B", credibility=2)
        add_source(s, id="src-b", source_type="article", title="Article B", publisher="Org B", origin="B",
                   reliability="C", credibility=3)
        add_source(s, id="src-a2", source_type="article", title="Article A2", publisher="Org A", origin="A",
                   reliability="B", credibility=2)
    return case


def test_a_claim_without_a_source_is_refused(toll_case):
    with pytest.raises(InputError, match="at least one source"), toll_case.session() as s:
        add_claim(s, subject_id="event-x", predicate="death_toll", value_low=5, citations=[])


def test_conflicting_death_tolls_are_both_contested_and_both_kept(toll_case):
    with toll_case.session() as s:
        add_claim(s, id="c-high", subject_id="event-x", predicate="death_toll", value_low=30000,
                  citations=[{"source_id": "src-a", "quotation": "30,000"}])
        add_claim(s, id="c-low", subject_id="event-x", predicate="death_toll", value_low=2000, value_high=9999,
                  citations=[{"source_id": "src-b", "quotation": "several thousand"}])
    with toll_case.reader(SYSTEM) as s:
        statuses = {c.id: c.status for c in list_claims(s, principal=SYSTEM)}
    assert statuses == {"c-high": "contested", "c-low": "contested"}


def test_overlapping_ranges_do_not_conflict(toll_case):
    with toll_case.session() as s:
        add_claim(s, id="c1", subject_id="event-x", predicate="death_toll", value_low=3000, value_high=5000,
                  citations=[{"source_id": "src-a"}])
        add_claim(s, id="c2", subject_id="event-x", predicate="death_toll", value_low=4000,
                  citations=[{"source_id": "src-b"}])
    with toll_case.reader(SYSTEM) as s:
        assert {c.status for c in list_claims(s, principal=SYSTEM)} == {"alleged"}


def test_two_independent_sources_corroborate_but_one_origin_twice_does_not(toll_case):
    with toll_case.session() as s:
        add_claim(s, id="same-origin", subject_id="event-x", predicate="statement", statement="x",
                  citations=[{"source_id": "src-a"}, {"source_id": "src-a2"}])
        add_claim(s, id="independent", subject_id="event-x", predicate="statement", statement="y",
                  citations=[{"source_id": "src-a"}, {"source_id": "src-b"}])
    with toll_case.reader(SYSTEM) as s:
        statuses = {c.id: c.status for c in list_claims(s, principal=SYSTEM)}
    assert statuses == {"same-origin": "alleged", "independent": "corroborated"}


def test_a_contradicting_citation_makes_a_claim_contested(toll_case):
    with toll_case.session() as s:
        add_claim(s, id="c", subject_id="event-x", predicate="statement", statement="x",
                  citations=[{"source_id": "src-a"}, {"source_id": "src-b", "stance": "contradicts"}])
    with toll_case.reader(SYSTEM) as s:
        assert list_claims(s, principal=SYSTEM)[0].status == "contested"


def test_unknown_predicate_names_the_field(toll_case):
    with pytest.raises(InputError) as info, toll_case.session() as s:
        add_claim(s, subject_id="event-x", predicate="made_up", citations=[{"source_id": "src-a"}])
    assert info.value.field == "predicate"
