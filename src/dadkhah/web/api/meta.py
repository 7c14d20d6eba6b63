"""Who am I, and the controlled vocabularies."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from dadkhah.errors import NotFound
from dadkhah.web.context import Ctx, get_ctx

router = APIRouter(tags=["meta"])


@router.get("/me", summary="The caller: name, role and what they may do")
def me(ctx: Ctx = Depends(get_ctx)) -> dict:
    from dadkhah.access import ACTIONS, allowed_sensitivities

    return {"name": ctx.principal.name, "role": str(ctx.principal.role),
            "reads": list(allowed_sensitivities(ctx.principal)),
            "may": sorted(a for a in ACTIONS if ctx.principal.may(a)), "lang": ctx.lang, "calendar": ctx.calendar}


@router.get("/vocab/{name}", summary="The terms of a controlled vocabulary, with English and Persian labels")
def vocab(name: str, ctx: Ctx = Depends(get_ctx)) -> dict:
    from dadkhah.model.vocab import vocabulary, vocabulary_names

    if name not in vocabulary_names():
        raise NotFound(f"no vocabulary {name!r} (known: {', '.join(vocabulary_names())})")
    with ctx.read() as s:
        terms = vocabulary(name, s)
    return {"name": name, "terms": [{"id": k, "en": v.get("en"), "fa": v.get("fa")} for k, v in terms.items()]}
