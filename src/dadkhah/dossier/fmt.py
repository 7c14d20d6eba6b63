"""Template filters: bidirectional text, dates in both calendars, vocabulary labels, sizes.

Persian runs inside an English page are wrapped in ``<span dir="rtl" lang="fa">`` so that browsers
and WeasyPrint lay them out right to left and shape them with the Persian font; everything else is
escaped.
"""

from __future__ import annotations

import datetime as dt
import re

from markupsafe import Markup, escape

from dadkhah.casework.svg import render_html, render_svg
from dadkhah.dates import FuzzyDate, jalali_str
from dadkhah.model.vocab import label as vocab_label
from dadkhah.records.naming import is_persian

# A run of Arabic-script words, with the spaces, ZWNJ and digits between them (punctuation such as
# brackets stays outside, in the surrounding text's direction).
_ARABIC = "\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF"
_FA_RUN = re.compile(f"[{_ARABIC}](?:[{_ARABIC}\u200c\u200d\\s\\d-]*[{_ARABIC}\\d])?")


def fa(text) -> Markup:
    """Text as one right-to-left Persian span (for a value known to be Persian)."""
    if text is None or text == "":
        return Markup("")
    return Markup('<span dir="rtl" lang="fa" class="fa">{}</span>').format(text)


def bidi(text) -> Markup:
    """Escape ``text``, wrapping each run of Persian (Arabic-script) words in an RTL span."""
    if text is None:
        return Markup("")
    text = str(text)
    if not _FA_RUN.search(text):
        return escape(text)
    if is_persian(text) and not re.search(r"[A-Za-z]", text):
        return fa(text)
    parts, pos = [], 0
    for m in _FA_RUN.finditer(text):
        parts.append(escape(text[pos:m.start()]))
        parts.append(fa(m.group(0)))
        pos = m.end()
    parts.append(escape(text[pos:]))
    return Markup("").join(parts)


def show_date(value, calendar: str = "both") -> str:
    """A fuzzy date (or a plain date) written in both calendars, e.g. ``summer 1988 (تابستان ۱۳۶۷)``."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat() if calendar == "gregorian" else f"{value.isoformat()} ({jalali_str(value)})"
    if isinstance(value, dict):
        value = FuzzyDate.from_dict(value)
    display = getattr(value, "display", None)
    if display is None:
        return str(value)
    return display(calendar=calendar)


def date_html(value, calendar: str = "both") -> Markup:
    return bidi(show_date(value, calendar))


def term(vocabulary: str, value: str | None, lang: str = "en") -> str:
    return vocab_label(vocabulary, value, lang) if value else ""


def term_both(vocabulary: str, value: str | None) -> Markup:
    """A vocabulary term in English with its Persian label beside it."""
    if not value:
        return Markup("")
    en, fa_label = vocab_label(vocabulary, value, "en"), vocab_label(vocabulary, value, "fa")
    if fa_label and fa_label != en:
        return Markup("{} · {}").format(en, fa(fa_label))
    return escape(en)


def filesize(n: int | None) -> str:
    if n is None:
        return ""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    return str(n)


def grade_class(grade: str | None) -> str:
    """A CSS class for an Admiralty grade: good (A–B), fair (C–D), poor (E–F)."""
    if not grade:
        return "g-none"
    return {"A": "g-good", "B": "g-good", "C": "g-fair", "D": "g-fair"}.get(grade[0], "g-poor")


def diagram(graph, focus: str | None = None, title: str = "Chain of command", for_pdf: bool = False) -> Markup:
    """A chain-of-command drawing: pure SVG for browsers, SVG boxes + HTML labels for PDF."""
    if graph is None or graph.number_of_nodes() == 0:
        return Markup("")
    if for_pdf:
        return Markup(render_html(graph, focus=focus, title=title, max_nodes=400))
    return Markup(render_svg(graph, focus=focus, title=title, max_nodes=400))


FILTERS = {"fa": fa, "bidi": bidi, "show_date": show_date, "date_html": date_html, "filesize": filesize,
           "grade_class": grade_class}
GLOBALS = {"term": term, "term_both": term_both, "diagram": diagram}
