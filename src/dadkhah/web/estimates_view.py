"""Estimate reports in the web application (:mod:`dadkhah.estimate`).

An analyst starts an estimate from the case's linked lists. The run is recorded and executed by the
estimate service (:mod:`dadkhah.estimate.runs`): its state lives in the ``estimate_run`` table and its
report (HTML with plots, ``estimate.json``) in ``<case folder>/reports/estimates/<id>/``. The estimate
counts only what the signed-in reader may see (an analyst's estimate leaves out confidential lists unless
they allow aggregate publication), and a run is shown only to readers at or above the level it was made
for. This module only adapts those calls to the web's principal.
"""

from __future__ import annotations

from pathlib import Path

from dadkhah.web.peers import available

METHODS = ("lcmcr", "loglinear", "bma", "all")


def estimates_available() -> bool:
    return available("dadkhah.estimate.runs", "start_run", "list_runs", "get_run") and available(
        "dadkhah.estimate.report", "write_report")


def _shown(run: dict) -> dict:
    # A queued run is picked up at once; the pages know "running", "done" and "failed".
    return {**run, "state": "running"} if run.get("state") == "queued" else run


def list_runs(case, principal) -> list[dict]:
    from dadkhah.estimate.runs import list_runs as _list

    return [_shown(r) for r in _list(case, principal)]


def get_run(case, run_id: str, principal) -> dict:
    from dadkhah.estimate.runs import get_run as _get

    return _shown(_get(case, run_id, principal))


def start_run(case, principal, *, method: str, seed: int | None, strata: list[str] | None = None) -> str:
    """Start an estimate in the background for ``principal``; returns its id."""
    from dadkhah.estimate.runs import start_run as _start

    return _start(case, principal, method=method, seed=seed, strata=strata)


def report_file(case, run_id: str, name: str, principal) -> Path:
    from dadkhah.estimate.runs import report_file as _file

    return _file(case, run_id, name, principal)


# --- warnings in the reader's language --------------------------------------------------------
#
# The estimate writes each warning with a ``key`` and its ``params`` (``estimate.checks``); an English
# page shows the estimate's own message, any other page the catalogue's ``estimates.warn.<key>`` filled
# with the params. A warning whose key the catalogue lacks (a run stored before keys existed, or a new
# warning) is said generically, never in English.

_STRATUM_VALUES = {"small strata": "estimates.stratum.small", "unknown": "estimates.stratum.unknown"}
_FIELD_KEYS = {"province": "estimates.field.province", "prison": "estimates.field.prison",
               "gender": "estimates.field.gender", "period": "estimates.field.period"}


def _param(name: str, value, lang: str) -> str:
    from dadkhah.web.i18n import catalogue, number, to_persian_digits, translate

    if name == "method" and f"estimates.method.{value}" in catalogue():
        return translate(f"estimates.method.{value}", lang)
    if name == "field":
        return translate(_FIELD_KEYS[value], lang) if value in _FIELD_KEYS else str(value)
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, int):
        return number(value, lang)
    if isinstance(value, float):
        text = f"{value:g}"
        return to_persian_digits(text).replace(".", "٫") if lang == "fa" else text
    return str(value)


# Params that are record data (list names, model names, strata): marked as data on the page.
_DATA_PARAMS = {"list", "list_a", "list_b", "lists", "examples", "model"}


def _data(text: str):
    from markupsafe import Markup, escape

    return Markup('<bdi dir="auto" translate="no">{}</bdi>').format(escape(text)) if text else Markup("")


def warning_texts(warnings: list | None, lang: str) -> list[dict]:
    """Each warning of an estimate summary as ``{"text", "stratum"}`` (HTML) in ``lang``."""
    from markupsafe import Markup, escape

    from dadkhah.web.i18n import catalogue, translate

    out = []
    for w in warnings or []:
        if isinstance(w, str):
            w = {"message": w}
        stratum = w.get("stratum")
        if lang == "en":
            text = escape(w.get("message") or "")
            where = _data(stratum) if stratum else None
        else:
            key = f"estimates.warn.{w.get('key') or w.get('code')}"
            if key not in catalogue() or lang not in catalogue()[key]:
                key = "estimates.warn.other"
            params = {}
            for k, v in (w.get("params") or {}).items():
                if k in _DATA_PARAMS or (k == "field" and v not in _FIELD_KEYS):
                    params[k] = _data(str(v))
                elif k == "strata":
                    params[k] = Markup("؛ ").join(_stratum_html(part, lang) for part in str(v).split("; "))
                else:
                    params[k] = escape(_param(k, v, lang))
            template = str(escape(translate(key, lang)))
            try:
                text = Markup(template.format(**params))
            except (KeyError, IndexError, ValueError):  # a stored warning without the params its message needs
                text = escape(translate("estimates.warn.other", lang))
            where = _stratum_html(stratum, lang) if stratum else None
        out.append({"text": text, "stratum": where})
    return out


def _stratum_html(label: str, lang: str):
    """A stratum label with its field names and made-up values in ``lang`` and its recorded values as data."""
    from markupsafe import Markup, escape

    from dadkhah.web.i18n import translate

    parts = []
    for part in label.split(", "):
        f, sep, v = part.partition("=")
        if not sep:
            f, v = "", part
        v_html = escape(translate(_STRATUM_VALUES[v], lang)) if v in _STRATUM_VALUES else _data(v)
        if f:
            f_html = escape(translate(_FIELD_KEYS[f], lang)) if f in _FIELD_KEYS else _data(f)
            parts.append(Markup("{}: {}").format(f_html, v_html))
        else:
            parts.append(v_html)
    return Markup("، " if lang == "fa" else ", ").join(parts)
