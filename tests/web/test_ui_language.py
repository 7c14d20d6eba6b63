"""The reader's language on every page: a walk over every page of the app (as admin, on the demo case with
linked lists, an evidence item and a testimony), in Persian and in English, fails on an English word or a
Latin digit outside record data on a Persian page, and on a raw code, a machine timestamp or an unrounded
figure in either language. Plus the pieces: names in the reader's script, dates by their precision,
numbers, sorting, and the linkage review's comparison by key."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from ui_text import crawl, findings, parse
from web_helpers import PASSWORD, linked_lists, login


def _codes() -> set[str]:
    """Every vocabulary code with an underscore (perpetrator_direct, held_position…)."""
    from dadkhah.model.vocab import vocabulary, vocabulary_names

    return {term for name in vocabulary_names() for term in vocabulary(name) if "_" in term}


def _english_strings() -> set[str]:
    """Interface strings whose English differs from their Persian (refused on a Persian page)."""
    from dadkhah.web.i18n import catalogue

    return {v["en"] for v in catalogue().values() if v.get("en") and v.get("en") != v.get("fa") and
            any(c.isalpha() for c in v["en"]) and "{" not in v["en"]}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from dadkhah.case import Case
    from dadkhah.demo import build_demo
    from dadkhah.web.app import Settings, create_app
    from dadkhah.web.users import create_user, issue_token

    folder = tmp_path_factory.mktemp("demo")
    case = Case.open(data_dir=folder / "case", create=True, actor="test")
    build_demo(case)
    linked_lists(case, folder)
    with case.session(actor="test") as s:
        admin = create_user(s, "admin", "admin", PASSWORD)
        token = issue_token(s, admin, "tests")
    app = create_app(case, Settings())
    api = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    item = api.post("/api/evidence", files={"file": ("note.txt", "زندانیان را از اوین بردند.".encode(), "text/plain")},
                    data={"sensitivity": "public", "link": "person-raisi"})
    assert item.status_code == 201, item.text
    tm = api.post("/api/testimony", json={"witness_id": "person-sima-mirzaei", "language": "fa",
                                          "transcript": "برادرانم در سال ۱۳۶۷ اعدام شدند."})
    assert tm.status_code in (200, 201), tm.text
    yield {"case": case, "app": app, "item": item.json()["item_id"], "testimony": tm.json()["id"], "api": api}
    case.close()


def _walk(demo, lang: str):
    client = TestClient(demo["app"])
    login(client, "admin")
    start = ["/", "/work", "/lists/import", "/vocab/event_type", "/vocab/participation_role", "/review", "/graph",
             "/map",
             "/timeline", "/estimates", "/account", "/admin/users",
             f"/evidence/{demo['item']}", f"/testimony/{demo['testimony']}", "/search?q=%D8%B1%D8%A6%DB%8C%D8%B3%DB%8C",
             "/search?q=Raisi", "/persons/person-raisi", "/events/event-massacre-1988",
             "/query?kind=person&c0f=role&c0o=any&c0v=victim&c1f=event_type&c1o=any&c1v=execution",
             "/query?kind=event&c0f=place&c0o=any&c0v=Evin,Khavaran&c1f=date&c1o=before&c1v=1368",
             "/map?area=36,51;36,52;35,52;35,51"]
    result = crawl(client, start, lang=lang, per_kind=3)
    anonymous = TestClient(demo["app"])
    for path in ("/login", "/"):
        r = anonymous.get(f"{path}?lang={lang}")
        result.pages[f"anonymous {path}"] = r.text
    return result


def test_a_persian_reader_meets_no_english_interface_text_and_no_raw_code_on_any_page(demo):
    result = _walk(demo, "fa")
    assert len(result.pages) > 150, "the walk should reach every kind of page"
    failed = {p: s for p, s in result.statuses.items() if s >= 400}
    assert not failed, failed
    kinds = {p.split("/")[1].split("?")[0] for p in result.pages}
    assert {"persons", "organizations", "places", "events", "sources", "claims", "evidence", "testimony", "review",
            "search", "graph", "map", "timeline", "estimates", "account", "admin"} <= kinds, kinds
    problems = [str(f) for path, html in result.pages.items()
                for f in findings(path, html, codes=_codes(), english=_english_strings())]
    assert not problems, "\n".join(sorted(set(p.split(": ", 1)[1] for p in problems)))


def test_an_english_page_shows_no_raw_code_timestamp_or_unrounded_figure(demo):
    result = _walk(demo, "en")
    problems = [str(f) for path, html in result.pages.items() for f in findings(path, html, codes=_codes())]
    assert not problems, "\n".join(sorted(set(p.split(": ", 1)[1] for p in problems)))


def test_the_detector_finds_what_it_should():
    page = ('<html lang="fa"><body><h1>ابراهیم رئیسی</h1><p>Save</p><span>perpetrator_direct</span>'
            '<span lang="en">Amnesty International</span><span lang="en">held_position</span>'
            '<td>2020-05-01 10:22:33.123456</td><td>۷۹۵٫۷۹</td><td>12</td>'
            '<input type="submit" value="Search"><span title="Open">باز</span></body></html>')
    found = {(f.kind.split(" in")[0], f.text) for f in findings("/x", page, codes={"held_position"})}
    assert found == {("Latin words", "Save"), ("code", "perpetrator_direct"), ("Latin words", "perpetrator_direct"),
                     ("code", "held_position"), ("timestamp", "2020-05-01 10:22:33.123456"),
                     ("Latin digits", "2020-05-01 10:22:33.123456"), ("unrounded number", "۷۹۵٫۷۹"),
                     ("Latin digits", "12"), ("Latin words", "Search"), ("Latin words", "Open")}, found
    assert findings("/x", '<html lang="fa"><p>سلام <bdi lang="en">Evin</bdi></p></html>') == []
    assert findings("/x", '<html lang="en"><p>Save</p></html>') == []


def test_records_are_named_in_the_readers_script(demo):
    client = TestClient(demo["app"])
    for lang, expected in (("fa", "ابراهیم رئیسی"), ("en", "Ebrahim Raisi")):
        html = client.get(f"/persons/person-raisi?lang={lang}").text
        w = parse(html)
        h1 = [t for t, _, where in w.texts if where in ("h1", "bdi")][0]
        assert h1 == expected, (lang, h1)
    # a role is shown in words, never as its code, and the linked event by its Persian name
    html = client.get("/persons/person-raisi?lang=fa").text
    assert "perpetrator_direct" not in html.replace('value="perpetrator_direct"', "")
    assert "عامل مستقیم" in html and "قتل‌عام زندانیان سیاسی ۱۳۶۷" in html


def test_dates_are_shown_by_their_precision_in_either_calendar():
    from dadkhah.dates import parse_date
    from dadkhah.web.render import format_date, format_period

    year = parse_date("1981")
    assert format_date(year, "gregorian", "en") == "1981 (1359–1360 SH)"
    assert format_date(year, "jalali", "fa") == "۱۹۸۱ میلادی (۱۳۵۹–۱۳۶۰ خورشیدی)"
    assert format_date(parse_date("1367"), "jalali", "fa") == "۱۳۶۷ خورشیدی (۱۹۸۸–۱۹۸۹ میلادی)"
    assert format_date(parse_date("1367/05/08"), "jalali", "fa") == "۸ مرداد ۱۳۶۷"
    assert format_date(parse_date("1367/05/08"), "gregorian", "en") == "30 July 1988"
    assert format_date(parse_date("August 1988"), "gregorian", "en") == "August 1988"
    summer = parse_date("summer 1988")
    assert format_period(summer, summer, "gregorian", "en") == "21 June – 22 September 1988"  # once, not twice
    assert format_period(parse_date("1988"), None, "gregorian", "en") == "from 1988 (1366–1367 SH)"


def test_figures_are_rounded_and_written_in_the_readers_digits():
    from dadkhah.web.render import _plain_number, format_when

    assert _plain_number(795.79, "fa") == "۷۹۶"
    assert _plain_number(795.79, "en") == "796"
    assert _plain_number(30000.0, "fa") == "۳۰٬۰۰۰"
    assert _plain_number(0.4567, "en") == "0.457"
    assert format_when("2026-12-02T07:25:46.123456", "gregorian", "en") == "2 December 2026, 07:25"
    assert format_when("2026-12-02T07:25:46.123456", "jalali", "fa") == "۱۱ آذر ۱۴۰۵، ۰۷:۲۵"


def test_names_sort_without_regard_to_case_or_arabic_letter_variants():
    from dadkhah.web.readmodel import sort_key

    names = ["ahmad Rezaei", "ABBAS Karimi", "Abbas Ahmadi", "علی", "عباس", "Ali", "كريم"]
    assert sorted(names, key=sort_key) == ["عباس", "علی", "كريم", "Abbas Ahmadi", "ABBAS Karimi", "ahmad Rezaei", "Ali"]


def test_the_linkage_review_compares_values_by_key_not_by_script():
    from dadkhah.web.linkview import compare_values, explain_level

    assert compare_values("name", "حسین کریمی", "Hossein Karimi") == "same"
    assert compare_values("father", "Mohammad", "محمد") == "same"
    assert compare_values("name", "Hossein Karimi", "Hosein Karimi") in ("same", "similar")
    assert compare_values("name", "Hossein Karimi", "Maryam Ahmadi") == "different"
    assert compare_values("detention_site", "اوین", "Evin") == "same"
    assert compare_values("age", None, "42") == "one"
    assert explain_level({"comparison": "father", "level": "father_key is NULL", "gamma": -1})["level_key"] == \
        "review.lvl.missing"
    assert explain_level({"comparison": "given", "level": "Jaro-Winkler >= 0.92", "gamma": 2})["level_values"] == \
        {"n": 92}


def test_the_linkage_review_compares_dates_by_their_spans():
    from dadkhah.dates import parse_date
    from dadkhah.web.linkview import compare_dates

    year, day, other = parse_date("1336").to_dict(), parse_date("1957-06-10").to_dict(), parse_date("1960").to_dict()
    assert compare_dates(year, year) == "same"
    assert compare_dates(year, day) == "similar"  # a year and a day within it do not disagree
    assert compare_dates(year, other) == "different"
    assert compare_dates(None, year) == "one"


def test_a_persian_review_pair_page_says_how_each_field_compares_in_persian(demo):
    client = TestClient(demo["app"])
    login(client, "admin")
    queue = client.get("/review?lang=fa").text
    import re

    pair = re.search(r'href="/review/(\d+)"', queue).group(1)
    html = client.get(f"/review/{pair}?lang=fa").text
    assert "یکسان" in html or "متفاوت" in html
    assert "same key" not in html and "is NULL" not in html and "Jaro-Winkler" not in html
    # the probabilities in Persian separators and percent sign (not "۹۲.۷%")
    scores = [s for s in re.findall(r'class="score">([^<]*)<', queue) + re.findall(r'class="score">([^<]*)<', html)
              if re.search(r"[0-9۰-۹]", s)]  # (the weights' cells hold a <bdi>: their own test is above)
    assert scores and all("%" not in s and "." not in s and "٪" in s for s in scores), scores


def test_the_people_list_sorts_as_a_reader_expects_and_filters_by_name_and_type(demo):
    client = TestClient(demo["app"])
    login(client, "admin")
    html = client.get("/persons?lang=en").text
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    names = [t for t, _, where in parse(body).texts if where in ("a", "bdi")]
    from dadkhah.web.readmodel import sort_key

    assert names == sorted(names, key=sort_key), names[:20]
    found = client.get("/persons?lang=fa&q=%D8%B1%D8%A6%DB%8C%D8%B3%DB%8C").text  # رئیسی
    assert "ابراهیم رئیسی" in found and "ابراهیم رئیسی" in client.get("/persons?lang=fa&q=RAISI").text
    prisons = client.get("/places?lang=fa&type=prison").text
    assert "زندان اوین" in prisons and "خاوران" not in prisons
    assert 'rel="icon"' in html
    assert client.get("/static/favicon.svg").status_code == 200


def test_a_persian_estimate_page_has_no_english_warning_text(demo):
    """An estimate of the demo's linked lists, with its warnings (sparse cells, not-identifiable models…):
    the Persian page writes them from the catalogue; the English page shows the estimate's own messages."""
    import re
    import time

    client = TestClient(demo["app"])
    login(client, "admin")
    api = demo["api"]
    r = api.post("/api/estimates", json={"method": "loglinear", "seed": 1})
    assert r.status_code in (200, 201, 202), r.text
    run_id = r.json()["id"]
    for _ in range(600):
        run = api.get(f"/api/estimates/{run_id}").json()
        if run["state"] not in ("queued", "running"):
            break
        time.sleep(0.1)
    assert run["state"] == "done", run
    warnings = run["summary"]["warnings"]
    assert warnings, "the demo's lists are sparse: the estimate warns"
    fa = client.get(f"/estimates/{run_id}?lang=fa").text
    en = client.get(f"/estimates/{run_id}?lang=en").text
    problems = [str(f) for f in findings(f"/estimates/{run_id}", fa, codes=_codes(), english=_english_strings())]
    assert not problems, problems
    main_fa = re.sub(r"<[^>]+>", "", fa[fa.index("<main"):fa.index("</main>")])
    for w in warnings:
        assert w["message"] not in main_fa
        assert w["message"].split(":")[0] not in main_fa, w
    assert sum(w["message"] in en.replace("&#39;", "'") for w in warnings) == len(warnings)
    assert "estimate-warnings" in fa
    listing = client.get("/estimates?lang=fa").text
    assert run_id in listing
    assert not findings("/estimates", listing, codes=_codes(), english=_english_strings())


def test_every_level_of_every_linkage_comparison_is_said_in_words_not_as_a_number():
    """A reviewer meets each comparison's level in the review table; none may fall back to "level 3"."""
    from dadkhah.linkage import model as M
    from dadkhah.web.i18n import catalogue
    from dadkhah.web.linkview import explain_level

    known = catalogue()
    for comp in M.comparisons():
        d = comp.get_comparison("duckdb").as_dict()
        levels = [lv for lv in d["comparison_levels"] if not lv.get("is_null_level")]
        for gamma, lv in zip(range(len(levels) - 1, -1, -1), levels, strict=True):
            label = lv.get("label_for_charts") or lv["sql_condition"]
            got = explain_level({"comparison": d["output_column_name"], "level": label, "gamma": gamma})
            assert got["level_key"] != "review.lvl.level_n", (d["output_column_name"], label)
            assert got["level_key"] in known, got["level_key"]
