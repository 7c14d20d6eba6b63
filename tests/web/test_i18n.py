"""The message catalogue: every message in English and Persian, and every key the code uses exists."""

from __future__ import annotations

import re
from pathlib import Path

from dadkhah.web import i18n


def test_persian_digits_are_written_and_read():
    assert i18n.to_persian_digits(1367) == "۱۳۶۷"
    assert i18n.to_ascii_digits("۱۳۶۷/٠٥/08") == "1367/05/08"
    assert i18n.number(30000, "fa") == "۳۰٬۰۰۰" and i18n.number(30000, "en") == "30,000"


def test_persian_numbers_use_persian_separators_and_percent_sign():
    # a Persian reader should not meet "۹۲.۷%": the decimal separator is ٫ and the percent sign ٪
    assert i18n.number(1234.5, "fa") == "۱٬۲۳۴٫۵" and i18n.number(1234.5, "en") == "1,234.5"
    assert i18n.percent(0.927, "fa") == "۹۲٫۷٪" and i18n.percent(0.927, "en") == "92.7%"
    assert i18n.percent(1.0, "fa") == "۱۰۰٪" and i18n.percent(None, "fa") == ""


def test_language_and_calendar_are_chosen_in_order_query_cookie_preference_browser():
    assert i18n.pick_lang("fa", "en", "en", "en") == "fa"
    assert i18n.pick_lang(None, "fa", "en", "en") == "fa"
    assert i18n.pick_lang(None, None, None, "fa-IR,fa;q=0.9") == "fa"
    assert i18n.pick_lang("xx", None, None, None) == "en"
    assert i18n.pick_calendar(None, None, None, "fa") == "jalali"
    assert i18n.pick_calendar(None, "gregorian", "jalali", "fa") == "gregorian"


def test_every_message_has_english_and_persian_and_every_key_used_exists():

    from dadkhah.web.i18n import catalogue

    messages = catalogue()
    assert all(set(v) == {"en", "fa"} and v["en"] and v["fa"] for v in messages.values())
    templates = Path(__file__).parents[2] / "src" / "dadkhah" / "web"
    used = set()
    for path in list(templates.rglob("*.html")) + list(templates.rglob("*.py")):
        used |= set(re.findall(r"""\bt\(['"]([a-z_]+\.[a-z_.]+)['"]""", path.read_text(encoding="utf-8")))
    used = {k for k in used if not k.endswith((".", "_"))}  # prefixes completed from data, checked below
    assert not sorted(used - set(messages))
    # keys built from data: every value they can take
    for prefix, values in {"role.": ("admin", "investigator", "reviewer", "analyst", "viewer", "anonymous"),
                           "sens.": ("public", "restricted", "confidential"),
                           "status.": ("alleged", "corroborated", "contested", "refuted"),
                           "kind.": ("person", "organization", "place", "event", "source", "claim", "evidence",
                                     "testimony", "membership", "participation"),
                           "reliability.": tuple("ABCDEF"), "credibility.": tuple("123456")}.items():
        assert all(prefix + v in messages for v in values), prefix
