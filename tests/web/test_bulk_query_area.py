"""Bulk edits on a list, the query builder over facets, and search by an area on the map (issue 17): the
service functions, the rights around them, the pages in both languages (every string translated, errors
named in the reader's language), and a point-in-polygon test that is correct at edges and corners."""

from __future__ import annotations

import re

import pytest
from ui_text import findings
from web_helpers import CANARY_CONFIDENTIAL, CANARY_RESTRICTED, csrf_of, seed

from dadkhah.access import SYSTEM


@pytest.fixture
def ids(web):
    return seed(web.case)


def _audit(case, record_ids, since: int):
    from sqlalchemy import select

    from dadkhah.store.audit import AuditEntry

    with case.reader(SYSTEM) as s:
        return list(s.execute(select(AuditEntry.record_id, AuditEntry.table_name, AuditEntry.actor,
                                     AuditEntry.action).where(AuditEntry.seq > since,
                                                              AuditEntry.record_id.in_(record_ids))))


def _last_seq(case) -> int:
    from sqlalchemy import func, select

    from dadkhah.store.audit import AuditEntry

    with case.reader(SYSTEM) as s:
        return s.scalar(select(func.max(AuditEntry.seq))) or 0


def _no_english(path: str, html: str) -> list[str]:
    from dadkhah.web.i18n import catalogue

    english = {v["en"] for v in catalogue().values() if v.get("en") and v.get("en") != v.get("fa")
               and any(c.isalpha() for c in v["en"]) and "{" not in v["en"]}
    return [str(f) for f in findings(path, html, english=english)]


# --- bulk edits ------------------------------------------------------------------------------------------

def test_a_bulk_change_is_confirmed_with_its_count_then_applied_with_one_audit_entry_per_record(web, ids):
    admin = web.client("admin")
    listing = admin.get("/persons?lang=fa").text
    assert 'id="bulk"' in listing and 'data-select-all="bulk"' in listing and not _no_english("/persons", listing)
    token = csrf_of(admin, "/persons")
    chosen = [ids["victim"], ids["hidden"]]
    confirm = admin.post("/persons/bulk?lang=fa", data={"csrf_token": token, "ids": chosen + ["person-nope"],
                                                         "change": "sensitivity:confidential", "back": "/persons"})
    assert confirm.status_code == 200
    assert "رکوردهایی که تغییر می‌کنند: ۲" in confirm.text and "اعمال روی ۲ رکورد" in confirm.text
    assert "یافت نشد" in confirm.text  # the id that does not exist is counted, not named
    assert not _no_english("/persons/bulk", confirm.text)
    with web.case.reader(SYSTEM) as s:  # nothing is written before the confirmation
        from dadkhah.model import Person

        assert s.get(Person, ids["victim"]).sensitivity == "public"
    since = _last_seq(web.case)
    done = admin.post("/persons/bulk?lang=en", data={"csrf_token": token, "ids": chosen, "step": "apply",
                                                      "change": "sensitivity:confidential", "back": "/persons"})
    assert done.status_code == 200 and "Records changed: 2" in done.text
    entries = _audit(web.case, chosen, since)
    assert sorted(e.record_id for e in entries) == sorted(chosen), entries  # one entry per changed record
    assert {(e.actor, e.action) for e in entries} == {("admin", "update")}
    with web.case.reader(SYSTEM) as s:
        assert {s.get(Person, i).sensitivity for i in chosen} == {"confidential"}
    # the same change again changes nothing and writes nothing
    since = _last_seq(web.case)
    again = admin.post("/persons/bulk", data={"csrf_token": token, "ids": chosen, "step": "apply",
                                              "change": "sensitivity:confidential"})
    assert "Records changed: 0" in again.text and "Already so, left as they are: 2" in again.text
    assert _audit(web.case, chosen, since) == []


