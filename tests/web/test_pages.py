"""Server-rendered pages: language and calendar, forms with validation and Persian input, every claim with
its sources and grades, search with facets, map and timeline, graph, the vault's pages."""

from __future__ import annotations

import re

import pytest
from web_helpers import csrf_of, seed

# Pages read through the same services as the API, which (like the access matrix) runs on both backends:
# SQLite only here.
pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@pytest.fixture
def ids(web):
    return seed(web.case)


def test_persian_pages_are_right_to_left_and_the_choice_is_remembered(web, ids):
    c = web.client()
    r = c.get("/?lang=fa")
    assert '<html lang="fa" dir="rtl">' in r.text and "پیشخوان" in r.text
    assert "dk_lang=fa" in r.headers.get("set-cookie", "")
    assert '<html lang="fa" dir="rtl">' in c.get("/persons").text  # the cookie keeps it
    assert '<html lang="en" dir="ltr">' in c.get("/persons?lang=en").text


def test_the_browser_language_is_the_default(web):
    r = web.client().get("/", headers={"Accept-Language": "fa-IR,fa;q=0.9,en;q=0.5"})
    assert 'lang="fa"' in r.text


def test_dates_follow_the_chosen_calendar(web, ids):
    c = web.client()
    jalali = c.get(f"/events/{ids['execs']}?cal=jalali&lang=en").text
    gregorian = c.get(f"/events/{ids['execs']}?cal=gregorian").text
    assert "8 Mordad 1367" in jalali and "30 July 1988" not in jalali  # a day, in words
    assert "30 July 1988" in gregorian and "Mordad" not in gregorian
    persian = c.get(f"/events/{ids['execs']}?cal=jalali&lang=fa").text
    assert "۸ مرداد ۱۳۶۷" in persian  # Persian digits and month names for Persian readers


def test_a_person_page_shows_every_claim_with_its_sources_and_grades(web, ids):
    html = web.client("viewer").get(f"/persons/{ids['victim']}").text
    assert "محمد رضایی" in html and "Mohammad Rezaei" in html
    assert "Amnesty International report" in html and '<span class="grade"' in html and ">A2<" in html
    assert "executed in the summer of 1988" in html and "p. 12" in html


def test_contested_claims_say_so(web, ids):
    html = web.client().get(f"/events/{ids['execs']}").text
    assert html.count("status-contested") >= 2 and "30,000" in html


def test_a_person_is_created_from_the_form_with_persian_names_and_persian_digits(web):
    c = web.client("investigator")
    token = csrf_of(c, "/persons/new")
    r = c.post("/persons/new", follow_redirects=False, data={
        "csrf_token": token, "name_text[]": ["علي رضائي", "Ali Rezaei", ""], "name_kind[]": ["full", "full", "full"],
        "name_sensitivity[]": ["", "", ""], "birth": "۱۳۴۵", "gender": "male", "sensitivity": "public"})
    assert r.status_code == 303
    page = c.get(r.headers["location"]).text
    assert "1966" in page or "1345" in page
    # Arabic letter variants typed on a Persian keyboard layout are normalised for search
    hits = web.api().get("/api/search", params={"q": "علی رضایی"}).json()["hits"]
    assert any(h["label"] in ("Ali Rezaei", "علي رضائي") for h in hits)


def test_a_form_with_errors_is_shown_again_with_the_fields_marked_and_nothing_saved(web):
    c = web.client("investigator")
    token = csrf_of(c, "/events/new")
    r = c.post("/events/new", data={"csrf_token": token, "label": "", "event_type": "execution",
                                    "date": "the 45th of Nevermber", "sensitivity": "public"})
    assert r.status_code == 422
    assert 'class="field-error"' in r.text and "the 45th of Nevermber" in r.text
    r = c.post("/events/new", data={"csrf_token": token, "label": "An event", "event_type": "execution",
                                    "date": "the 45th of Nevermber", "sensitivity": "public"})
    assert r.status_code == 422 and "field-error" in r.text
    assert web.api().get("/api/events").json()["total"] == 0


