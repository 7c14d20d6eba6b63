"""Server-side rendering: one Jinja2 environment, filters for dates, numbers and vocabulary labels in the
reader's language and calendar, and :func:`page` to turn a template into a response."""

from __future__ import annotations

import functools
import json
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


def format_date(value, calendar: str = "gregorian", lang: str = "en") -> str:
    """A fuzzy date (object or its dict) shown in the chosen calendar."""
    if value is None or value == "":
        return ""
    if isinstance(value, dict):
        from dadkhah.dates import FuzzyDate

        value = FuzzyDate.from_dict(value)
    try:
        shown = value.display(calendar=calendar, digits="persian" if lang == "fa" else "latin")
    except TypeError:
        shown = value.display(calendar=calendar)
    except Exception:  # noqa: BLE001 - a date we cannot render is shown as written
        shown = getattr(value, "text", str(value))
    return shown


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
    day = format_date(value.date().isoformat(), calendar, lang) if calendar == "jalali" else None
    if day is None:
        day = value.date().isoformat()
    text = f"{day} {value:%H:%M}"
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


@functools.cache
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "svg"]),
                      trim_blocks=True, lstrip_blocks=True, auto_reload=False)
    env.globals.update(t=_t, tv=_tv, claim_value=_claim_value, url_for_record=url_for_record, PLURAL=PLURAL, ENTITY_PAGES=ENTITY_PAGES)
    env.filters.update(rec=_rec, coord=_coord, signed=_signed, when=_when, unit=_unit, lang_attr=_lang_attr, fdate=_fdate, num=_num, digits=_digits, term=_term, json_script=_tojson_script)
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