def test_a_record_that_cannot_take_the_change_is_refused_and_the_others_are_changed(web, ids):
    admin = web.client("admin")
    token = csrf_of(admin, "/persons")
    # the confidential person's only name is confidential: it cannot be made restricted (its label would leak)
    since = _last_seq(web.case)
    r = admin.post("/persons/bulk?lang=fa", data={"csrf_token": token, "ids": [ids["secret"], ids["victim"]],
                                                   "step": "apply", "change": "sensitivity:restricted"})
    refused = r.text.split('id="bulk-refused"')[1].split("</ul>")[0]
    assert ids["secret"] in refused and "نامی ندارد" in refused
    assert ids["victim"] in r.text.split('id="bulk-changed"')[1].split("</ul>")[0]
    from dadkhah.model import Person

    with web.case.reader(SYSTEM) as s:
        assert s.get(Person, ids["secret"]).sensitivity == "confidential"
        assert s.get(Person, ids["victim"]).sensitivity == "restricted"
    assert [e.record_id for e in _audit(web.case, [ids["secret"], ids["victim"]], since)] == [ids["victim"]]


def test_events_take_a_new_type_in_bulk_and_records_go_to_someones_queue(web, ids):
    admin = web.client("admin")
    token = csrf_of(admin, "/events")
    assert "type:massacre" in admin.get("/events").text or "type:execution" in admin.get("/events").text
    r = admin.post("/events/bulk", data={"csrf_token": token, "ids": [ids["execs"], ids["burial"]], "step": "apply",
                                         "change": "type:arrest"})
    assert "Records changed: 2" in r.text
    from dadkhah.model import Event

    with web.case.reader(SYSTEM) as s:
        assert {s.get(Event, i).event_type for i in (ids["execs"], ids["burial"])} == {"arrest"}
    since = _last_seq(web.case)
    r = admin.post("/persons/bulk", data={"csrf_token": token, "ids": [ids["victim"], ids["hidden"]],
                                          "step": "apply", "change": "assign:reviewer"})
    assert "Records changed: 2" in r.text
    assert len(_audit(web.case, [], since)) == 0  # work items are audited under their own ids
    queue = web.client("reviewer").get("/work?lang=fa").text.split('id="my-queue"')[1].split("</section>")[0]
    assert f'data-target="{ids["victim"]}"' in queue and f'data-target="{ids["hidden"]}"' in queue


def test_bulk_edits_need_the_edit_right_csrf_and_a_known_change(web, ids):
    viewer = web.client("viewer")
    assert 'id="bulk"' not in viewer.get("/persons").text
    token = csrf_of(viewer, "/persons")
    r = viewer.post("/persons/bulk", data={"csrf_token": token, "ids": [ids["victim"]], "step": "apply",
                                           "change": "sensitivity:restricted"}, follow_redirects=False)
    assert r.status_code == 403
    anonymous = web.client()
    r = anonymous.post("/persons/bulk", data={"ids": [ids["victim"]], "change": "sensitivity:restricted"},
                       follow_redirects=False)
    assert r.status_code in (303, 401)
    admin = web.client("admin")
    r = admin.post("/persons/bulk", data={"csrf_token": "forged", "ids": [ids["victim"]], "step": "apply",
                                          "change": "sensitivity:restricted"}, follow_redirects=False)
    assert r.status_code == 403
    token = csrf_of(admin, "/persons")
    for change in ("colour:red", "sensitivity:secret", "type:execution", "assign:nobody", "sensitivity:"):
        r = admin.post("/persons/bulk?lang=fa", data={"csrf_token": token, "ids": [ids["victim"]], "change": change})
        assert r.status_code == 422 and 'id="bulk-error"' in r.text, change
        assert "این تغییر شدنی نیست" in r.text
    r = admin.post("/persons/bulk?lang=fa", data={"csrf_token": token, "change": "sensitivity:public"})
    assert r.status_code == 422 and "دست‌کم یک رکورد" in r.text
    from dadkhah.model import Person

    with web.case.reader(SYSTEM) as s:
        assert s.get(Person, ids["victim"]).sensitivity == "public"