def test_an_edit_form_changes_a_record_and_removes_a_name(web, ids):
    c = web.client("investigator")
    form = c.get(f"/persons/{ids['victim']}/edit").text
    name_id = re.search(r'name="remove_name\[\]" value="(\d+)"', form).group(1)
    r = c.post(f"/persons/{ids['victim']}/edit", follow_redirects=False, data={
        "csrf_token": csrf_of(c, "/"), "remove_name[]": [name_id], "name_text[]": ["M. Rezaei"],
        "name_kind[]": ["alias"], "name_sensitivity[]": [""], "father_name": "Ali", "sensitivity": "public"})
    assert r.status_code == 303
    person = web.api("investigator").get(f"/api/persons/{ids['victim']}").json()
    assert person["father_name"] == "Ali" and "M. Rezaei" in [n["text"] for n in person["names"]]
    assert len(person["names"]) == 3


def test_read_only_roles_see_no_edit_buttons_and_cannot_open_forms(web, ids):
    c = web.client("viewer")
    assert "/edit" not in c.get(f"/persons/{ids['victim']}").text
    assert c.get(f"/persons/{ids['victim']}/edit").status_code == 403


def test_a_claim_is_recorded_from_the_form_and_refused_without_a_source(web, ids):
    c = web.client("investigator")
    token = csrf_of(c, "/claims/new")
    refused = c.post("/claims/new", data={"csrf_token": token, "subject_id": ids["victim"], "predicate": "fate",
                                          "value_text": "disappeared"})
    assert refused.status_code == 422 and "field-error" in refused.text
    r = c.post("/claims/new", follow_redirects=False, data={
        "csrf_token": token, "subject_id": ids["victim"], "predicate": "death_date", "valid": "۸ مرداد ۱۳۶۷",
        "source_id": ids["source2"], "quotation": "he was taken on 30 July", "locator": "ch. 3",
        "stance": "supports", "sensitivity": "public"})
    assert r.status_code == 303
    assert "he was taken on 30 July" in c.get(r.headers["location"]).text


def test_search_finds_names_across_scripts_and_offers_facets(web, ids):
    html = web.client().get("/search", params={"q": "Mohammad Rezaee"}).text
    assert f"/persons/{ids['victim']}" in html
    assert 'class="facet"' in html or "facet" in html
    assert ">Victim<" in html  # the role facet, labelled from the vocabulary


def test_the_map_page_embeds_its_sites_and_the_outline_is_served_offline(web, ids):
    c = web.client()
    html = c.get("/map").text
    assert "/static/vendor/leaflet/leaflet.js" in html and "Evin prison" in html
    outline = c.get("/static/geo/iran-provinces.geojson").json()
    assert outline["schematic"] is True and len(outline["features"]) == 32
    assert c.get("/static/vendor/leaflet/leaflet.css").status_code == 200
    assert c.get("/static/vendor/vazirmatn/Vazirmatn-Regular.woff2").status_code == 200


def test_no_page_loads_anything_from_another_site(web, ids):
    c = web.client("admin")
    for path in ("/", "/map", f"/persons/{ids['victim']}", "/timeline", "/graph", "/search?q=evin"):
        html = c.get(path).text
        assert not re.search(r'(src|href)="(https?:)?//', html), path
    assert "default-src 'self'" in c.get("/").headers["content-security-policy"]


def test_the_chain_of_command_page_draws_the_graph_for_an_organisation(web, ids):
    html = web.client("viewer").get("/graph", params={"root": ids["org"]}).text
    assert "<svg" in html and ids["org"] in html
    assert "Restrictedeh Hiddenpour" in html  # a restricted office-holder, visible to a viewer
    assert "Hiddenpour" not in web.client().get("/graph", params={"root": ids["org"]}).text  # not to the public


def test_the_testimony_form_records_a_persian_statement_and_suggests_mentions(web, ids):
    c = web.client("investigator")
    r = c.post("/testimony/new", follow_redirects=False, data={
        "csrf_token": csrf_of(c, "/testimony/new"), "witness_name": "زهرا کریمی",
        "transcript": "مرا به زندان اوین بردند.", "language": "fa", "consent_scope": "prosecution",
        "sensitivity": "restricted"})
    assert r.status_code == 303
    html = c.get(r.headers["location"]).text
    assert "مرا به زندان اوین بردند." in html and f"/entity/{ids['evin']}" in html
    hits = web.api("viewer").get("/api/search", params={"q": "Zahra Karimi"}).json()["hits"]
    assert any(h["kind"] == "person" for h in hits)


