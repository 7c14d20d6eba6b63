"""The REST API: records, claims with their sources, search, map, timeline; validation and errors."""

from __future__ import annotations

import pytest
from web_helpers import seed


@pytest.fixture
def ids(web):
    return seed(web.case)


def test_the_openapi_description_lists_the_resources_and_the_bearer_scheme_is_explained(web):
    spec = web.api().get("/api/openapi.json").json()
    paths = spec["paths"]
    for path in ("/api/persons", "/api/persons/{entity_id}", "/api/claims", "/api/search", "/api/map",
                 "/api/timeline", "/api/me", "/api/query", "/api/area", "/api/persons/bulk"):
        assert path in paths
    assert "Bearer" in spec["info"]["description"]
    assert not any(p.startswith("/api/") is False for p in paths), "pages must not appear in the API description"


def test_a_person_is_created_with_persian_and_latin_names_and_read_back(web):
    api = web.api("investigator")
    r = api.post("/api/persons", json={"names": [{"text": "فاطمه احمدی"}, {"text": "Fatemeh Ahmadi"}],
                                       "birth": "۱۳۴۵", "gender": "female"})
    assert r.status_code == 201, r.text
    person = r.json()
    assert [n["script"] for n in person["names"]] == ["fa", "latin"]
    assert person["birth"]["low"].startswith("1966")
    again = web.api("viewer").get(f"/api/persons/{person['id']}").json()
    assert again["label"] == person["label"] and again["claims"] == []


def test_a_claim_without_a_source_is_refused(web, ids):
    r = web.api("investigator").post("/api/claims", json={"subject_id": ids["victim"], "predicate": "fate",
                                                          "citations": []})
    assert r.status_code == 422


def test_a_claim_is_recorded_with_its_source_grade_and_quotation(web, ids):
    r = web.api("investigator").post("/api/claims", json={
        "subject_id": ids["victim"], "predicate": "death_date", "valid": "1367/05/08",
        "citations": [{"source_id": ids["source"], "quotation": "died on 30 July", "locator": "p. 3"}]})
    assert r.status_code == 201, r.text
    claim = r.json()
    assert claim["sources"][0]["grade"] == "A2" and claim["sources"][0]["quotation"] == "died on 30 July"
    assert claim["subject"]["id"] == ids["victim"]


def test_a_person_page_in_the_api_shows_every_claim_with_sources(web, ids):
    person = web.api("viewer").get(f"/api/persons/{ids['victim']}").json()
    fate = next(c for c in person["claims"] if c["predicate"] == "fate")
    assert fate["sources"][0]["title"] == "Amnesty International report"
    assert fate["sources"][0]["locator"] == "p. 12"


def test_conflicting_death_tolls_are_both_shown_as_contested(web, ids):
    event = web.api().get(f"/api/events/{ids['execs']}").json()
    tolls = [c for c in event["claims"] if c["predicate"] == "death_toll"]
    assert len(tolls) == 2 and {c["status"] for c in tolls} == {"contested"}


def test_unknown_vocabulary_terms_and_bad_dates_name_the_field(web):
    api = web.api("investigator")
    r = api.post("/api/events", json={"label": "X", "event_type": "picnic"})
    assert r.status_code == 422 and r.json()["field"] == "event_type"
    r = api.post("/api/events", json={"label": "X", "event_type": "execution", "date": "the 45th of Nevermber"})
    assert r.status_code == 422 and r.json()["field"] == "date"


def test_patch_changes_fields_and_refuses_unknown_references(web, ids):
    api = web.api("investigator")
    r = api.patch(f"/api/events/{ids['execs']}", json={"label": "Executions at Evin prison", "date": "1988-07-30"})
    assert r.status_code == 200 and r.json()["label"] == "Executions at Evin prison"
    r = api.patch(f"/api/events/{ids['execs']}", json={"place_id": "place-nope"})
    assert r.status_code == 422 and r.json()["field"] == "place_id"


def test_lowering_sensitivity_cannot_turn_a_confidential_name_into_a_public_label(web, ids):
    r = web.api("investigator").patch(f"/api/persons/{ids['secret']}", json={"sensitivity": "public"})
    assert r.status_code == 422 and r.json()["field"] == "sensitivity"


def test_a_name_form_is_added_and_found_by_search(web, ids):
    api = web.api("investigator")
    r = api.post(f"/api/persons/{ids['victim']}/names", json={"text": "Mohammed Rezayi", "kind": "alias"})
    assert r.status_code == 201
    hits = web.api().get("/api/search", params={"q": "رضایی"}).json()["hits"]
    assert ids["victim"] in [h["id"] for h in hits]


def test_search_finds_a_persian_name_by_a_latin_spelling(web, ids):
    hits = web.api().get("/api/search", params={"q": "Mohammad Rezaee"}).json()["hits"]
    assert hits and hits[0]["id"] == ids["victim"]


