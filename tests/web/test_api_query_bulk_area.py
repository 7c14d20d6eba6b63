"""The REST API's query builder, search by an area and bulk changes: the same services as the /query and /map
pages and the list pages' bulk form, with the caller's principal; bad input refused with 422 naming it."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from web_helpers import CANARY_CONF_NAME_FORM, CANARY_CONFIDENTIAL, CANARY_RESTRICTED, seed

from dadkhah.access import SYSTEM


@pytest.fixture
def ids(web):
    return seed(web.case)


def _audited(case, record_ids) -> list[str]:
    from sqlalchemy import select

    from dadkhah.store.audit import AuditEntry

    with case.reader(SYSTEM) as s:
        return list(s.scalars(select(AuditEntry.record_id).where(AuditEntry.record_id.in_(record_ids))
                              .order_by(AuditEntry.seq)))


def _ids(answer: dict) -> set[str]:
    return {i["id"] for i in answer["items"]}


# --- the query builder -----------------------------------------------------------------------------------

SHARED = ("kind=person&c0f=role&c0o=any&c0v=victim&c1f=event_type&c1o=any&c1v=" + quote("اعدام")
          + "&c2f=place&c2o=any&c2v=Evin&c3f=event_date&c3o=between&c3v=" + quote("۱۳۶۷/۰۵/۰۱") + "&c3w=1367/06/01")


def test_a_shared_query_address_works_with_api_before_it_and_answers_what_the_page_does(web, ids):
    api = web.api("investigator")
    answer = api.get(f"/api/query?{SHARED}").json()
    assert answer["total"] == 1 and _ids(answer) == {ids["victim"]}
    assert [c["field"] for c in answer["conditions"]] == ["role", "event_type", "place", "event_date"]
    page = web.client("investigator").get(answer["share"]).text
    assert f'data-id="{ids["victim"]}"' in page.split('id="query-results"')[1]
    again = api.get("/api" + answer["share"]).json()
    assert _ids(again) == {ids["victim"]}
    outside = api.get(f"/api/query?{SHARED}".replace("c3w=1367/06/01", "c3w=1367/05/02")).json()
    assert outside["total"] == 0 and outside["items"] == []


def test_query_answers_hold_only_what_the_caller_may_see(web, ids):
    q = "/api/query?kind=person&c0f=role&c0o=any&c0v=witness,victim&c1f=place&c1o=any&c1v=Evin"
    assert _ids(web.api("admin").get(q).json()) == {ids["victim"], ids["secret"]}
    viewer = web.api("viewer").get(q)
    assert _ids(viewer.json()) == {ids["victim"]} and CANARY_CONFIDENTIAL not in viewer.text
    members = "/api/query?kind=person&c0f=organization&c0o=any&c0v=Death%20commission"
    assert ids["hidden"] in web.api("viewer").get(members).text  # the public membership
    anonymous = web.api().get(members)
    assert anonymous.status_code == 200 and anonymous.json()["total"] == 0 and CANARY_RESTRICTED not in anonymous.text
    by_canary_name = web.api("viewer").post("/api/query", json={"conditions": [
        {"field": "name", "op": "contains", "values": ["Canarynia"]}]}).json()
    assert by_canary_name["total"] == 0


def test_a_name_condition_never_matches_through_a_name_form_above_the_callers_level(web, ids):
    """The public victim has a confidential alias: finding them by it would tell a viewer the alias exists."""
    word = CANARY_CONF_NAME_FORM.split()[-1]
    body = {"conditions": [{"field": "name", "op": "contains", "values": [word]}]}
    assert _ids(web.api("admin").post("/api/query", json=body).json()) == {ids["victim"]}
    for role in ("viewer", "analyst", "reviewer", None):
        assert web.api(role).post("/api/query", json=body).json()["total"] == 0, role
        assert web.api(role).get(f"/api/query?kind=person&c0f=name&c0o=contains&c0v={word}").json()["total"] == 0


def test_conditions_as_json_keep_a_value_with_a_comma_whole_and_take_several_values(web, ids):
    from dadkhah import records

    with web.case.session(actor="t") as s:
        karaj = records.add_place(s, place_type="prison", names=["Gohardasht, Karaj"])
        ev = records.add_event(s, event_type="execution", label="Executions at Gohardasht", date="1367/05/10",
                               place_id=karaj.id)
        records.add_participation(s, event_id=ev.id, participant_id=ids["hidden"], role="victim")
    api = web.api("investigator")
    body = {"kind": "person", "conditions": [{"field": "role", "values": ["victim", "شاهد"]},
                                             {"field": "place", "values": ["Gohardasht, Karaj"]}]}
    answer = api.post("/api/query", json=body).json()
    assert _ids(answer) == {ids["hidden"]}
    assert answer["conditions"][0] == {"field": "role", "op": "any", "values": ["victim", "شاهد"]}
    # the same place written into the address is read as two values, "Gohardasht" and "Karaj": still found
    assert _ids(api.get("/api/query?kind=person&c0f=place&c0v=" + quote("Gohardasht, Karaj")).json()) == {ids["hidden"]}
    events = api.post("/api/query", json={"kind": "event", "conditions": [
        {"field": "date", "op": "between", "values": ["1988-07-01", "1988-08-31"]},
        {"field": "event_type", "op": "none", "values": ["burial"]}], "limit": 1}).json()
    assert events["total"] == 2 and len(events["items"]) == 1 and events["limit"] == 1


@pytest.mark.parametrize("body, field, key, n", [
    ({"conditions": [{"field": "colour", "values": ["red"]}]}, "colour", "query.error.field", 1),
    ({"conditions": [{"field": "role", "values": ["victim"]}, {"field": "role", "values": ["dancer"]}]}, "role",
     "query.error.value", 2),
    ({"conditions": [{"field": "birth", "op": "between", "values": ["1340"]}]}, "birth", "query.error.two_dates", 1),
    ({"conditions": [{"field": "birth", "op": "after", "values": ["soon"]}]}, "birth", "query.error.date", 1),
    ({"conditions": [{"field": "role", "op": "between", "values": ["a", "b"]}]}, "role", "query.error.op", 1),
    ({"conditions": [{"field": "place", "values": ["Atlantis"]}]}, "place", "query.error.place", 1),
])
def test_a_bad_condition_is_refused_with_422_naming_the_condition_and_field(web, ids, body, field, key, n):
    r = web.api("viewer").post("/api/query", json=body)
    assert r.status_code == 422, r.text
    err = r.json()
    assert err["field"] == field and err["values"]["n"] == n and err["key"] == key
    assert f"condition {n}" in err["detail"]


def test_malformed_query_requests_are_refused_not_answered(web, ids):
    api = web.api("viewer")
    assert api.get("/api/query?kind=claims&c0f=name&c0v=x").status_code == 422
    assert api.post("/api/query", json={"conditions": []}).status_code == 422
    assert api.post("/api/query", json={"kind": "claim", "conditions": [{"field": "name", "values": ["x"]}]}
                    ).status_code == 422
    assert api.post("/api/query", json={"conditions": [{"field": "name", "values": ["x\x00"]}]}).status_code == 422
    empty = api.get("/api/query").json()
    assert empty["total"] == 0 and empty["conditions"] == []
    assert _ids(web.api().get(f"/api/query?{SHARED}").json()) == {ids["victim"]}  # anonymous: the public victim


# --- search by an area -----------------------------------------------------------------------------------

def test_an_area_answers_places_events_and_victims_inside_it_as_far_as_the_caller_may_see(web, ids):
    tehran = "/api/area?area=36,51;36,52;35,52;35,51"
    found = web.api("viewer").get(tehran).json()
    assert {p["id"] for p in found["places"]} == {ids["evin"], ids["khavaran"]}
    assert {e["id"] for e in found["events"]} == {ids["execs"], ids["burial"]}
    assert [v["id"] for v in found["victims"]] == [ids["victim"]]
    assert found["area"][0] == [36, 51]
    triangle = web.api("viewer").get("/api/area?area=36,51;36,51.6;35.5,51.3").json()
    assert {p["id"] for p in triangle["places"]} == {ids["evin"]}
    with web.case.session(actor="t") as s:
        from dadkhah import records

        hidden_victim = records.add_person(s, names=["Confidah Victimpour"], sensitivity="confidential")
        records.add_participation(s, event_id=ids["execs"], participant_id=hidden_victim.id, role="victim",
                                  sensitivity="confidential")
    assert "Confidah Victimpour" in web.api("admin").get(tehran).text
    assert "Confidah Victimpour" not in web.api("viewer").get(tehran).text


@pytest.mark.parametrize("area, key", [("36,51;36", "area.error.corners"), ("36,51;36,52;x,y", "area.error.corner"),
                                       ("36,51;36,52;95,52", "area.error.range"), ("", "area.error.corners")])
def test_a_bad_area_is_refused_with_422_naming_the_corner(web, area, key):
    r = web.api("viewer").get(f"/api/area?area={quote(area)}")
    assert r.status_code == 422 and r.json()["key"] == key and r.json()["field"] == "area"


# --- bulk changes ----------------------------------------------------------------------------------------

def test_a_bulk_change_is_previewed_without_writing_then_applied_one_audit_entry_per_record(web, ids):
    from dadkhah.model import Person

    api = web.api("admin")
    chosen = [ids["victim"], ids["hidden"], "person-nope"]
    before = _audited(web.case, chosen)
    preview = api.post("/api/persons/bulk", json={"ids": chosen, "change": "sensitivity:confidential"})
    assert preview.status_code == 200, preview.text
    p = preview.json()
    assert p["applied"] is False and p["not_found"] == 1
    assert {r["id"] for r in p["changed"]} == {ids["victim"], ids["hidden"]}
    assert {r["current"] for r in p["changed"]} == {"public", "restricted"}
    assert _audited(web.case, chosen) == before
    with web.case.reader(SYSTEM) as s:
        assert s.get(Person, ids["victim"]).sensitivity == "public"
    done = api.post("/api/persons/bulk", json={"ids": chosen, "change": "sensitivity:confidential", "apply": True})
    d = done.json()
    assert d["applied"] is True and {r["sensitivity"] for r in d["changed"]} == {"confidential"}
    assert sorted(_audited(web.case, chosen)[len(before):]) == sorted([ids["victim"], ids["hidden"]])
    again = api.post("/api/persons/bulk", json={"ids": chosen, "change": "sensitivity:confidential"}).json()
    assert again["changed"] == [] and len(again["unchanged"]) == 2


def test_a_record_that_cannot_take_the_change_is_refused_with_its_reason_and_left_as_it_was(web, ids):
    from dadkhah.model import Person

    r = web.api("admin").post("/api/persons/bulk", json={"ids": [ids["secret"], ids["victim"]],
                                                         "change": "sensitivity:restricted", "apply": True}).json()
    assert [(x["record"]["id"], x["reason"]) for x in r["refused"]] == [(ids["secret"], "no_safe_name")]
    assert [x["id"] for x in r["changed"]] == [ids["victim"]]
    with web.case.reader(SYSTEM) as s:
        assert s.get(Person, ids["secret"]).sensitivity == "confidential"
        assert s.get(Person, ids["victim"]).sensitivity == "restricted"


def test_events_take_a_type_and_records_go_to_someones_queue_in_bulk(web, ids):
    from dadkhah.model import Event

    api = web.api("admin")
    r = api.post("/api/events/bulk", json={"ids": [ids["execs"], ids["burial"]], "change": "type:arrest",
                                           "apply": True})
    assert len(r.json()["changed"]) == 2
    with web.case.reader(SYSTEM) as s:
        assert {s.get(Event, i).event_type for i in (ids["execs"], ids["burial"])} == {"arrest"}
    r = api.post("/api/persons/bulk", json={"ids": [ids["victim"]], "change": "assign:reviewer", "apply": True})
    assert [x["current"] for x in r.json()["changed"]] == [None]
    again = api.post("/api/persons/bulk", json={"ids": [ids["victim"]], "change": "assign:reviewer"}).json()
    assert [x["current"] for x in again["unchanged"]] == ["reviewer"]


def test_bulk_changes_need_the_edit_right_and_a_known_change_named_in_the_refusal(web, ids):
    body = {"ids": [ids["victim"]], "change": "sensitivity:restricted", "apply": True}
    assert web.api().post("/api/persons/bulk", json=body).status_code == 401
    assert web.api("viewer").post("/api/persons/bulk", json=body).status_code == 403
    admin = web.api("admin")
    for change, field in (("colour:red", "change"), ("sensitivity:secret", "change"), ("type:execution", "change"),
                          ("assign:nobody", "change")):
        r = admin.post("/api/persons/bulk", json=dict(body, change=change))
        assert r.status_code == 422 and r.json()["field"] == field, (change, r.text)
    assert admin.post("/api/persons/bulk", json=dict(body, ids=[])).status_code == 422
    assert admin.post("/api/persons/bulk", json=dict(body, ids=[f"x{i}" for i in range(501)])).status_code == 422


def test_work_is_never_given_to_someone_who_may_not_see_its_record(web, ids):
    from sqlalchemy import select
    from web_helpers import csrf_of

    from dadkhah.web.tables import WorkItem

    r = web.api("admin").post("/api/persons/bulk", json={"ids": [ids["secret"], ids["victim"]],
                                                         "change": "assign:reviewer", "apply": True}).json()
    assert [(x["record"]["id"], x["reason"]) for x in r["refused"]] == [(ids["secret"], "assignee_cannot_see")]
    assert [x["id"] for x in r["changed"]] == [ids["victim"]]
    assert web.api("admin").post("/api/persons/bulk", json={"ids": [ids["secret"]], "change": "assign:investigator",
                                                             "apply": True}).json()["changed"]
    admin = web.client("admin")
    page = admin.post("/work/assign?lang=fa", data={"csrf_token": csrf_of(admin, "/work"), "kind": "record",
                                                    "target": ids["hidden"], "assignee": "reviewer"},
                      follow_redirects=False)
    assert page.status_code == 303  # a restricted record: the reviewer may see it
    refused = admin.post("/work/assign?lang=fa", data={"csrf_token": csrf_of(admin, "/work"), "kind": "record",
                                                       "target": ids["secret"], "assignee": "analyst"})
    assert refused.status_code == 422 and "اجازه‌ی دیدن آن را ندارد" in refused.text
    with web.case.reader(SYSTEM) as s:
        given = {(w.target, w.assignee) for w in s.scalars(select(WorkItem))}
    assert (ids["secret"], "reviewer") not in given and (ids["secret"], "analyst") not in given
    assert (ids["secret"], "investigator") in given and (ids["hidden"], "reviewer") in given