def test_evidence_is_uploaded_through_the_api_and_shown_with_its_custody_log(web, ids):
    api = web.api("investigator")
    r = api.post("/api/evidence", files={"file": ("report.txt", b"Prisoners were taken from Evin.",
                                                  "text/plain")},
                 data={"sensitivity": "public", "source_id": ids["source"], "link": ids["evin"]})
    assert r.status_code == 201, r.text
    item_id = r.json()["item_id"]
    again = api.post("/api/evidence", files={"file": ("copy.txt", b"Prisoners were taken from Evin.")})
    assert again.json()["status"] == "duplicate"
    html = web.client("viewer").get(f"/evidence/{item_id}").text
    assert "report.txt" in html and "received and stored" in html and "Prisoners were taken from Evin." in html
    assert f'href="/entity/{ids["evin"]}"' in html and "Evin prison" in html  # the link to the place
    assert web.api("viewer").post("/api/evidence", files={"file": ("x.txt", b"x")}).status_code == 403


def test_downloading_an_original_needs_the_export_right_and_is_recorded(web, ids):
    api = web.api("investigator")
    item_id = api.post("/api/evidence", files={"file": ("a.txt", b"original bytes")},
                       data={"sensitivity": "public"}).json()["item_id"]
    assert web.api("viewer").get(f"/api/evidence/{item_id}/original").status_code == 403
    r = web.api("analyst").get(f"/api/evidence/{item_id}/original")
    assert r.status_code == 200 and r.content == b"original bytes"
    custody = web.api("analyst").get(f"/api/evidence/{item_id}").json()["custody"]
    assert [e["action"] for e in custody][-1] == "export"


def test_pages_of_capabilities_show_their_state_instead_of_failing(web):
    c = web.client("admin")
    # on an empty case each page says what it is and that there is nothing yet, in the reader's language
    says = {"/evidence": ("Evidence", "Nothing to show", "شواهد", "موردی برای نمایش نیست"),
            "/testimony": ("Testimony", "Nothing to show", "شهادت‌ها", "موردی برای نمایش نیست"),
            "/estimates": ("Estimates of the number of victims", "documented count", "برآورد شمار قربانیان",
                           "شمار مستند"),
            "/graph": ("Chain of command", "Superiors are drawn above subordinates", "زنجیره فرماندهی",
                       "مافوق‌ها")}
    for path, (title_en, state_en, title_fa, state_fa) in says.items():
        en, fa = c.get(f"{path}?lang=en"), c.get(f"{path}?lang=fa")
        assert en.status_code == fa.status_code == 200, path
        main_en = en.text[en.text.index("<main"):en.text.index("</main>")]
        main_fa = fa.text[fa.text.index("<main"):fa.text.index("</main>")]
        assert title_en in main_en and state_en in main_en, path
        assert title_fa in main_fa and state_fa in main_fa, path
        assert "Traceback" not in en.text and "error" not in main_en.casefold(), path


def test_estimate_reports_need_the_analyse_right(web):
    assert web.client("viewer").get("/estimates").status_code == 403
    assert web.api("viewer").get("/api/estimates").status_code == 403
    assert web.client("analyst").get("/estimates").status_code == 200


def test_an_estimate_without_linked_lists_fails_with_a_plain_explanation(web):
    import time

    api = web.api("analyst")
    run_id = api.post("/api/estimates", json={"method": "loglinear", "seed": 1}).json()["id"]
    for _ in range(100):
        run = api.get(f"/api/estimates/{run_id}").json()
        if run["state"] != "running":
            break
        time.sleep(0.1)
    assert run["state"] == "failed" and run["error"]
    assert run["error"] in web.client("analyst").get(f"/estimates/{run_id}").text
    assert api.get(f"/api/estimates/{run_id}/../../etc").status_code == 404
    assert web.client("analyst").get(f"/estimates/{run_id}/report/..%2Fstatus.json").status_code == 404
