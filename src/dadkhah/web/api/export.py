"""Exports through the web: the case as JSON Lines, holding only what the caller may see."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends
from fastapi.responses import StreamingResponse

from dadkhah.web.context import Ctx, get_ctx
from dadkhah.web.tables import PRIVATE_TABLES

router = APIRouter(tags=["export"])


@router.get("/export", summary="The case as JSON Lines, as far as you may see it (needs the export right)",
            response_class=StreamingResponse, responses={200: {"content": {"application/x-ndjson": {}}}})
def export(ctx: Ctx = Depends(get_ctx)):
    from dadkhah.interchange.jsonl import iter_export, private_tables

    ctx.require("export")
    principal = ctx.principal
    private = set(PRIVATE_TABLES) | private_tables()  # credentials and sealed identities: a CLI backup's job

    def lines():
        for record in iter_export(ctx.case, principal):
            if record.get("table") in private:
                continue
            if "tables" in record:
                record = {**record, "tables": [t for t in record["tables"] if t not in private]}
            yield json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"

    return StreamingResponse(lines(), media_type="application/x-ndjson",
                             headers={"Content-Disposition": 'attachment; filename="case.jsonl"'})
