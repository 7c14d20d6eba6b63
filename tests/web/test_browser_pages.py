"""Every kind of page in real headless Chromium, in Persian and English, on the demo case: a screenshot of
each (kept in ``$DADKHAH_SCREENSHOTS`` when set), axe-core's accessibility rules (vendored in
``tests/web/vendor/axe-core``, never fetched) with no serious or critical violation, and the documenter's
features end to end: import a list in Persian, annotate and redact a document, give a review pair to a
reviewer and find it in their queue, pick a witness by typing, zoom the chain of command.

One server and one browser for the whole module (the machine is small).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from browser_helpers import launch_chromium, screenshot_folder, serve
from web_helpers import PASSWORD, linked_lists

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"


def _png() -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (600, 300), (250, 248, 240))
    d = ImageDraw.Draw(img)
    d.rectangle([40, 40, 560, 80], fill=(60, 60, 60))
    d.rectangle([380, 150, 560, 200], fill=(200, 30, 30))  # the part to redact
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    from fastapi.testclient import TestClient

    from dadkhah.case import Case
    from dadkhah.demo import build_demo
    from dadkhah.web.app import Settings, create_app
    from dadkhah.web.users import create_user, issue_token

    folder = tmp_path_factory.mktemp("demo-site")
    case = Case.open(data_dir=folder / "case", create=True, actor="e2e")
    build_demo(case)
    linked_lists(case, folder)
    with case.session(actor="e2e") as s:
        admin = create_user(s, "admin", "admin", PASSWORD)
        for role in ("investigator", "reviewer", "viewer"):
            create_user(s, role, role, PASSWORD)
        token = issue_token(s, admin, "e2e")
    app = create_app(case, Settings())
    api = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    item = api.post("/api/evidence", files={"file": ("scan.png", _png(), "image/png")},
                    data={"sensitivity": "public", "link": "person-raisi"}).json()["item_id"]
    testimony = api.post("/api/testimony", json={"witness_id": "person-sima-mirzaei", "language": "fa",
                                                 "transcript": "برادرانم در سال ۱۳۶۷ در زندان اوین اعدام شدند."})
    with serve(app) as url:
        yield {"url": url, "case": case, "item": item,
               "testimony": testimony.json()["id"], "folder": folder}
    case.close()


@pytest.fixture(scope="module")
def chromium():
    with launch_chromium() as b:
        yield b


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    return screenshot_folder(tmp_path_factory.mktemp("shots"))


def _page(chromium, site, user: str | None, *, axe: bool = False):
    # axe is injected as a script, which the app's content security policy forbids: only that context
    # bypasses it (the app's own pages never need it)
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=axe)
    pg = context.new_page()
    pg.set_default_timeout(20000)
    if user:
        pg.goto(f"{site['url']}/login")
        pg.fill("input[name=name]", user)
        pg.fill("input[name=password]", PASSWORD)
        pg.click("form[action='/login'] button[type=submit]")
        pg.wait_for_url(f"{site['url']}/")
    return context, pg


def _axe(pg) -> list[dict]:
    pg.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = pg.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact,
                                       nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return [v for v in result if v["impact"] in ("serious", "critical")]


PAGES = {
    "dashboard": "/", "persons": "/persons", "person": "/persons/person-raisi", "organization":
    "/organizations/org-death-commission-tehran", "place": "/places/place-evin", "event": "/events/event-massacre-1988",
    "source": "/sources/src-seed-002", "claims": "/claims", "claim": "/claims/claim-toll-30000",
    "search": "/search?q=Raisi", "evidence": "/evidence/{item}", "testimony": "/testimony/{testimony}",
    "review": "/review", "map": "/map", "timeline": "/timeline", "graph": "/graph?root=person-raisi",
    "work": "/work", "vocab": "/vocab/participation_role", "import": "/lists/import", "lists": "/lists",
    "list": "/lists?name=list-a", "person-edit":
    "/persons/person-raisi/edit", "account": "/account",
}


def test_every_kind_of_page_in_both_languages_passes_axe_and_is_screenshotted(chromium, demo_site, shots):
    context, pg = _page(chromium, demo_site, "admin", axe=True)
    problems = {}
    try:
        pair = None
        for lang in ("fa", "en"):
            for name, path in PAGES.items():
                path = path.format(item=demo_site["item"], testimony=demo_site["testimony"])
                pg.goto(f"{demo_site['url']}{path}{'&' if '?' in path else '?'}lang={lang}")
                pg.wait_for_load_state("networkidle")
                pg.evaluate("document.fonts.ready")
                assert pg.evaluate("document.documentElement.lang") == lang
                pg.screenshot(path=str(shots / f"{name}-{lang}.png"), full_page=False)
                bad = _axe(pg)
                if bad:
                    problems[f"{name}-{lang}"] = bad
                if name == "review" and pair is None:
                    pair = pg.locator("#review-queue a.button").first.get_attribute("href")
            pg.goto(f"{demo_site['url']}{pair}?lang={lang}")
            pg.screenshot(path=str(shots / f"review-pair-{lang}.png"), full_page=True)
            bad = _axe(pg)
            if bad:
                problems[f"review-pair-{lang}"] = bad
    finally:
        context.close()
    assert not problems, problems


def test_a_list_is_imported_in_persian_in_the_browser(chromium, demo_site, shots):
    csv = demo_site["folder"] / "فهرست-خانواده‌ها.csv"
    csv.write_text("نام و نام خانوادگی,نام پدر,سال تولد,زندان\nعلی کرمانی,حسن,۱۳۴۰,اوین\n"
                   "مینا صادقی,جعفر,۱۳۴۴,گوهردشت\nبی‌نام,,سال نامعلوم,اوین\n", encoding="utf-8")
    context, pg = _page(chromium, demo_site, "investigator")
    try:
        pg.goto(f"{demo_site['url']}/lists/import?lang=fa")
        pg.set_input_files("#import-upload input[type=file]", str(csv))
        pg.fill("#import-upload input[name=name]", "فهرست خانواده‌ها")
        pg.click("#import-upload button[type=submit]")
        pg.wait_for_selector("#mapping")
        assert pg.locator("#col-full_name").input_value() == "نام و نام خانوادگی"
        assert pg.locator("#col-detention_site").input_value() == "زندان"
        pg.select_option("#col-birth_date", "سال تولد")
        pg.click("button[value=check]")
        pg.wait_for_selector("#check")
        assert "۲ ردیف وارد می‌شود" in pg.locator("#check").inner_text()
        pg.screenshot(path=str(shots / "import-mapping-fa.png"), full_page=True)
        pg.click("button[value=import]")
        pg.wait_for_selector("#import-report")
        assert "وارد شد: ۲ از ۳ ردیف" in pg.locator("#import-report").inner_text()
        assert pg.locator("#bad-rows tbody tr").count() == 1
        pg.screenshot(path=str(shots / "import-report-fa.png"), full_page=True)
        pg.click("#import-report ~ p a[href^='/lists?name=']")
        pg.wait_for_selector("#list-imports")
        assert pg.locator("#list-imports tbody tr").count() == 1
        assert pg.locator("#bad-rows tbody tr").count() == 1
        pg.screenshot(path=str(shots / "list-fa.png"), full_page=True)
    finally:
        context.close()


def test_a_document_region_is_annotated_and_redacted_for_lower_readers(chromium, demo_site, shots):
    item = demo_site["item"]
    context, pg = _page(chromium, demo_site, "investigator")
    try:
        pg.goto(f"{demo_site['url']}/evidence/{item}?lang=fa")
        img = pg.locator("#annotated-image")
        img.wait_for()
        pg.wait_for_function("document.getElementById('annotated-image').complete")
        box = img.bounding_box()
        # drag across the red block (x 380–560 of 600, y 150–200 of 300)
        pg.mouse.move(box["x"] + box["width"] * 0.62, box["y"] + box["height"] * 0.48)
        pg.mouse.down()
        pg.mouse.move(box["x"] + box["width"] * 0.95, box["y"] + box["height"] * 0.69, steps=5)
        pg.mouse.up()
        assert float(pg.locator("#region-w").input_value()) > 0.25
        pg.fill("#annotate-form input[name=note]", "نام یک شاهد")
        pg.check("#redact")
        pg.select_option("#annotate-form select[name=sensitivity]", "confidential")
        pg.click("#annotate-save")
        pg.wait_for_selector("#annotation-list li")
        assert "نام یک شاهد" in pg.locator("#annotation-list").inner_text()
        pg.screenshot(path=str(shots / "annotate-fa.png"), full_page=True)
    finally:
        context.close()
    context, pg = _page(chromium, demo_site, "viewer")
    try:
        pg.goto(f"{demo_site['url']}/evidence/{item}?lang=fa")
        pg.wait_for_function("document.getElementById('annotated-image').complete")
        assert pg.locator("#redaction-notice").count() == 1
        assert "نام یک شاهد" not in pg.content()
        # the image the viewer's browser received is black where the red block was
        colour = pg.evaluate("""() => { const i = document.getElementById('annotated-image');
            const c = document.createElement('canvas'); c.width = i.naturalWidth; c.height = i.naturalHeight;
            const g = c.getContext('2d'); g.drawImage(i, 0, 0);
            return Array.from(g.getImageData(470, 175, 1, 1).data); }""")
        assert colour[:3] == [0, 0, 0], colour
        pg.screenshot(path=str(shots / "redacted-for-viewer-fa.png"), full_page=True)
    finally:
        context.close()


def test_a_review_pair_given_to_a_reviewer_is_in_their_queue(chromium, demo_site, shots):
    context, pg = _page(chromium, demo_site, "admin")
    try:
        pg.goto(f"{demo_site['url']}/review?lang=fa")
        href = pg.locator("#review-queue a.button").nth(1).get_attribute("href")
        pg.goto(f"{demo_site['url']}{href}?lang=fa")
        pg.select_option("#assign-form select[name=assignee]", "reviewer")
        pg.fill("#assign-form input[name=note]", "نام پدر را بسنجید")
        pg.click("#assign-form button[type=submit]")
        pg.wait_for_selector("#pair-work")
        assert "reviewer" in pg.locator("#pair-work").inner_text()
    finally:
        context.close()
    context, pg = _page(chromium, demo_site, "reviewer")
    try:
        pg.click("header a[href='/work']")
        pg.wait_for_selector("#my-queue")
        row = pg.locator(f"#my-queue tr[data-target='{href.rsplit('/', 1)[1]}']")
        assert row.count() == 1 and "نام پدر را بسنجید" in row.inner_text()
        pg.screenshot(path=str(shots / "my-queue.png"), full_page=True)
        row.locator("a").first.click()
        pg.wait_for_url(f"**{href}")
        pg.click("#decision-form button[value=different]")
        pg.wait_for_load_state()
        pg.goto(f"{demo_site['url']}/work?lang=fa")
        assert pg.locator(f"#my-queue tr[data-target='{href.rsplit('/', 1)[1]}'] .work-done").count() == 1
    finally:
        context.close()


def test_the_witness_picker_suggests_people_as_you_type_in_either_script(chromium, demo_site):
    context, pg = _page(chromium, demo_site, "investigator")
    try:
        pg.goto(f"{demo_site['url']}/testimony/new?lang=fa")
        box = pg.locator("select[name=witness_id] ~ .typeahead input, .typeahead input").first
        box.fill("Raisi")  # a Latin spelling finds the person named in Persian
        pg.wait_for_selector(".typeahead-list li")
        options = pg.locator(".typeahead-list li").all_inner_texts()
        assert any("رئیسی" in o for o in options), options
        pg.locator(".typeahead-list li", has_text="رئیسی").first.dispatch_event("mousedown")
        assert pg.locator("select[name=witness_id]").input_value() == "person-raisi"
    finally:
        context.close()


def test_the_chain_of_command_zooms_and_names_everyone_in_full(chromium, demo_site, shots):
    context, pg = _page(chromium, demo_site, None)
    try:
        pg.goto(f"{demo_site['url']}/graph?root=person-raisi&lang=fa")
        svg = pg.locator("[data-graph] svg")
        svg.wait_for()
        texts = pg.locator("[data-graph] svg text").all_text_contents()
        assert not any(t.endswith("…") for t in texts)
        assert min(float(pg.evaluate("getComputedStyle(document.querySelector('[data-graph] svg text')).fontSize"
                                     ).rstrip("px")), 99) >= 11
        view = "document.querySelector('[data-graph] svg').getAttribute('viewBox')"
        before = pg.evaluate(view)
        pg.click("[data-zoom=in]")
        after = pg.evaluate(view)
        assert float(after.split()[2]) < float(before.split()[2])
        pg.screenshot(path=str(shots / "graph-zoomed-fa.png"))
    finally:
        context.close()
