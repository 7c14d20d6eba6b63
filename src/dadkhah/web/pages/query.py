"""The query builder page: conditions over the facets of people or events, all of which must hold (each
with "any of" values), carried in the address so a query can be shared. The parsing and the query are
:mod:`dadkhah.web.query`'s; a bad field, operator or value is named in the reader's language (400)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends
from markupsafe import Markup, escape

from dadkhah.web import query as qb
from dadkhah.web.context import Ctx, get_ctx
from dadkhah.web.i18n import to_persian_digits
from dadkhah.web.render import page

router = APIRouter()
PAGE_SIZE = 50


def _error_text(ctx: Ctx, kind: str, exc: qb.QueryError) -> Markup:
    """The error in the reader's language: known fields and operators by their names, what the reader typed
    quoted as data (``<bdi>`` with its language, so it is not taken for interface text)."""
    from dadkhah.web.render import text_lang

    def typed(value) -> Markup:
        lang = text_lang(str(value))
        attr = Markup(' lang="{}"').format(lang) if lang and lang != ctx.lang else Markup(' translate="no"')
        return Markup('<bdi dir="auto"{}>{}</bdi>').format(attr, str(value))

    values: dict = {k: (v if isinstance(v, int) else typed(v)) for k, v in exc.values.items()}
    f = exc.values.get("field")
    if f and f in qb.FIELDS.get(kind, {}):
        values["field"] = ctx.t(f"query.field.{f}")
    op = exc.values.get("op")
    if op and op in {o for ops in qb.OPERATORS.values() for o in ops}:
        values["op"] = ctx.t(f"query.op.{op}")
    if exc.values.get("kind") in qb.FIELDS:
        values["kind"] = ctx.t(f"kind.{exc.values['kind']}.plural")
    if ctx.lang == "fa":
        values = {k: (to_persian_digits(v) if isinstance(v, int) else v) for k, v in values.items()}
    text = str(escape(ctx.t(exc.key, **{k: f"\x00{k}\x00" for k in values})))
    for k, v in values.items():
        text = text.replace(f"\x00{k}\x00", str(escape(v)))
    return Markup(text)


@router.get("/query")
def query_page(ctx: Ctx = Depends(get_ctx), kind: str = "person", offset: int = 0):
    params = ctx.request.query_params
    kind = kind if kind in qb.FIELDS else kind[:40]
    rows = [{"f": f, "o": o, "v": v, "w": w} for _, f, o, v, w in qb.raw_conditions(params)]
    error, result, share, conditions = None, None, None, []
    status = 200
    if kind not in qb.FIELDS:
        error, status = _error_text(ctx, kind, qb.QueryError("no such kind", "query.error.kind", kind=kind)), 400
        kind = "person"
    else:
        try:
            with ctx.read() as s:
                parsed = qb.parse(s, kind, params, ctx.principal)
                conditions = parsed.conditions
                if parsed.conditions:
                    result = qb.run(s, parsed, ctx.principal, lang=ctx.lang, offset=max(offset, 0), limit=PAGE_SIZE)
                    share = "/query?" + urlencode(parsed.params())
        except qb.QueryError as exc:
            error, status = _error_text(ctx, kind, exc), 400
    with ctx.read() as s:
        suggestions = _suggestions(ctx, s, kind)
    blank = max(1, 3 - len(rows))
    rows = rows + [{"f": "", "o": "", "v": "", "w": ""} for _ in range(blank)]
    fields = [(f, vtype) for f, (vtype, _) in qb.FIELDS[kind].items()]
    return page(ctx, "query.html", status_code=status, kind=kind, rows=rows, fields=fields, operators=qb.OPERATORS,
                error=error, result=result, share=share, offset=max(offset, 0), limit=PAGE_SIZE,
                suggestions=suggestions, kinds=list(qb.FIELDS), conditions=conditions, vocabs=_vocabs(kind),
                pager_base=(share + "&") if share else "?")


def _vocabs(kind: str) -> dict[str, str]:
    return {f: vocab for f, (vtype, vocab) in qb.FIELDS[kind].items() if vtype == qb.VOCAB}


def _suggestions(ctx: Ctx, s, kind: str) -> dict[str, list[str]]:
    """Values to offer as you type (a datalist per field): vocabulary labels in the reader's language."""
    from dadkhah.model.vocab import vocabulary

    out: dict[str, list[str]] = {}
    for f, (vtype, vocab) in qb.FIELDS[kind].items():
        if vtype == qb.VOCAB:
            out[f] = [entry.get(ctx.lang) or entry.get("en") or code for code, entry in vocabulary(vocab, s).items()]
        elif vtype == qb.CHOICE:
            out[f] = [qb.choice_label(f, code, ctx.lang) for code in vocab]
    return out
