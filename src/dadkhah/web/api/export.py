"""Exports through the web: the case as JSON Lines, holding only what the caller may see."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends
from fastapi.responses import StreamingResponse

from dadkhah.web.context import Ctx, get_ctx

router = APIRouter(tags=["export"])


@router.get("/export", summary="The case as JSON Lines, as far as you may see it (needs the export right)",
            response_class=StreamingResponse, responses={200: {"content": {"application/x-ndjson": {}}}})
def export(ctx: Ctx = Depends(get_ctx)):
    from dadkhah.interchange.jsonl import iter_export

    ctx.require("export")
    principal = ctx.principal

    def lines():  # the policy (credentials never, sealed identities below identity readers) is access's
        for record in iter_export(ctx.case, principal, web=True):
            yield json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"

    return StreamingResponse(lines(), media_type="application/x-ndjson",
                             headers={"Content-Disposition": 'attachment; filename="case.jsonl"'})