def test_the_bulk_service_refuses_a_level_the_editor_could_not_see(web, ids):
    from dadkhah.access import Principal, Role
    from dadkhah.errors import InputError
    from dadkhah.web import bulk

    with web.case.reader(SYSTEM) as s:
        with pytest.raises(PermissionError):
            bulk.plan(s, Principal(name="v", role=Role.viewer), kind="person", ids=[ids["victim"]],
                      change="sensitivity:restricted")
        with pytest.raises(InputError):
            bulk.plan(s, Principal(name="a", role=Role.admin), kind="person", ids=[ids["victim"]] * 0,
                      change="sensitivity:restricted")
        plan = bulk.plan(s, Principal(name="a", role=Role.admin), kind="person",
                         ids=[ids["victim"], ids["victim"], ids["secret"]], change="sensitivity:restricted")
        assert [r["id"] for r in plan.changed] == [ids["victim"], ids["secret"]]  # duplicates once


# --- the query builder -----------------------------------------------------------------------------------

def test_a_query_combines_conditions_on_one_event_and_is_shareable(web, ids):
    admin = web.client("admin")
    url = ("/query?kind=person&c0f=role&c0o=any&c0v=victim&c1f=event_type&c1o=any&c1v=%D8%A7%D8%B9%D8%AF%D8%A7%D9%85"
           "&c2f=place&c2o=any&c2v=Evin&c3f=event_date&c3o=between&c3v=%DB%B1%DB%B3%DB%B6%DB%B7/%DB%B0%DB%B5/%DB%B0%DB%B1"
           "&c3w=1367/06/01")  # "اعدام" by its Persian label; Jalali dates in Persian and Latin digits
    html = admin.get(url + "&lang=fa").text
    results = html.split('id="query-results"')[1]
    assert "یافته‌ها: ۱" in results and f'data-id="{ids["victim"]}"' in results
    assert not _no_english("/query", html)
    share = re.search(r'href="(/query\?[^"]+)" id="query-share"', html).group(1)
    again = admin.get(share.replace("&amp;", "&") + "&lang=en").text
    assert "Found: 1" in again and f'data-id="{ids["victim"]}"' in again
    # the same conditions but a date range outside the event: nobody
    none = admin.get(url.replace("c3w=1367/06/01", "c3w=1367/05/02").replace("c3v=%DB%B1%DB%B3%DB%B6%DB%B7",
                                                                               "c3v=1366") + "&lang=en").text
    assert "Found: 0" in none
    # role and place must hold for one and the same participation: the confidential witness at the Evin
    # executions was not a victim there
    witness = admin.get("/query?kind=person&c0f=role&c0o=any&c0v=witness,victim&c1f=place&c1o=any&c1v=Evin").text
    assert ids["secret"] in witness and ids["victim"] in witness
    victims_at_khavaran = admin.get("/query?kind=person&c0f=role&c0o=any&c0v=victim&c1f=place&c1o=any&c1v=Khavaran")
    assert "Found: 0" in victims_at_khavaran.text


def test_query_results_respect_the_readers_level(web, ids):
    q = "/query?kind=person&c0f=role&c0o=any&c0v=witness,victim&c1f=place&c1o=any&c1v=Evin"
    assert CANARY_CONFIDENTIAL in web.client("admin").get(q).text
    viewer = web.client("viewer").get(q).text
    assert CANARY_CONFIDENTIAL not in viewer and "Found: 1" in viewer
    members = "/query?kind=person&c0f=organization&c0o=any&c0v=Death%20commission"
    assert CANARY_RESTRICTED in web.client("viewer").get(members).text  # the public membership
    anonymous = web.client().get(members).text
    assert CANARY_RESTRICTED not in anonymous and "Found: 0" in anonymous


