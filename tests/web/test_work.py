"""Work given to people: an editor gives a linkage pair to a reviewer, it waits in the reviewer's queue, and
deciding the pair marks it done; the rights around it."""

from __future__ import annotations

import re

import pytest
from web_helpers import csrf_of, linked_lists, seed

from dadkhah.access import SYSTEM


@pytest.fixture
def pairs(web, tmp_path):
    seed(web.case)
    linked_lists(web.case, tmp_path)
    from dadkhah.linkage.review import next_pairs

    return [p["pair"] for p in next_pairs(web.case, 5, principal=SYSTEM)]


def test_a_pair_given_to_a_reviewer_waits_in_their_queue_until_they_decide_it(web, pairs):
    admin, reviewer = web.client("admin"), web.client("reviewer")
    pair = pairs[0]
    page = admin.get(f"/review/{pair}?lang=fa").text
    assert 'id="assign-form"' in page and 'value="reviewer"' in page
    r = admin.post("/work/assign", data={"csrf_token": csrf_of(admin, "/work"), "kind": "review_pair",
                                         "target": str(pair), "assignee": "reviewer", "note": "لطفاً بررسی کنید",
                                         "back": f"/review/{pair}"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/review/{pair}"
    queue = reviewer.get("/work?lang=fa").text
    mine = queue.split('id="my-queue"')[1].split("</section>")[0]
    assert f'data-target="{pair}"' in mine and "باز" in mine and "لطفاً بررسی کنید" in mine
    assert f'href="/review/{pair}"' in mine
    assert 'id="assign"' not in queue  # a reviewer may not give out work
    # the reviewer decides the pair: the work is done
    reviewer.post(f"/review/{pair}", data={"csrf_token": csrf_of(reviewer, f"/review/{pair}"), "decision": "same"})
    mine = reviewer.get("/work").text.split('id="my-queue"')[1].split("</section>")[0]
    assert re.search(rf'data-target="{pair}".*?work-done', mine, re.S)


def test_only_editors_assign_and_only_to_someone_who_may_do_the_work(web, pairs):
    reviewer, admin = web.client("reviewer"), web.client("admin")
    token = csrf_of(reviewer, "/work")
    r = reviewer.post("/work/assign", data={"csrf_token": token, "kind": "review_pair", "target": str(pairs[0]),
                                            "assignee": "reviewer"}, follow_redirects=False)
    assert r.status_code == 403
    token = csrf_of(admin, "/work")
    bad = admin.post("/work/assign", data={"csrf_token": token, "kind": "review_pair", "target": str(pairs[0]),
                                           "assignee": "viewer"})  # a viewer may not review
    refused = admin.post("/work/assign?lang=fa", data={"csrf_token": token, "kind": "review_pair",
                                                       "target": str(pairs[0]), "assignee": "viewer"})
    assert bad.status_code == 422 and "نمی‌توان" in refused.text
    missing = admin.post("/work/assign", data={"csrf_token": token, "kind": "record", "target": "person-nope",
                                               "assignee": "viewer"})
    assert missing.status_code == 422
    from sqlalchemy import select

    from dadkhah.web.tables import WorkItem

    with web.case.reader(SYSTEM) as s:
        assert list(s.scalars(select(WorkItem))) == []  # nothing stored from refused requests


def test_someone_else_cannot_change_the_status_of_your_work(web, pairs):
    admin = web.client("admin")
    admin.post("/work/assign", data={"csrf_token": csrf_of(admin, "/work"), "kind": "review_pair",
                                     "target": str(pairs[0]), "assignee": "reviewer"})
    from sqlalchemy import select

    from dadkhah.web.tables import WorkItem

    with web.case.reader(SYSTEM) as s:
        item_id = s.scalar(select(WorkItem.id))
    viewer = web.client("viewer")
    r = viewer.post(f"/work/{item_id}/status", data={"csrf_token": csrf_of(viewer, "/work"), "status": "done"},
                    follow_redirects=False)
    assert r.status_code == 404
    with web.case.reader(SYSTEM) as s:
        assert s.get(WorkItem, item_id).status == "open"


def test_an_editor_adds_an_event_type_in_both_languages_and_it_is_offered_in_the_forms(web):
    admin = web.client("admin")
    r = admin.post("/vocab/event_type", data={"csrf_token": csrf_of(admin, "/vocab/event_type"), "term": "mass_arrest",
                                              "en": "Mass arrest", "fa": "بازداشت گسترده"}, follow_redirects=False)
    assert r.status_code == 303
    listing = admin.get("/vocab/event_type?lang=fa").text
    assert 'data-term="mass_arrest"' in listing and "بازداشت گسترده" in listing
    form = admin.get("/events/new?lang=fa").text
    assert '<option value="mass_arrest"' in form and "بازداشت گسترده" in form
    bad = admin.post("/vocab/event_type", data={"csrf_token": csrf_of(admin, "/vocab/event_type"),
                                                "term": "Mass Arrest!", "en": "x", "fa": ""})
    assert bad.status_code == 422
    shipped = admin.post("/vocab/event_type", data={"csrf_token": csrf_of(admin, "/vocab/event_type"),
                                                    "term": "execution", "en": "Killing", "fa": "کشتن"})
    assert shipped.status_code == 422  # shipped terms keep their labels
    viewer = web.client("viewer")
    assert viewer.post("/vocab/event_type", data={"csrf_token": csrf_of(viewer, "/vocab/event_type"), "term": "x_y",
                                                  "en": "X", "fa": "ایکس"}, follow_redirects=False).status_code == 403
