"""The public memorial: one page per cleared victim, bilingual, offline, and nothing that is not public."""

from __future__ import annotations

import json
import re

import pytest

from dadkhah.access import SYSTEM
from dadkhah.publish.clearance import clear
from dadkhah.publish.searchkeys import index_terms
from dadkhah.publish.site import build_site
from dadkhah.testing.synthetic_case import CANARY

VICTIMS = ("person-victim", "person-victim-fa", "person-victim-latin")


@pytest.fixture(scope="session")
def memorial(synthetic, tmp_path_factory):
    """The fictional case with its three public victims cleared, published to a folder."""
    case, _ = synthetic
    with case.session(actor="reviewer") as s:
        for victim in VICTIMS:
            clear(s, victim)
    out = tmp_path_factory.mktemp(f"memorial-{case.backend}") / "site"
    with case.reader(SYSTEM) as s:
        result = build_site(s, out)
    return result


def read(path) -> str:
    return path.read_text(encoding="utf-8")


def test_one_page_per_cleared_victim_and_no_other(memorial):
    pages = sorted(p.name for p in (memorial.out / "victims").iterdir())
    assert pages == sorted(f"{v}.html" for v in VICTIMS)
    assert memorial.victims == 3
    assert "person-abbasi" not in read(memorial.out / "index.html")


def test_a_victim_page_gives_both_names_dates_in_both_calendars_places_and_public_sources(memorial):
    page = read(memorial.out / "victims" / "person-victim.html")
    assert "Parvaneh Sadeghi" in page
    assert '<span dir="rtl" lang="fa" class="fa">پروانه صادقی</span>' in page
    assert "1988-08 (1367/05/10 – 1367/06/09)" in page  # died: both calendars
    assert "Gohardasht Prison" in page and "زندان گوهردشت" in page and "Khavaran" in page
    assert "Report of the Special Rapporteur (fictional)" in page
    assert "Interview notes" not in page  # a restricted source


def test_nothing_that_is_not_public_is_anywhere_in_the_site(memorial):
    """The canary: every restricted or confidential name, claim, source, event and record of the case
    carries the same marker; no file of the site may contain it."""
    for path in memorial.files:
        data = path.read_bytes()
        assert CANARY.encode() not in data, path
    index = read(memorial.out / "assets" / "search-index.js")
    assert "Hidden" not in index and "Secret killing" not in read(memorial.out / "victims" / "person-victim.html")


def test_the_site_works_offline(memorial):
    for path in memorial.out.rglob("*.html"):
        html = read(path)
        assert not re.search(r'(src|href)="(https?:)?//', html), path  # no external script, style or link
    css = read(memorial.out / "assets" / "memorial.css")
    assert "http" not in css and "Vazirmatn-Regular.woff2" in css
    assert (memorial.out / "assets" / "Vazirmatn-Regular.woff2").stat().st_size > 10_000


def test_the_search_index_holds_normalised_words_and_cross_script_keys(memorial):
    text = read(memorial.out / "assets" / "search-index.js")
    data = json.loads(text.removeprefix("window.MEMORIAL_INDEX = ").rstrip().rstrip(";"))
    by_url = {e["u"]: e for e in data["entries"]}
    persian_only = by_url["victims/person-victim-fa.html"]
    latin_only = by_url["victims/person-victim-latin.html"]
    # the Persian-only name carries the keys a Latin spelling produces, and the other way round
    assert set(index_terms(["Manijeh Kazemi"])[1]) <= set(persian_only["k"])
    assert set(index_terms(["بهرام جعفری"])[1]) <= set(latin_only["k"])
    assert "منیژه" in persian_only["t"]
    assert data["rules"]["persianKey"]["ب"] == "b"  # the key tables travel with the index


def test_publishing_refuses_to_empty_a_folder_it_did_not_write(synthetic, tmp_path):
    from dadkhah.errors import InputError

    case, _ = synthetic
    (tmp_path / "thesis.txt").write_text("do not delete", encoding="utf-8")
    with case.reader(SYSTEM) as s, pytest.raises(InputError, match="not a memorial"):
        build_site(s, tmp_path)
    assert (tmp_path / "thesis.txt").exists()
