"""Server-side rendering: one Jinja2 environment, filters for dates, numbers and vocabulary labels in the
reader's language and calendar, and :func:`page` to turn a template into a response."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from markupsafe import Markup

from dadkhah.web import i18n

TEMPLATES = Path(__file__).parent / "templates"

PLURAL = {"person": "persons", "organization": "organizations", "place": "places", "event": "events",
          "source": "sources", "claim": "claims", "evidence": "evidence", "testimony": "testimony",
          "membership": "memberships", "participation": "participations"}
ENTITY_PAGES = ("person", "organization", "place", "event", "source")


def url_for_record(kind: str, record_id: str) -> str:
    """The page of a record of any kind ("person", "claim", "evidence"…)."""
    if kind in ("membership", "participation"):
        return f"/entity/{record_id}"
    return f"/{PLURAL.get(kind, kind)}/{record_id}"


MONTHS = {
    ("gregorian", "en"): ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                          "October", "November", "December"),
    ("gregorian", "fa"): ("ژانویه", "فوریه", "مارس", "آوریل", "مه", "ژوئن", "ژوئیه", "اوت", "سپتامبر", "اکتبر",
                          "نوامبر", "دسامبر"),
    ("jalali", "en"): ("Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar", "Mehr", "Aban", "Azar",
                       "Dey", "Bahman", "Esfand"),
    ("jalali", "fa"): ("فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن",
                       "اسفند"),
}
ERA = {("jalali", "en"): " SH", ("jalali", "fa"): " خورشیدی", ("gregorian", "en"): "", ("gregorian", "fa"): " میلادی"}


def _ymd(calendar: str, day):
    from dadkhah.dates.calendars import from_gregorian

    return from_gregorian(calendar, day)


def _whole_year(calendar: str, low, high) -> int | None:
    from dadkhah.dates.calendars import month_first_day, month_last_day

    y, m, d = _ymd(calendar, low)
    if (m, d) == (1, 1) and high == month_last_day(calendar, y, 12) and low == month_first_day(calendar, y, 1):
        return y
    return None


def _whole_month(calendar: str, low, high) -> tuple[int, int] | None:
    from dadkhah.dates.calendars import month_last_day

    y, m, d = _ymd(calendar, low)
    if d == 1 and high == month_last_day(calendar, y, m):
        return y, m
    return None


def _years_span(calendar: str, low, high) -> str:
    a, b = _ymd(calendar, low)[0], _ymd(calendar, high)[0]
    return str(a) if a == b else f"{a}–{b}"


def format_date(value, calendar: str = "gregorian", lang: str = "en") -> str:
    """A fuzzy date (object or its dict) shown by its precision in the reader's calendar: a day as a day
    (8 Mordad 1367), a month as a month, a year as a year with the other calendar's years beside it
    ("1988 (1366–1367 SH)", "۱۳۶۷ خورشیدی (۱۹۸۸–۱۹۸۹ میلادی)"); other spans from day to day."""
    import datetime as dt

    if value is None or value == "":
        return ""
    if isinstance(value, dict):
        from dadkhah.dates import FuzzyDate

        value = FuzzyDate.from_dict(value)
    lang = "fa" if lang == "fa" else "en"
    other = "gregorian" if calendar == "jalali" else "jalali"
    try:
        d = value.to_dict()
        low, high = dt.date.fromisoformat(d["low"]), dt.date.fromisoformat(d["high"])
        written = d.get("calendar") if d.get("calendar") in ("jalali", "gregorian") else "gregorian"
        core = re.match(r"^(\d{4})([~?%])$", d.get("edtf") or "")
        if core:  # "c. 1988", "1988?": the year, qualified, with the other calendar's years beside it
            year = int(core.group(1))
            mark = ("حدود " if lang == "fa" else "c. ") if core.group(2) in "~%" else ""
            doubt = ("؟" if lang == "fa" else "?") if core.group(2) in "?%" else ""
            y_low, y_high = dt.date(year, 1, 1), dt.date(year, 12, 31)
            shown = (f"{mark}{year}{ERA[('gregorian', lang)] if calendar != 'gregorian' or lang == 'fa' else ''}{doubt}"
                     f" ({_years_span(other if calendar == 'gregorian' else 'jalali', y_low, y_high)}"
                     f"{ERA[(other if calendar == 'gregorian' else 'jalali', lang)]})")
            return i18n.to_persian_digits(shown) if lang == "fa" else shown
        if (value.approximate or value.uncertain or high.year >= 9000 or low.year <= 1
                or (low.year != high.year and (low.month, low.day, high.month, high.day) == (1, 1, 12, 31))):
            raise ValueError("approximate, uncertain, open or many years: the dates module says it best")
        shown = None
        if low == high:
            y, m, day = _ymd(calendar, low)
            shown = f"{day} {MONTHS[(calendar, lang)][m - 1]} {y}"
        else:
            for cal in dict.fromkeys((written, calendar)):  # the year as written, else in the reader's calendar
                year = _whole_year(cal, low, high)
                if year is not None:
                    beside = other if cal == calendar else calendar
                    era = ERA[(cal, lang)] if cal != calendar or lang == "fa" else ""
                    shown = f"{year}{era} ({_years_span(beside, low, high)}{ERA[(beside, lang)]})"
                    break
            if shown is None:
                for cal in dict.fromkeys((calendar, written)):
                    month = _whole_month(cal, low, high)
                    if month is not None:
                        y, m = month
                        shown = f"{MONTHS[(cal, lang)][m - 1]} {y}{ERA[(cal, lang)] if cal != calendar else ''}"
                        break
            if shown is None:
                a, b = _ymd(calendar, low), _ymd(calendar, high)
                names = MONTHS[(calendar, lang)]
                if a[0] == b[0]:
                    shown = f"{a[2]} {names[a[1] - 1]} – {b[2]} {names[b[1] - 1]} {b[0]}"
                else:
                    shown = f"{a[2]} {names[a[1] - 1]} {a[0]} – {b[2]} {names[b[1] - 1]} {b[0]}"
    except Exception:  # noqa: BLE001 - an open or unusual date: the dates module's own display
        try:
            shown = value.display(calendar=calendar, digits="persian" if lang == "fa" else "latin")
        except Exception:  # noqa: BLE001 - a date we cannot render is shown as written
            shown = getattr(value, "text", str(value))
    return i18n.to_persian_digits(shown) if lang == "fa" else shown


def format_period(start, end, calendar: str = "gregorian", lang: str = "en") -> str:
    """From ``start`` to ``end`` — once when both are the same date (a position known only as "summer 1988")."""
    a, b = format_date(start, calendar, lang), format_date(end, calendar, lang)
    if a and b and a != b:
        return f"{a} – {b}"
    if a and not b:
        return (f"از {a}" if lang == "fa" else f"from {a}")
    if b and not a:
        return (f"تا {b}" if lang == "fa" else f"until {b}")
    return a or b


@pass_context
def _period(jctx, start, end) -> str:
    ctx = jctx.get("ctx")
    return format_period(start, end, ctx.calendar if ctx else "gregorian", ctx.lang if ctx else "en")


@pass_context
def _fdate(jctx, value) -> str:
    ctx = jctx.get("ctx")
    return format_date(value, ctx.calendar if ctx else "gregorian", ctx.lang if ctx else "en")


@pass_context
def _t(jctx, key: str, **values) -> str:
    ctx = jctx.get("ctx")
    return i18n.translate(key, ctx.lang if ctx else "en", **values)


@pass_context
def _tv(jctx, key: str, values: dict | None = None) -> str:
    """A message whose values may themselves be message keys (``review.thing.prison``) or numbers."""
    ctx = jctx.get("ctx")
    lang = ctx.lang if ctx else "en"
    filled = {}
    for k, v in (values or {}).items():
        if isinstance(v, str) and v in i18n.catalogue():
            v = i18n.translate(v, lang)
        filled[k] = v
    return i18n.translate(key, lang, **filled)


@pass_context
def _num(jctx, value) -> str:
    ctx = jctx.get("ctx")
    return _plain_number(value, ctx.lang if ctx else "en")


@pass_context
def _percent(jctx, value) -> str:
    ctx = jctx.get("ctx")
    return i18n.percent(value, ctx.lang if ctx else "en")


@pass_context
def _term(jctx, term: str | None, vocabulary: str) -> str:
    from dadkhah.model.vocab import label

    if not term:
        return ""
    ctx = jctx.get("ctx")
    return label(vocabulary, term, ctx.lang if ctx else "en")


@pass_context
def _digits(jctx, value) -> str:
    """Digits in the reader's script, without thousands separators (years, ids)."""
    ctx = jctx.get("ctx")
    return i18n.to_persian_digits(value) if ctx and ctx.lang == "fa" else str(value)


