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
def _num(jctx, value) -> str:
    ctx = jctx.get("ctx")
    return i18n.number(value, ctx.lang if ctx else "en")


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


def _tojson_script(value: Any) -> Markup:
    """JSON safe to place inside ``<script type="application/json">``."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


@functools.cache
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "svg"]),
                      trim_blocks=True, lstrip_blocks=True, auto_reload=False)
    env.globals.update(t=_t, url_for_record=url_for_record, PLURAL=PLURAL, ENTITY_PAGES=ENTITY_PAGES)
    env.filters.update(fdate=_fdate, num=_num, digits=_digits, term=_term, json_script=_tojson_script)
    return env


def render_text(template: str, **data: Any) -> str:
    return environment().get_template(template).render(**data)


def page(ctx, template: str, status_code: int = 200, **data: Any) -> HTMLResponse:
    """Render ``templates/<template>`` for this request."""
    html = render_text(template, ctx=ctx, **data)
    return HTMLResponse(html, status_code=status_code)
