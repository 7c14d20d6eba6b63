"""Bulk edits, the query builder and search by an area on the map, end to end in real headless Chromium, in
Persian and English, on the demo case with a few victims at Evin and Gohardasht added: every new page is
screenshotted (kept in ``$DADKHAH_SCREENSHOTS``), passes axe-core with no serious or critical violation, and
shows a Persian reader no English interface text.

One server and one browser for the whole module (the machine is small).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from browser_helpers import launch_chromium, screenshot_folder, serve
from test_browser_pages import _axe, _page
from ui_text import findings
from web_helpers import PASSWORD

from dadkhah.access import SYSTEM

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HIDDEN_VICTIM = "Confidah Victimpour"


@pytest.fixture(scope="module")
def site(tmp_path_factory):

    from dadkhah import records
    from dadkhah.case import Case
    from dadkhah.demo import build_demo
    from dadkhah.web.app import Settings, create_app
    from dadkhah.web.users import create_user

    folder = tmp_path_factory.mktemp("bqm-site")
    case = Case.open(data_dir=folder / "case", create=True, actor="e2e")
    build_demo(case)
    with case.session(actor="e2e") as s:
        for role in ("admin", "investigator", "reviewer", "viewer"):
            create_user(s, role, role, PASSWORD)
        evin = records.add_event(s, event_type="execution", label="Executions at Evin, Mordad 1367",
                                 names=[{"text": "اعدام‌ها در اوین، مرداد ۱۳۶۷", "lang": "fa"}],
                                 date="1367/05/10", place_id="place-evin")
        gohar = records.add_event(s, event_type="execution", label="Executions at Gohardasht, Shahrivar 1367",
                                  names=[{"text": "اعدام‌ها در گوهردشت، شهریور ۱۳۶۷", "lang": "fa"}],
                                  date="1367/06/15", place_id="place-gohardasht")
        people = {}
        for key, fa, en, event in (("ali", "علی کرمانی", "Ali Kermani", evin),
                                   ("mina", "مینا صادقی", "Mina Sadeghi", evin),
                                   ("reza", "رضا مرادی", "Reza Moradi", gohar)):
            p = records.add_person(s, names=[fa, en], birth="1340")
            records.add_participation(s, event_id=event.id, participant_id=p.id, role="victim")
            people[key] = p.id
        hidden = records.add_person(s, names=[HIDDEN_VICTIM], sensitivity="confidential")
        records.add_participation(s, event_id=evin.id, participant_id=hidden.id, role="victim",
                                  sensitivity="confidential")
    app = create_app(case, Settings())
    with serve(app) as url:
        yield {"url": url, "case": case, "people": people, "evin": evin.id,
               "gohar": gohar.id, "hidden": hidden.id}
    case.close()


@pytest.fixture(scope="module")
def chromium():
    with launch_chromium() as b:
        yield b


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    return screenshot_folder(tmp_path_factory.mktemp("shots"))


def _english():
    from dadkhah.web.i18n import catalogue

    return {v["en"] for v in catalogue().values() if v.get("en") and v.get("en") != v.get("fa")
            and any(c.isalpha() for c in v["en"]) and "{" not in v["en"]}


def _check(pg, name: str, shots: Path, problems: dict, *, full_page: bool = True) -> None:
    """Screenshot, axe, and (on a Persian page) no English interface text."""
    pg.evaluate("document.fonts.ready")
    pg.screenshot(path=str(shots / f"{name}.png"), full_page=full_page)
    bad = _axe(pg)
    if bad:
        problems[name] = bad
    if name.endswith("-fa"):
        found = [str(f) for f in findings(pg.url, pg.content(), english=_english())]
        if found:
            problems[name + " text"] = found


def test_people_are_changed_in_bulk_from_the_list_in_both_languages(chromium, site, shots):
    ali, mina = site["people"]["ali"], site["people"]["mina"]
    problems: dict = {}
    context, pg = _page(chromium, site, "investigator", axe=True)
    try:
        pg.goto(f"{site['url']}/persons?lang=fa&q=%D8%A7")  # names with «ا»: a page of people
        rows = pg.locator("input[name=ids][form=bulk]")
        n = rows.count()
        assert n > 2
        pg.check("#bulk-all")  # select all on the page …
        assert pg.locator("input[name=ids][form=bulk]:checked").count() == n
        assert pg.locator("#bulk-count").inner_text().startswith(str(n).translate(str.maketrans("0123456789",
                                                                                               "۰۱۲۳۴۵۶۷۸۹")))
        pg.uncheck("#bulk-all")  # … and none again
        assert pg.locator("input[name=ids][form=bulk]:checked").count() == 0
        pg.check(f"input[name=ids][value='{ali}']")
        pg.check(f"input[name=ids][value='{mina}']")
        assert pg.evaluate("document.getElementById('bulk-all').indeterminate")
        pg.select_option("#bulk-change", "sensitivity:restricted")
        _check(pg, "bulk-list-fa", shots, problems, full_page=False)
        pg.click("#bulk-submit")
        pg.wait_for_selector("#bulk-confirm")
        assert "رکوردهایی که تغییر می‌کنند: ۲" in pg.locator("#bulk-summary").inner_text()
        assert pg.locator("#bulk-apply tbody tr").count() == 2
        _check(pg, "bulk-confirm-fa", shots, problems)
        pg.click("#bulk-apply-button")
        pg.wait_for_selector("#bulk-result")
        assert "رکوردهای تغییرکرده: ۲" in pg.locator("#bulk-done").inner_text()
        assert pg.locator("#bulk-changed li").count() == 2
        _check(pg, "bulk-result-fa", shots, problems)
        # the same in English: give the two to the reviewer's queue
        pg.goto(f"{site['url']}/persons?lang=en&q=a")
        pg.check(f"input[name=ids][value='{ali}']")
        pg.check(f"input[name=ids][value='{mina}']")
        pg.select_option("#bulk-change", "assign:reviewer")
        pg.click("#bulk-submit")
        pg.wait_for_selector("#bulk-confirm")
        assert "Records that will change: 2" in pg.locator("#bulk-summary").inner_text()
        assert "Mina Sadeghi" in pg.locator("#bulk-apply").inner_text()
        _check(pg, "bulk-confirm-en", shots, problems)
        pg.click("#bulk-apply-button")
        pg.wait_for_selector("#bulk-result")
        assert "Ali Kermani" in pg.locator("#bulk-changed").inner_text()  # named in the reader's script
        _check(pg, "bulk-result-en", shots, problems)
    finally:
        context.close()
    from dadkhah.model import Person

    with site["case"].reader(SYSTEM) as s:
        assert {s.get(Person, i).sensitivity for i in (ali, mina)} == {"restricted"}
    context, pg = _page(chromium, site, "reviewer")
    try:
        pg.goto(f"{site['url']}/work?lang=fa")
        queue = pg.locator("#my-queue")
        assert queue.locator(f"tr[data-target='{ali}']").count() == 1
        pg.goto(f"{site['url']}/persons?lang=fa")
        assert pg.locator("#bulk").count() == 0  # a reviewer may not edit: no bulk form
    finally:
        context.close()
    assert not problems, problems


def _fill(pg, row: int, field: str, op: str, value: str, second: str | None = None) -> None:
    pg.select_option(f"select[name=c{row}f]", field)
    pg.select_option(f"select[name=c{row}o]", op)
    pg.fill(f"input[name=c{row}v]", value)
    if second is not None:
        assert pg.locator(f"input[name=c{row}w]").is_visible()
        pg.fill(f"input[name=c{row}w]", second)
    else:
        assert not pg.locator(f"input[name=c{row}w]").is_visible()


def test_a_query_over_facets_is_built_in_persian_shared_and_read_in_english(chromium, site, shots):
    people = site["people"]
    problems: dict = {}
    context, pg = _page(chromium, site, "admin", axe=True)
    try:
        pg.goto(f"{site['url']}/persons?lang=fa")
        pg.click("#query-link")
        pg.wait_for_selector("#query-form")
        # the operators offered follow the field: a role has "any of"/"none of", not "between"
        pg.select_option("select[name=c0f]", "role")
        assert pg.locator("select[name=c0o] option[value=between]").is_disabled()
        _fill(pg, 0, "role", "any", "قربانی")
        _fill(pg, 1, "event_type", "any", "اعدام")
        _fill(pg, 2, "place", "any", "اوین، گوهردشت")
        pg.click("#query-run")
        pg.wait_for_selector("#query-results")
        assert "یافته‌ها: ۴" in pg.locator("#query-results h2").inner_text()  # with the confidential victim
        # a fourth condition on the row the page now offers: the date of the event, between two Jalali dates
        _fill(pg, 3, "event_date", "between", "۱۳۶۷/۰۵/۰۱", "۱۳۶۷/۰۵/۳۱")
        pg.click("#query-run")
        pg.wait_for_selector("#query-results")
        assert "یافته‌ها: ۳" in pg.locator("#query-results h2").inner_text()
        found = {pg.locator("#query-results tbody tr").nth(i).get_attribute("data-id")
                 for i in range(pg.locator("#query-results tbody tr").count())}
        assert found == {people["ali"], people["mina"], site["hidden"]}  # Reza died at Gohardasht in Shahrivar
        query = parse_qs(urlsplit(pg.url).query)
        assert query["c3f"] == ["event_date"] and "c4f" not in query  # empty rows are not sent
        _check(pg, "query-fa", shots, problems)
        share = pg.locator("#query-share").get_attribute("href")
        pg.goto(f"{site['url']}{share}&lang=en")
        assert "Found: 3" in pg.locator("#query-results h2").inner_text()
        _check(pg, "query-en", shots, problems)
        # a bad field is named in the reader's language
        pg.goto(f"{site['url']}/query?kind=person&c0f=prison&c0o=any&c0v=Evin&lang=fa")
        assert "ویژگی‌ای به نام «prison» نیست" in pg.locator("#query-error").inner_text()
        _check(pg, "query-error-fa", shots, problems, full_page=False)
    finally:
        context.close()
    # the confidential victim at Evin is found by an admin, never by a viewer
    url = f"{site['url']}/query?kind=person&c0f=role&c0o=any&c0v=victim&c1f=place&c1o=any&c1v=Evin"
    context, pg = _page(chromium, site, "viewer")
    try:
        pg.goto(url)
        assert HIDDEN_VICTIM not in pg.content()
        assert pg.locator("#query-results tbody tr").count() == 2
    finally:
        context.close()
    assert not problems, problems


def _point(pg, lat: float, lng: float) -> tuple[float, float]:
    box = pg.locator("#map").bounding_box()
    p = pg.evaluate(f"(() => {{ const m = document.getElementById('map').dkMap;"
                    f" const p = m.latLngToContainerPoint([{lat}, {lng}]); return [p.x, p.y]; }})()")
    return box["x"] + p[0], box["y"] + p[1]


def test_an_area_drawn_on_the_map_lists_what_lies_inside_it(chromium, site, shots):
    problems: dict = {}
    context, pg = _page(chromium, site, "admin", axe=True)
    try:
        pg.goto(f"{site['url']}/map?lang=fa")
        pg.wait_for_function("document.getElementById('map').dataset.ready === '1'")
        pg.evaluate("document.getElementById('map').dkMap.setView([35.75, 51.2], 9, {animate: false})")
        # a rectangle around Tehran (Evin and Khavaran), leaving Gohardasht (Karaj, 50.94 E) outside
        pg.click("[data-draw=rectangle]")
        assert pg.locator("[data-draw=rectangle]").get_attribute("aria-pressed") == "true"
        x1, y1 = _point(pg, 35.95, 51.2)
        x2, y2 = _point(pg, 35.55, 51.7)
        pg.mouse.move(x1, y1)
        pg.mouse.down()
        pg.mouse.move((x1 + x2) / 2, (y1 + y2) / 2, steps=4)
        pg.mouse.move(x2, y2, steps=4)
        with pg.expect_navigation():
            pg.mouse.up()
        pg.wait_for_selector("#area-results")
        assert "area=" in pg.url
        places = pg.locator("#area-places").inner_text()
        assert "زندان اوین" in places and "خاوران" in places and "گوهردشت" not in places
        victims = pg.locator("#area-victims").inner_text()
        assert "علی کرمانی" in victims and "مینا صادقی" in victims and "رضا مرادی" not in victims
        assert HIDDEN_VICTIM in victims  # an admin may see the confidential victim
        pg.wait_for_function("document.getElementById('map').dataset.areaShown === '4'")
        _check(pg, "map-area-fa", shots, problems)
        # a polygon (a triangle) around Gohardasht only, in English
        pg.goto(f"{site['url']}/map?lang=en")
        pg.wait_for_function("document.getElementById('map').dataset.ready === '1'")
        pg.evaluate("document.getElementById('map').dkMap.setView([35.75, 51.2], 9, {animate: false})")
        # while drawing, a click on a site is a corner: no popup opens (nor stays in the way of the next)
        pg.click("[data-draw=polygon]")
        site_box = pg.locator("path.site-marker").first.bounding_box()
        pg.mouse.click(site_box["x"] + site_box["width"] / 2, site_box["y"] + site_box["height"] / 2)
        assert pg.evaluate("document.getElementById('map').dataset.corners") == "1"
        assert pg.locator(".leaflet-popup").count() == 0
        pg.keyboard.press("Escape")
        pg.click("[data-draw=polygon]")
        for lat, lng in ((35.95, 50.8), (35.95, 51.1), (35.7, 50.95)):
            pg.mouse.click(*_point(pg, lat, lng))
        assert pg.evaluate("document.getElementById('map').dataset.corners") == "3"
        with pg.expect_navigation():
            pg.click("[data-draw=finish]")
        pg.wait_for_selector("#area-results")
        assert "Gohardasht" in pg.locator("#area-places").inner_text()
        assert "Evin" not in pg.locator("#area-places").inner_text()
        assert "Reza Moradi" in pg.locator("#area-victims").inner_text()
        _check(pg, "map-area-en", shots, problems)
        area = parse_qs(urlsplit(pg.url).query)["area"][0]
    finally:
        context.close()
    context, pg = _page(chromium, site, "viewer")
    try:  # the Tehran rectangle, shared with a viewer: the confidential victim is not listed
        pg.goto(f"{site['url']}/map?area=35.95,51.2;35.95,51.7;35.55,51.7;35.55,51.2")
        assert pg.locator("#area-victims li").count() == 2 and HIDDEN_VICTIM not in pg.content()
        pg.goto(f"{site['url']}/map?area={area}")
        assert "Reza Moradi" in pg.locator("#area-victims").inner_text()
    finally:
        context.close()
    assert not problems, problems
