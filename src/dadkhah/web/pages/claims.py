"""Claims: the list (by status and predicate), one claim with its sources and grades, and the form to
record a claim — which, like every path, refuses a claim without a source."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import RedirectResponse

from dadkhah.errors import InputError
from dadkhah.model import CLAIM_STATUSES
from dadkhah.web import readmodel
from dadkhah.web.context import Ctx, get_ctx
from dadkhah.web.pages.entities import _options, _vocab_options
from dadkhah.web.pages.forms import form_data, number, text
from dadkhah.web.render import page

router = APIRouter()
PAGE_SIZE = 50


@router.get("/claims")
def claims_list(ctx: Ctx = Depends(get_ctx), status: str = "", predicate: str = "", offset: int = 0):
    from dadkhah.claims.service import claim_to_dict, list_claims

    offset = max(offset, 0)
    with ctx.read() as s:
        claims = list_claims(s, principal=ctx.principal, status=status or None, predicate=predicate or None)
        total = len(claims)
        rows = [claim_to_dict(c, ctx.principal) for c in claims[offset:offset + PAGE_SIZE]]
        for r in rows:
            r["subject"] = readmodel.ref(s, r["subject"]["id"], ctx.principal)
            r["object"] = readmodel.ref(s, r["object"]["id"], ctx.principal) if r.get("object") else None
        predicates = _vocab_options(ctx, "claim_predicate", s)
    return page(ctx, "claims.html", claims=rows, total=total, offset=offset, limit=PAGE_SIZE, status=status,
                predicate=predicate, statuses=CLAIM_STATUSES, predicates=predicates)


def _form(ctx: Ctx, values: dict, errors: dict | None = None, status: int = 200):
    with ctx.read() as s:
        subjects = []
        for kind in readmodel.PAGE_KINDS:
            subjects += [(i, f"{lbl} ({ctx.t('kind.' + kind)})") for i, lbl in _options(ctx, s, kind)]
        sources = _options(ctx, s, "source")
        predicates = _vocab_options(ctx, "claim_predicate", s)
    return page(ctx, "claim_form.html", status_code=status, values=values, errors=errors or {}, subjects=subjects,
                sources=sources, predicates=predicates)


@router.get("/claims/new")
def claim_new(ctx: Ctx = Depends(get_ctx), subject: str = ""):
    ctx.require("edit")
    return _form(ctx, {"subject_id": subject, "sensitivity": "public", "stance": "supports"})


@router.post("/claims/new")
def claim_create(ctx: Ctx = Depends(get_ctx), data: dict = Depends(form_data)):
    from dadkhah.claims.service import add_claim

    ctx.require("edit")
    errors: dict = {}
    fields = ("subject_id", "predicate", "object_id", "statement", "value_text", "unit", "valid", "sensitivity",
              "source_id", "quotation", "locator", "stance")
    values = {f: text(data, f) for f in fields}
    values["value_low"] = number(data, "value_low", errors)
    values["value_high"] = number(data, "value_high", errors)
    for f in ("subject_id", "predicate", "source_id"):
        if not values[f]:
            errors[f] = "required"
    if errors:
        return _form(ctx, values, errors, 422)
    citation = {"source_id": values["source_id"], "quotation": values["quotation"],
                "locator": values["locator"] or "", "stance": values["stance"] or "supports"}
    try:
        with ctx.write() as s:
            claim = add_claim(s, subject_id=values["subject_id"], predicate=values["predicate"],
                              object_id=values["object_id"] or None, statement=values["statement"] or "",
                              value_text=values["value_text"], value_low=values["value_low"],
                              value_high=values["value_high"], unit=values["unit"], valid=values["valid"],
                              sensitivity=values["sensitivity"] or "public", citations=[citation])
            claim_id = claim.id
    except InputError as exc:
        return _form(ctx, values, {(exc.field or "_form").split(".")[0]: exc.message}, 422)
    return RedirectResponse(f"/claims/{claim_id}", status_code=303)


@router.get("/claims/{claim_id}")
def claim_page(claim_id: str, ctx: Ctx = Depends(get_ctx)):
    with ctx.read() as s:
        c = readmodel.claim_view(s, claim_id, ctx.principal)
    return page(ctx, "claim.html", c=c)