def text_lang(text: str) -> str | None:
    """The language a piece of record text is shown as: "fa" for Arabic script, "en" for Latin letters."""
    from dadkhah.names.script import detect_script

    script = detect_script(text)
    return {"fa": "fa", "latin": "en", "mixed": None}.get(script)


@pass_context
def _rec(jctx, value) -> Markup:
    """Record data (a name, a title, a quotation) marked with its language when it is not the page's, so
    screen readers and the reader know it is data, not interface; a text without letters gets the
    reader's digits."""
    if value is None or value == "":
        return Markup("")
    ctx = jctx.get("ctx")
    page_lang = ctx.lang if ctx else "en"
    text = str(value)
    lang = text_lang(text)
    if lang is None and page_lang == "fa" and any(ch.isalpha() and ch.isascii() for ch in text):
        lang = "en"  # mixed: Latin letters in it
    if lang and lang != page_lang:
        return Markup('<bdi lang="{}">{}</bdi>').format(lang, text)
    if lang:  # in the page's own language: still data, quoted as written (never machine-translated)
        return Markup('<bdi translate="no">{}</bdi>').format(text)
    if page_lang == "fa" and not lang:
        text = i18n.to_persian_digits(text)
    return Markup("{}").format(text)


def format_when(value, calendar: str = "gregorian", lang: str = "en") -> str:
    """A moment (a datetime or its ISO text) as a day in the reader's calendar and the time to the minute."""
    import datetime as dt

    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if not isinstance(value, dt.datetime):
        return str(value)
    from dadkhah.dates import parse_date

    day = format_date(parse_date(value.date().isoformat()), calendar, lang)
    text = f"{day}، {value:%H:%M}" if lang == "fa" else f"{day}, {value:%H:%M}"
    return i18n.to_persian_digits(text) if lang == "fa" else text


