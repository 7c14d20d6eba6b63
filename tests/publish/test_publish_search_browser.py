"""The memorial in Chromium: it opens from disk, and its search finds a victim by a Persian spelling
and by a Latin one. The JavaScript keys equal the Python keys for every name word."""

from __future__ import annotations

import pytest

from dadkhah.access import SYSTEM
from dadkhah.publish.clearance import clear
from dadkhah.publish.searchkeys import query_words, word_key
from dadkhah.publish.site import build_site

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TRICKY_NAMES = [
    "محمدرضا پورمحمدی", "Mohammadreza Pourmohammadi", "Muhammad Reza", "عبدالله", "Abdullah", "Abdollah",
    "سید ابراهیم رئیسی", "Seyyed Ebrahim Raeisi", "مصطفی", "Mostafa", "Mustafa", "فاطمه زهرا", "Fatemeh",
    "Fatima", "خواجه", "Khajeh", "علی‌اکبر", "Ali-Akbar", "Ruhollah", "روح‌الله", "جلال‌الدین", "Jalaleddin",
    "Saleh", "صالح", "Hosseinzadeh", "حسین‌زاده", "ARDESHIR", "Élie", "Ishaq", "اسحاق", "Ghulam", "غلامحسین",
    "كاظمي", "خديجة", "Bijan", "بیژن", "Zhila", "ژیلا", "Oveis", "اویس", "Eshaq", "عیسی", "Ou", "آزاده",
]


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        except Exception as exc:  # noqa: BLE001 - no Chromium on this machine
            pytest.skip(f"Chromium cannot start: {exc}")
        yield b
        b.close()


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    """The demo case's memorial (its three cleared victims, the Mirzaei siblings)."""
    from dadkhah.case import Case
    from dadkhah.demo import build_demo

    folder = tmp_path_factory.mktemp("demo")
    with Case.open(data_dir=folder / "case", create=True, actor="test") as case:
        build_demo(case)
        with case.reader(SYSTEM) as s:
            return build_site(s, folder / "site")


def found(page, query: str) -> list[str]:
    page.fill("#q", query)
    return page.eval_on_selector_all("#results li a", "els => els.map(e => e.textContent)")


def test_the_demo_memorial_finds_a_victim_by_persian_and_by_latin_spelling(browser, demo_site):
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((demo_site.out / "index.html").as_uri())
    assert page.title() == "In memory of the victims"
    assert found(page, "خدیجه میرزایی") == ["Khadijeh Mirzaei"]
    assert found(page, "Khadija Mirzaei") == ["Khadijeh Mirzaei"]  # an Arabic-style spelling
    assert found(page, "Masuma Mirzayi") == ["Masoumeh Mirzaei"]
    assert sorted(found(page, "میرزایی")) == ["Hossein Mirzaei", "Khadijeh Mirzaei", "Masoumeh Mirzaei"]
    assert found(page, "Raisi") == []  # perpetrators are not on the memorial
    page.fill("#q", "")
    assert page.is_visible("#all") and not page.is_visible("#results")
    page.click("#all li a >> nth=0")
    assert "/victims/" in page.url and page.locator('h1 [dir="rtl"]').count() == 1
    assert errors == []


def test_a_latin_query_finds_a_name_written_only_in_persian_and_the_other_way_round(browser, synthetic_sqlite,
                                                                                     tmp_path):
    case, _ = synthetic_sqlite
    with case.session() as s:
        for victim in ("person-victim", "person-victim-fa", "person-victim-latin"):
            clear(s, victim)
    with case.reader(SYSTEM) as s:
        site = build_site(s, tmp_path / "site")
    page = browser.new_page()
    page.goto((site.out / "index.html").as_uri())
    assert found(page, "Manijeh Kazemi") == ["منیژه کاظمی"]
    assert found(page, "بهرام جعفری") == ["Bahram Jafari"]
    assert found(page, "Parvane") == ["Parvaneh Sadeghi"]  # typing: a prefix is enough
    assert found(page, "nobody at all") == []


def test_javascript_keys_equal_python_keys_for_every_name_word(browser, demo_site, synthetic_sqlite):
    from sqlalchemy import select

    from dadkhah.model import NameForm

    case, _ = synthetic_sqlite
    with case.reader(SYSTEM) as s:
        texts = list(s.scalars(select(NameForm.text)))
    words = sorted({w for text in [*texts, *TRICKY_NAMES] for w in query_words(text)})
    expected = {w: word_key(w) for w in words}
    raw = {text: " ".join(query_words(text)) for text in TRICKY_NAMES}
    page = browser.new_page()
    page.goto((demo_site.out / "index.html").as_uri())
    got = page.evaluate("ws => Object.fromEntries(ws.map(w => [w, window.MemorialKeys.wordKey(w)]))", words)
    assert got == expected
    normalised = page.evaluate("ts => Object.fromEntries(ts.map(t => [t, window.MemorialKeys.normalize(t)]))",
                               TRICKY_NAMES)
    assert normalised == raw
