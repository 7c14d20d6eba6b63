"""Chain of command: a graph per period from positions, organisation structure and orders."""

from __future__ import annotations

import pytest

from dadkhah.access import SYSTEM, audience
from dadkhah.casework.chain import build_command_graph, co_members, subordinates, superiors
from dadkhah.casework.period import Period
from dadkhah.errors import InputError, NotFound


def labels(rows):
    return [r.label for r in rows]


def test_who_was_above_a_prison_official_in_gohardasht_in_august_1988(synthetic):
    case, _ = synthetic
    with case.reader(SYSTEM) as s:
        above = superiors(s, "person-abbasi", period="August 1988", scope="place-gohardasht", principal=SYSTEM)
    names = labels(above)
    # his direct superior in the prison, the warden, the head of the parent body, and the commission
    # that ordered the executions he is alleged to have carried out there
    for expected in ("Naser Tavakoli", "Davood Rahimi", "Karim Shafiei", "Hossein Nazari", "Morteza Eshghi",
                     "Ebrahim Rostami"):
        assert expected in names
    assert "Ali Moradi" not in names  # a guard is below him, not above
    assert "Saeed Karimi" not in names  # held a post there only in 1995–2000


def test_superiors_are_listed_nearest_first_with_the_chain_that_links_them(synthetic):
    case, _ = synthetic
    with case.reader(SYSTEM) as s:
        above = superiors(s, "person-abbasi", period="1988-08", principal=SYSTEM)
    by_name = {r.label: r for r in above}
    assert above[0].distance <= above[-1].distance
    assert by_name["Naser Tavakoli"].distance < by_name["Karim Shafiei"].distance
    deputy = by_name["Naser Tavakoli"].path
    assert [(st.superior, st.subordinate, st.relation) for st in deputy] == [
        ("person-deputy", "person-abbasi", "superior")]
    chief = [st.relation for st in by_name["Karim Shafiei"].path]
    assert chief[0] == "commands" and "parent_of" in chief


def test_an_order_reaches_down_through_the_commission_to_the_executions(synthetic):
    case, _ = synthetic
    with case.reader(SYSTEM) as s:
        above = superiors(s, "person-abbasi", period="summer 1988", principal=SYSTEM)
    leader = next(r for r in above if r.id == "person-leader")
    # Hashemi ordered the commission; its members command it; it ordered the executions he carried out
    assert [st.relation for st in leader.path] == ["ordered", "commands", "ordered", "carried_out"]
    assert leader.path[0].via == "claim-leader-ordered"


def test_the_period_decides_who_held_which_post(synthetic):
    case, _ = synthetic
    with case.reader(SYSTEM) as s:
        in_1995 = superiors(s, "person-later", period="1995", principal=SYSTEM)
        in_1988 = superiors(s, "person-later", period="1988", principal=SYSTEM)
    assert "Davood Rahimi" not in labels(in_1995)  # the warden left in 1990
    assert in_1988 == []  # not yet in post


def test_a_period_may_be_given_in_the_jalali_calendar(synthetic):
    case, _ = synthetic
    with case.reader(SYSTEM) as s:
        jalali = labels(superiors(s, "person-abbasi", period="1367/05/15", scope="place-gohardasht", principal=SYSTEM))
        gregorian = labels(superiors(s, "person-abbasi", period="1988-08-06", scope="place-gohardasht",
                                     principal=SYSTEM))
        month = labels(superiors(s, "person-abbasi", period="1367/05", scope="place-gohardasht", principal=SYSTEM))
    assert jalali == gregorian
    assert "Mahmoud Hashemi" in month  # Mordad 1367 began on 23 July 1988, when the order was given
    assert "Mahmoud Hashemi" not in gregorian


def test_a_scope_with_no_position_of_the_person_finds_nobody(synthetic):
    case, _ = synthetic
    with case.reader(SYSTEM) as s:
        assert superiors(s, "person-abbasi", period="1988-08", scope="place-evin", principal=SYSTEM) == []


def test_who_was_below_the_warden(synthetic):
    case, _ = synthetic
    with case.reader(SYSTEM) as s:
        below = labels(subordinates(s, "person-warden", period="1988-08", principal=SYSTEM))
    assert {"Naser Tavakoli", "Hamid Abbasi", "Ali Moradi"} <= set(below)
    assert "Karim Shafiei" not in below


def test_who_sat_on_the_same_commission(synthetic):
    case, _ = synthetic
    with case.reader(SYSTEM) as s:
        bodies = co_members(s, "person-member", principal=SYSTEM)
    assert [b.organization_id for b in bodies] == ["org-commission"]
    others = {o.label for o in bodies[0].others}
    assert others == {"Hossein Nazari", "Morteza Eshghi"}  # Jafar Mousavi sat in 1990, not in 1988
    assert bodies[0].persian == "هیئت مرگ"
    assert {o.persian for o in bodies[0].others} == {"حسین نظری", "مرتضی عشقی"}


def test_a_confidential_post_is_in_the_internal_graph_only(synthetic):
    case, _ = synthetic
    with case.reader(SYSTEM) as s:
        internal = labels(superiors(s, "person-abbasi", period="1988-08", principal=audience("internal")))
        prosecutor = labels(superiors(s, "person-abbasi", period="1988-08", principal=audience("prosecutor")))
        graph = build_command_graph(s, "1988-08", principal=audience("public"))
    assert any("Informant" in n for n in internal)
    assert not any("Informant" in n for n in prosecutor)
    assert "person-informant" not in graph.graph
    assert all("CANARY" not in (d.get("label") or "") for _, d in graph.graph.nodes(data=True))


def test_the_graph_keeps_why_each_edge_is_there(synthetic):
    case, _ = synthetic
    with case.reader(SYSTEM) as s:
        g = build_command_graph(s, "1988-08", principal=SYSTEM).graph
    edges = {(u, v): d for u, v, d in g.edges(data=True)}
    assert edges[("person-deputy", "person-abbasi")]["via"] == "mem-abbasi-gohardasht"
    assert edges[("person-deputy", "person-abbasi")]["superior_via"] == "mem-deputy-gohardasht"
    assert edges[("person-deputy", "person-abbasi")]["context"] == "org-gohardasht"
    assert edges[("event-execution", "person-abbasi")]["relation"] == "carried_out"


def test_bad_questions_get_clear_errors(synthetic):
    case, _ = synthetic
    with case.reader(SYSTEM) as s:
        with pytest.raises(InputError, match="period"):
            superiors(s, "person-abbasi", period="the thirteenth month", principal=SYSTEM)
        with pytest.raises(NotFound):
            superiors(s, "person-nobody", period="1988", principal=SYSTEM)
        with pytest.raises(NotFound):
            superiors(s, "person-abbasi", period="1988", scope="place-atlantis", principal=SYSTEM)


def test_a_period_overlaps_open_and_closed_spans():
    import datetime as dt

    p = Period.parse("1988-08")
    assert p.overlaps(None, None)
    assert p.overlaps(dt.date(1987, 1, 1), None)
    assert not p.overlaps(dt.date(1988, 9, 1), None)
    assert not p.overlaps(None, dt.date(1988, 7, 31))
    assert Period.parse(None).overlaps(dt.date(1900, 1, 1), dt.date(1900, 1, 2))