def test_events_are_queried_by_type_place_and_date(web, ids):
    admin = web.client("admin")
    html = admin.get("/query?kind=event&c0f=event_type&c0o=none&c0v=burial&c1f=date&c1o=before&c1v=1989").text
    assert f'data-id="{ids["execs"]}"' in html and f'data-id="{ids["burial"]}"' not in html
    html = admin.get("/query?kind=event&c0f=name&c0o=contains&c0v=khavaran").text
    assert "Found: 1" in html and f'data-id="{ids["burial"]}"' in html


@pytest.mark.parametrize("query, fa, en", [
    ("c0f=colour&c0o=any&c0v=red", "ویژگی‌ای به نام «colour» نیست", "no field “colour”"),
    ("c0f=role&c0o=between&c0v=victim&c0w=x", "«نقش در رویداد» با شرط «میان» به کار نمی‌رود",
     "“Role in an event” cannot be “between”"),
    ("c0f=role&c0o=any&c0v=victim&c1f=role&c1o=any&c1v=dancer", "شرط ۲: «dancer» از مقدارهای «نقش در رویداد» نیست",
     "Condition 2: “dancer” is not a value of “Role in an event”"),
    ("c0f=birth&c0o=after&c0v=soon", "«soon» تاریخ نیست", "“soon” is not a date"),
    ("c0f=place&c0o=any&c0v=Atlantis", "مکانی به نام «Atlantis»", "no place you may see is named “Atlantis”"),
    ("c0f=event_date&c0o=between&c0v=1367", "دو تاریخ لازم دارد", "needs two dates"),
    ("c0f=gender&c0o=any&c0v=", "مقداری بنویسید", "give a value for “Gender”"),
    ("c0f=<script>x</script>&c0v=1", "ویژگی‌ای به نام «<script>x</script>» نیست", "no field “<script>x</script>”"),
])
def test_a_bad_condition_is_named_in_the_readers_language(web, ids, query, fa, en):
    client = web.client("viewer")
    for lang, expected in (("fa", fa), ("en", en)):
        r = client.get(f"/query?kind=person&{query}&lang={lang}")
        assert r.status_code == 400
        error = re.search(r'id="query-error"><p>(.*?)</p>', r.text).group(1)
        import html as _html

        assert expected in _html.unescape(re.sub(r"<[^>]+>", "", error)), (lang, error)
        assert "<script" not in error
    assert web.client().get("/query?kind=claims").status_code == 400


def test_query_values_are_codes_or_labels_in_either_language_and_rows_left_empty_are_skipped(web, ids):
    from dadkhah.access import SYSTEM
    from dadkhah.web import query

    params = {"c0f": "role", "c0v": "Victim، شاهد", "c2f": "", "c2v": "", "c3f": "gender", "c3o": "none",
              "c3v": "زن", "c4f": "birth", "c4o": "after", "c4v": "۱۳۳۰"}
    with web.case.reader(SYSTEM) as s:
        q = query.parse(s, "person", params, SYSTEM)
    assert [(c.field, c.op) for c in q.conditions] == [("role", "any"), ("gender", "none"), ("birth", "after")]
    assert q.conditions[0].resolved == ["victim", "witness"] and q.conditions[1].resolved == ["female"]
    assert q.params()["c2f"] == "birth"  # renumbered without the empty row
    with web.case.reader(SYSTEM) as s:
        assert query.run(s, q, SYSTEM, lang="en")["total"] == 1  # born 1340, male: the victim


# --- search by an area on the map ------------------------------------------------------------------------

SQUARE = [(0, 0), (4, 0), (4, 4), (0, 4)]
CONCAVE = [(0, 0), (6, 0), (6, 6), (3, 2), (0, 6)]  # a "V" notch cut from the top