@pass_context
def _when(jctx, value) -> str:
    ctx = jctx.get("ctx")
    return format_when(value, ctx.calendar if ctx else "gregorian", ctx.lang if ctx else "en")


def _plain_number(value, lang: str) -> str:
    """A quantity for reading: whole numbers for counts of 100 or more, two significant decimals below."""
    if value is None:
        return ""
    if isinstance(value, float):
        if abs(value) >= 100 or value.is_integer():
            value = round(value)
        else:
            value = float(f"{value:.3g}")
    return i18n.number(value, lang)


@pass_context
def _claim_value(jctx, c: dict) -> Markup:
    """A claim's value: a stated figure or range in the reader's digits, the wording of the source as data."""
    ctx = jctx.get("ctx")
    lang = ctx.lang if ctx else "en"
    low, high, shown = c.get("value_low"), c.get("value_high"), c.get("value") or ""
    if low is None:
        return _rec(jctx, shown)
    rng_en = f"{low:,.0f}–{high:,.0f}" if high is not None and high != low else f"{low:,.0f}"
    rng = (f"{_plain_number(low, lang)}–{_plain_number(high, lang)}" if high is not None and high != low
           else _plain_number(low, lang))
    words = shown
    if words.endswith(f" ({rng_en})"):
        words = words[: -len(rng_en) - 3]
    elif words.replace(",", "") == rng_en.replace(",", ""):
        words = ""
    if not words:
        return Markup("{}").format(rng)
    return Markup("{} ({})").format(_rec(jctx, words), rng)