def test_search_facets_count_roles_and_filter_by_them(web, ids):
    result = web.api("viewer").get("/api/search", params={"q": "Rezaei"}).json()
    roles = {f["value"] for f in result["facets"].get("role", [])}
    assert "victim" in roles
    filtered = web.api("viewer").get("/api/search", params={"q": "Rezaei", "role": "perpetrator_direct"}).json()
    assert ids["victim"] not in [h["id"] for h in filtered["hits"]]


def test_search_facets_offer_the_place_and_period_of_a_persons_events(web, ids):
    api = web.api("viewer")
    result = api.get("/api/search", params={"q": "Rezaei"}).json()
    places = {f["value"]: f["label"] for f in result["facets"].get("place", [])}
    assert places.get(ids["evin"]) == "Evin prison"
    assert "1988" in {f["value"] for f in result["facets"].get("period", [])}
    at_evin = api.get("/api/search", params={"q": "Rezaei", "place": ids["evin"]}).json()
    assert ids["victim"] in [h["id"] for h in at_evin["hits"]]
    at_khavaran = api.get("/api/search", params={"q": "Rezaei", "place": ids["khavaran"]}).json()
    assert ids["victim"] not in [h["id"] for h in at_khavaran["hits"]]


def test_moving_an_event_moves_its_participants_facets(web, ids):
    r = web.api("investigator").patch(f"/api/events/{ids['execs']}",
                                      json={"place_id": ids["khavaran"], "date": "1367"})
    assert r.status_code == 200, r.text
    result = web.api("viewer").get("/api/search", params={"q": "Rezaei", "place": ids["khavaran"]}).json()
    assert ids["victim"] in [h["id"] for h in result["hits"]]
    periods = {f["value"] for f in result["facets"].get("period", [])}
    assert {"1988", "1989"} <= periods  # the Jalali year 1367 spans March 1988 to March 1989


def test_the_map_lists_prisons_and_grave_sites_as_geojson(web, ids):
    fc = web.api().get("/api/map").json()
    assert fc["type"] == "FeatureCollection"
    by_id = {f["id"]: f for f in fc["features"]}
    assert by_id[ids["evin"]]["geometry"]["coordinates"] == [51.387, 35.796]
    assert by_id[ids["khavaran"]]["properties"]["place_type"] == "mass_grave"


def test_the_timeline_groups_events_by_year_of_the_chosen_calendar(web, ids):
    greg = web.api().get("/api/timeline", params={"calendar": "gregorian"}).json()
    jal = web.api().get("/api/timeline", params={"calendar": "jalali"}).json()
    assert [g["year"] for g in greg["groups"]] == [1988]
    assert [g["year"] for g in jal["groups"]] == [1367]
    assert [e["id"] for e in greg["groups"][0]["events"]] == [ids["execs"], ids["burial"]]


def test_missing_records_get_404_and_bad_parameters_422(web):
    api = web.api("admin")
    assert api.get("/api/persons/person-doesnotexist").status_code == 404
    assert api.get("/api/persons", params={"limit": 0}).status_code == 422
    assert api.get("/api/vocab/nonsense").status_code == 404
    assert api.post("/api/persons", json={"names": [{"text": "a\x00b"}]}).status_code == 422


def test_nul_characters_in_the_address_are_refused(web):
    assert web.api("admin").get("/api/persons/abc%00def").status_code == 400
    assert web.api("admin").get("/api/search?q=a%00").status_code == 400


def test_vocabularies_come_in_english_and_persian(web):
    terms = web.api().get("/api/vocab/event_type").json()["terms"]
    execution = next(t for t in terms if t["id"] == "execution")
    assert execution["en"] == "Execution" and execution["fa"] == "اعدام"


def test_removing_the_name_shown_as_the_label_relabels_the_record(web, ids):
    import re

    c = web.client("investigator")
    from web_helpers import csrf_of

    form = c.get(f"/persons/{ids['victim']}/edit").text
    label = web.api("investigator").get(f"/api/persons/{ids['victim']}").json()["label"]
    shown = r'<span dir="auto">(?:<bdi lang="\w+">)?' + re.escape(label) + r'(?:</bdi>)?</span>'
    name_id = re.search(shown + r'.*?name="remove_name\[\]" value="(\d+)"',
                        form, re.S).group(1)
    r = c.post(f"/persons/{ids['victim']}/edit", follow_redirects=False,
               data={"csrf_token": csrf_of(c, "/"), "remove_name[]": [name_id], "sensitivity": "public"})
    assert r.status_code == 303
    person = web.api("investigator").get(f"/api/persons/{ids['victim']}").json()
    assert person["label"] != label and person["label"] in [n["text"] for n in person["names"]]