@pytest.mark.parametrize("point, inside", [
    ((2, 2), True), ((5, 2), False), ((-1, 2), False), ((2, 5), False),
    ((0, 2), True), ((4, 4), True), ((2, 0), True),  # on an edge or a corner
    ((2, 4.000001), False),
])
def test_point_in_a_square(point, inside):
    from dadkhah.web.area import point_in_polygon

    assert point_in_polygon(*point, SQUARE) is inside
    assert point_in_polygon(*point, list(reversed(SQUARE))) is inside  # either orientation
    assert point_in_polygon(*point, SQUARE + [SQUARE[0]]) is inside  # closed or not


@pytest.mark.parametrize("point, inside", [
    ((3, 1), True), ((3, 4), False), ((1, 4), True), ((5, 4), True), ((3, 2), True), ((1.5, 4), True),
    ((1.4, 4.5), False),
    ((0, 6), True), ((3, 0), True),
])
def test_point_in_a_concave_polygon_including_rays_through_vertices(point, inside):
    from dadkhah.web.area import point_in_polygon

    assert point_in_polygon(*point, CONCAVE) is inside


def test_point_in_polygon_agrees_with_a_brute_force_grid_count():
    """A ray through a vertex is counted once: over a fine grid the inside points of a diamond are exactly
    those with |x| + |y| <= 1."""
    from dadkhah.web.area import point_in_polygon

    diamond = [(1, 0), (0, 1), (-1, 0), (0, -1)]
    for i in range(-12, 13):
        for j in range(-12, 13):
            x, y = i / 10, j / 10
            assert point_in_polygon(x, y, diamond) is (abs(x) + abs(y) <= 1 + 1e-9), (x, y)


def test_an_area_is_read_from_the_address_and_a_bad_one_is_named():
    from dadkhah.web.area import AreaError, parse_area

    assert parse_area("35.9,51.2;35.9,51.6;۳۵٫۵,۵۱٫۶") == [(51.2, 35.9), (51.6, 35.9), (51.6, 35.5)]
    for bad, key in (("35,51;36,52", "area.error.corners"), ("35,51;36,52;x,y", "area.error.corner"),
                     ("35,51;36,52;95,10", "area.error.range"), ("35;36,52;37,53", "area.error.corner")):
        with pytest.raises(AreaError) as exc:
            parse_area(bad)
        assert exc.value.key == key


def test_the_map_lists_places_events_and_victims_inside_a_drawn_area_as_far_as_the_reader_may_see(web, ids):
    tehran = "/map?area=36,51;36,52;35,52;35,51"
    admin = web.client("admin").get(tehran + "&lang=fa").text
    results = admin.split('id="area-results"')[1].split("</section>")[0]
    assert ids["evin"] in results and ids["khavaran"] in results and ids["execs"] in results
    assert ids["victim"] in results.split('id="area-victims"')[1]
    assert "قربانیان" in results and not _no_english("/map", admin)
    # a triangle west of Tehran's two sites: Evin (51.387, 35.796) is in, Khavaran (51.62, 35.61) is out
    triangle = web.client("admin").get("/map?area=36,51;36,51.6;35.5,51.3").text
    found = triangle.split('id="area-results"')[1].split("</section>")[0]
    assert ids["evin"] in found and ids["khavaran"] not in found
    # the confidential witness at Evin is not a victim; a confidential victim is shown only to whom may see it
    with web.case.session(actor="t") as s:
        from dadkhah import records

        hidden_victim = records.add_person(s, names=["Confidah Victimpour"], sensitivity="confidential")
        records.add_participation(s, event_id=ids["execs"], participant_id=hidden_victim.id, role="victim",
                                  sensitivity="confidential")
    assert "Confidah Victimpour" in web.client("admin").get(tehran).text
    viewer = web.client("viewer").get(tehran + "&lang=en").text
    assert "Confidah Victimpour" not in viewer and ids["victim"] in viewer
    bad = web.client("viewer").get("/map?area=36,51;36&lang=fa")
    assert bad.status_code == 400 and "دست‌کم سه گوشه" in bad.text