@pass_context
def _unit(jctx, unit: str | None) -> Markup:
    """A claim's unit in the reader's language when the catalogue knows it (``unit.persons``), else as data."""
    if not unit:
        return Markup("")
    ctx = jctx.get("ctx")
    key = f"unit.{unit.strip().lower()}"
    if key in i18n.catalogue():
        return Markup("{}").format(i18n.translate(key, ctx.lang if ctx else "en"))
    return _rec(jctx, unit)


@pass_context
def _signed(jctx, value) -> str:
    """A weight with its sign, two decimals, in the reader's digits (+۰٫۹۳)."""
    ctx = jctx.get("ctx")
    text = f"{float(value):+.2f}"
    if ctx and ctx.lang == "fa":
        text = i18n.to_persian_digits(text.replace(".", "٫"))
    return text


@pass_context
def _coord(jctx, value) -> str:
    """A latitude or longitude to four decimals, in the reader's digits."""
    ctx = jctx.get("ctx")
    text = f"{float(value):.4f}"
    if ctx and ctx.lang == "fa":
        text = i18n.to_persian_digits(text.replace(".", "٫"))
    return text


@pass_context
def _media(jctx, media_type: str | None) -> str:
    """What kind of file a media type is, in words (a PDF document, an image…)."""
    ctx = jctx.get("ctx")
    lang = ctx.lang if ctx else "en"
    mt = (media_type or "").lower()
    major = mt.split("/")[0]
    kind = ("pdf" if mt == "application/pdf" else major if major in ("text", "image", "audio", "video")
            else "document" if "word" in mt or "opendocument" in mt else "other")
    return i18n.translate(f"media.{kind}", lang)


@pass_context
def _filesize(jctx, size) -> str:
    ctx = jctx.get("ctx")
    lang = ctx.lang if ctx else "en"
    if size is None:
        return ""
    size = float(size)
    for unit in ("bytes", "kib", "mib", "gib"):
        if size < 1024 or unit == "gib":
            break
        size /= 1024
    value = round(size) if unit == "bytes" or size >= 100 else round(size, 1)
    return i18n.translate(f"size.{unit}", lang, n=_plain_number(value, lang))


@functools.cache
def _vocab_codes() -> dict[str, tuple[str, str]]:
    from dadkhah.model.vocab import vocabulary, vocabulary_names

    return {term: (name, term) for name in vocabulary_names() for term in vocabulary(name) if "_" in term}


_CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")


@pass_context
def _snippet(jctx, text: str | None) -> Markup:
    """A search snippet (record text) with any vocabulary code in it said in words."""
    from dadkhah.model.vocab import label

    if not text:
        return Markup("")
    ctx = jctx.get("ctx")
    lang = ctx.lang if ctx else "en"
    codes = _vocab_codes()
    text = _CODE.sub(lambda m: label(*codes[m.group()], lang) if m.group() in codes else m.group(), str(text))
    return _rec(jctx, text)


def _has_message(key: str) -> bool:
    return key in i18n.catalogue()


@pass_context
def _lang_attr(jctx, value) -> Markup:
    """` lang="en"` for an element (an <option>) holding record text in another script than the page's."""
    ctx = jctx.get("ctx")
    text = str(value or "")
    page_lang = ctx.lang if ctx else "en"
    lang = text_lang(text)
    if lang is None and page_lang == "fa" and any(ch.isalpha() and ch.isascii() for ch in text):
        lang = "en"
    if lang and lang != page_lang:
        return Markup(' lang="{}"').format(lang)
    return Markup("")


