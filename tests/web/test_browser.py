"""End to end, in real headless Chromium (Debian's ``chromium``, driven by Playwright).

One server (uvicorn in a thread, on a free loopback port, over a seeded SQLite case) and one browser are
shared by the whole module. Screenshots go to ``$DADKHAH_SCREENSHOTS`` when set (else a temp folder).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_helpers import free_port, launch_chromium, screenshot_folder, serve
from web_helpers import PASSWORD, linked_lists, seed

from dadkhah.access import SYSTEM

pytestmark = [pytest.mark.browser, pytest.mark.slow]

@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from dadkhah.case import Case
    from dadkhah.web.app import Settings, create_app
    from dadkhah.web.users import create_user

    folder = tmp_path_factory.mktemp("site")
    case = Case.open(data_dir=folder / "case", create=True, actor="e2e")
    ids = seed(case)
    with case.session(actor="e2e") as s:
        for role in ("admin", "investigator", "reviewer"):
            create_user(s, role, role, PASSWORD)
    # map tiles from a server that is not there: the map must fall back to the bundled outline
    settings = Settings(tiles=f"http://127.0.0.1:{free_port()}/tiles/{{z}}/{{x}}/{{y}}.png")
    with serve(create_app(case, settings)) as url:
        yield {"url": url, "case": case, "ids": ids, "folder": folder}
    case.close()


@pytest.fixture(scope="module")
def browser():
    with launch_chromium() as b:
        yield b


@pytest.fixture
def page(browser, site):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


@pytest.fixture
def shots(tmp_path) -> Path:
    return screenshot_folder(tmp_path)


def log_in(page, site, name: str) -> None:
    page.goto(f"{site['url']}/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(f"{site['url']}/")


def test_a_user_logs_in_and_sees_the_dashboard(page, site):
    log_in(page, site, "admin")
    assert page.locator("header .user").inner_text().startswith("admin")
    assert page.locator(".stat").first.inner_text().strip() != ""
    page.click("header form[action='/logout'] button")
    page.wait_for_url(f"{site['url']}/")
    assert page.locator("header a[href^='/login']").count() == 1


def test_a_testimony_entered_in_persian_makes_its_witness_findable_by_a_latin_spelling(page, site):
    log_in(page, site, "investigator")
    page.goto(f"{site['url']}/testimony/new?lang=fa")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.fill("#witness-name", "زهرا کریمی")
    page.fill("#transcript-input", "در مرداد ۱۳۶۷ مرا به زندان اوین بردند. نگهبانان از هیئت مرگ سخن می‌گفتند.")
    page.fill("input[name=date]", "۱۳۹۸/۰۳/۱۲")
    page.click("#testimony-form button[type=submit]")
    page.wait_for_url("**/testimony/testimony-*")
    assert "زندان اوین بردند" in page.locator("#transcript").inner_text()
    mentions = page.locator("#mentions li").all_inner_texts()
    assert any("اوین" in m or "Evin" in m for m in mentions), mentions
    # the witness, written in Persian, is found by a Latin spelling
    page.fill("header input[name=q]", "Zahra Karimi")
    page.press("header input[name=q]", "Enter")
    page.wait_for_url("**/search?q=*")
    page.locator("#results .hit[data-kind=person] a", has_text="زهرا کریمی").first.click()
    page.wait_for_url("**/persons/person-*")
    assert page.locator("h1").inner_text() == "زهرا کریمی"


@pytest.fixture(scope="module")
def linked(site):
    linked_lists(site["case"], site["folder"])


def test_a_reviewer_decides_a_linkage_pair_shown_side_by_side(page, site, linked, shots):
    from sqlalchemy import select

    from dadkhah.linkage.tables import LinkDecision

    log_in(page, site, "reviewer")
    page.goto(f"{site['url']}/review")
    page.locator("#review-queue a.button").first.click()
    page.wait_for_url("**/review/*")
    pair_url = page.url.split("?")[0]
    sides = page.locator("#pair .side")
    assert sides.count() == 2
    left, right = sides.nth(0).bounding_box(), sides.nth(1).bounding_box()
    assert abs(left["y"] - right["y"]) < 2 and left["x"] < right["x"], "the records are not side by side"
    names = [sides.nth(i).locator("h2").inner_text() for i in range(2)]
    page.screenshot(path=str(shots / "review-pair.png"), full_page=True)
    page.fill("#decision-form input[name=note]", "same father, same prison")
    page.click("#decision-form button[value=same]")
    page.wait_for_load_state()
    with site["case"].reader(SYSTEM) as s:
        decisions = [(d.decision, d.note) for d in
                     s.scalars(select(LinkDecision).where(LinkDecision.reviewer == "reviewer"))]
    assert decisions == [("same", "same father, same prison")], names
    # the same pages in Persian: probabilities in Persian digits, separator and percent sign
    page.goto(f"{site['url']}/review?lang=fa")
    page.screenshot(path=str(shots / "review-queue-fa.png"), full_page=True)
    scores = page.locator("#review-queue td.score").all_inner_texts()
    assert scores and all("٪" in t and "%" not in t and "." not in t for t in scores), scores
    page.goto(f"{pair_url}?lang=fa")
    page.screenshot(path=str(shots / "review-pair-fa.png"), full_page=True)
    page.goto(f"{site['url']}/review?lang=en")


def test_the_map_falls_back_to_the_bundled_outline_shows_the_sites_and_the_timeline_orders_events(page, site,
                                                                                                      shots):
    page.goto(f"{site['url']}/map?lang=fa")
    page.wait_for_selector("#map[data-ready='1'][data-outline='loaded'][data-tiles='failed']")
    assert "کاشی‌های نقشه بارگذاری نشد" in page.locator("#map-note").inner_text()
    page.screenshot(path=str(shots / "map-fa.png"))
    assert page.locator("#map").get_attribute("data-sites") == "2"
    assert page.locator("#map path.site-marker").count() == 2
    assert page.locator("#map path.site-prison").count() == 1 and page.locator("#map path.site-mass_grave").count() == 1
    assert page.locator("#map .province-label").count() == 31
    page.locator("#map path.site-prison").click()
    page.wait_for_selector(".leaflet-popup-content a")
    assert page.locator(".leaflet-popup-content a").inner_text() == "زندان اوین"  # the reader's script
    page.goto(f"{site['url']}/timeline?cal=jalali&lang=en")
    page.screenshot(path=str(shots / "timeline.png"))
    years = page.locator("#timeline li.year").all_inner_texts()
    events = page.locator("#timeline li[data-event-id] a.event").all_inner_texts()
    assert years == ["1367"]
    assert events == ["Executions at Evin", "Burials at Khavaran"]


def test_a_persian_page_is_laid_out_right_to_left(page, site, shots):
    victim = site["ids"]["victim"]
    page.goto(f"{site['url']}/persons/{victim}?lang=fa&cal=jalali")
    page.evaluate("document.fonts.ready")
    path = shots / "person-fa.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert page.evaluate("document.fonts.check('16px Vazirmatn')")
    brand = page.locator("header .brand").bounding_box()
    prefs = page.locator("header .prefs").bounding_box()
    assert brand["x"] + brand["width"] > width * 0.85, "the site name should sit at the right edge"
    assert prefs["x"] < brand["x"], "the preferences should sit to the left of the site name"
    nav = page.locator("header .mainnav a")
    first, second = nav.nth(0).bounding_box(), nav.nth(1).bounding_box()
    assert first["x"] > second["x"], "the menu should run from right to left"
    h1, panel = page.locator("main h1").first.bounding_box(), page.locator("main .panel").first.bounding_box()
    assert (panel["x"] + panel["width"]) - (h1["x"] + h1["width"]) < 40, "the heading should start at the right"
    dt, dd = page.locator("dl.facts dt").first.bounding_box(), page.locator("dl.facts dd").first.bounding_box()
    assert dt["x"] > dd["x"], "labels should stand to the right of their values"
    assert "۱۳۴۰" in page.locator("dl.facts").inner_text(), "the birth year in Jalali, in Persian digits"
