"""Vocabularies in the interface: every controlled list (event types, roles, place types…) with its terms in
English and Persian; editors add the case's own terms and correct their labels (shipped terms stay as
shipped). A term's code is what records store; its labels are what readers see."""

from __future__ import annotations

import re

from fastapi import APIRouter, Depends
from fastapi.responses import RedirectResponse
from sqlalchemy import select

from dadkhah.errors import NotFound
from dadkhah.web.context import Ctx, get_ctx
from dadkhah.web.pages.forms import form_data, text
from dadkhah.web.render import page

router = APIRouter()
CODE = re.compile(r"^[a-z][a-z0-9_]{1,58}$")


def _names() -> list[str]:
    from dadkhah.model.vocab import vocabulary_names

    return vocabulary_names()


def _vocab_page(ctx: Ctx, name: str, *, errors: dict | None = None, values: dict | None = None, code: int = 200):
    from dadkhah.model.vocab import vocabulary

    if name not in _names():
        raise NotFound(f"no vocabulary {name!r}")
    with ctx.read() as s:
        terms = [{"id": k, "en": v.get("en") or "", "fa": v.get("fa") or "", "case": bool(v.get("case"))}
                 for k, v in vocabulary(name, s).items()]
    return page(ctx, "vocab.html", status_code=code, name=name, names=_names(), terms=terms, errors=errors or {},
                values=values or {})


@router.get("/vocab")
def vocab_index(ctx: Ctx = Depends(get_ctx)):
    return RedirectResponse("/vocab/event_type", status_code=303)


@router.get("/vocab/{name}")
def vocab_page(name: str, ctx: Ctx = Depends(get_ctx)):
    ctx.require_login()
    return _vocab_page(ctx, name)


@router.post("/vocab/{name}")
def vocab_add(name: str, ctx: Ctx = Depends(get_ctx), data: dict = Depends(form_data)):
    """Add a term to the case's vocabulary, or change the labels of one the case added."""
    from dadkhah.model.vocab import vocabulary
    from dadkhah.model.vocab_table import VocabTerm

    ctx.require("edit")
    if name not in _names():
        raise NotFound(f"no vocabulary {name!r}")
    values = {k: (text(data, k, "") or "").strip() for k in ("term", "en", "fa", "description")}
    errors = {}
    if not CODE.match(values["term"]):
        errors["term"] = "vocab.error.code"
    if not values["en"]:
        errors["en"] = "form.required"
    if not values["fa"]:
        errors["fa"] = "form.required"
    if not errors and values["term"] in vocabulary(name):
        errors["term"] = "vocab.error.shipped"  # shipped terms keep their labels
    if errors:
        return _vocab_page(ctx, name, errors=errors, values=values, code=422)
    with ctx.write() as s:
        existing = s.scalar(select(VocabTerm).where(VocabTerm.vocabulary == name, VocabTerm.term == values["term"]))
        if existing is None:
            s.add(VocabTerm(vocabulary=name, term=values["term"], label_en=values["en"], label_fa=values["fa"],
                            description=values["description"] or None))
        else:
            existing.label_en, existing.label_fa = values["en"], values["fa"]
            existing.description = values["description"] or None
    return RedirectResponse(f"/vocab/{name}", status_code=303)