def _tojson_script(value: Any) -> Markup:
    """JSON safe to place inside ``<script type="application/json">``."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


#: the sentences ingest stores as an item's problems (dadkhah.ingest), as message keys with their values;
#: a detail (an exception's words) stays data. An unknown sentence is shown as data, as before.
INGEST_PROBLEMS: tuple[tuple[re.Pattern, str], ...] = tuple((re.compile(p, re.S), k) for p, k in (
    (r"NUL characters removed from the metadata$", "problem.nul_metadata"),
    (r"NUL characters removed from the extracted text$", "problem.nul_text"),
    (r"only the first (?P<n>\d+) bytes were read for text$", "problem.bytes_read"),
    (r"text cut at (?P<n>\d+) characters$", "problem.text_cut"),
    (r"only the first (?P<n>\d+) of (?P<m>\d+) frames were OCR'd$", "problem.frames"),
    (r"only the first (?P<n>\d+) of (?P<m>\d+) pages were read for text$", "problem.pages"),
    (r"encrypted PDF: .*password$", "problem.encrypted_pdf"),
    (r"OCR stopped after (?P<n>\d+) scanned pages.*$", "problem.ocr_stopped"),
    (r"page (?P<n>\d+): text layer unreadable \((?P<detail>.*)\)$", "problem.page_text"),
    (r"page (?P<n>\d+): OCR failed \((?P<detail>.*)\)$", "problem.page_ocr"),
    (r"page (?P<n>\d+): (?P<detail>.*)$", "problem.page_other"),
    (r"OCR not run: (?P<detail>.*)$", "problem.ocr_not_run"),
    (r"image too large to decode safely \((?P<detail>.*)\); stored, not analysed$", "problem.image_too_large"),
    (r"metadata could not be read (?P<detail>.*)$", "problem.metadata"),
    (r"its Content Credentials \(C2PA\) do not validate: (?P<detail>.*)$", "problem.c2pa"),
    (r"no text extracted:? (?P<detail>.*)$", "problem.no_text"),
))


@pass_context
def _ingest_problem(jctx, value) -> Markup:
    """One of an item's ingest problems in the reader's language (its technical detail as data)."""
    text = str(value or "")
    ctx = jctx.get("ctx")
    lang = ctx.lang if ctx else "en"
    for pattern, key in INGEST_PROBLEMS:
        m = pattern.match(text)
        if m:
            values = m.groupdict()
            detail = values.pop("detail", None)
            values = {k: _plain_number(int(v), lang) for k, v in values.items()}
            out = Markup("{}").format(i18n.translate(key, lang, **values))
            if detail:
                out += Markup(" ") + _rec(jctx, detail)
            return out
    return _rec(jctx, text)


@functools.cache
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "svg"]),
                      trim_blocks=True, lstrip_blocks=True, auto_reload=False)
    env.globals.update(t=_t, tv=_tv, has_message=_has_message, period=_period, claim_value=_claim_value,
                       url_for_record=url_for_record, PLURAL=PLURAL, ENTITY_PAGES=ENTITY_PAGES)
    env.filters.update(percent=_percent, rec=_rec, media=_media, filesize=_filesize, snippet=_snippet, coord=_coord,
                       signed=_signed,
                       when=_when, unit=_unit, lang_attr=_lang_attr, fdate=_fdate, num=_num, digits=_digits,
                       term=_term, json_script=_tojson_script, ingest_problem=_ingest_problem)
    return env


def render_text(template: str, **data: Any) -> str:
    return environment().get_template(template).render(**data)


def page(ctx, template: str, status_code: int = 200, **data: Any) -> HTMLResponse:
    """Render ``templates/<template>`` for this request, every record named in the reader's script."""
    from dadkhah.web import readmodel

    todo = readmodel.pending_labels(data, ctx.lang)
    if todo:
        with ctx.read() as s:
            readmodel.apply_labels(s, todo, ctx.principal, ctx.lang)
    html = render_text(template, ctx=ctx, **data)
    return HTMLResponse(html, status_code=status_code)
