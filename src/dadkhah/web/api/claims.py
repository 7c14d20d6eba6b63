"""Claims and their citations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from dadkhah.web import readmodel
from dadkhah.web.api.schemas import ClaimIn
from dadkhah.web.context import Ctx, get_ctx

router = APIRouter(tags=["claims"])


@router.get("/claims", summary="Claims you may see, with their sources (filter by status, predicate, subject)")
def list_claims_(ctx: Ctx = Depends(get_ctx), status: Annotated[str, Query(max_length=20)] = "",
                 predicate: Annotated[str, Query(max_length=60)] = "",
                 subject_id: Annotated[str, Query(max_length=200)] = "",
                 offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
                 limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict:
    from dadkhah.claims.service import claim_to_dict, list_claims

    with ctx.read() as s:
        claims = list_claims(s, principal=ctx.principal, status=status or None, predicate=predicate or None,
                             subject_id=subject_id or None)
        return {"total": len(claims), "offset": offset, "limit": limit,
                "items": [claim_to_dict(c, ctx.principal) for c in claims[offset:offset + limit]]}


@router.get("/claims/{claim_id}", summary="One claim with its sources and their grades")
def get_claim(claim_id: Annotated[str, Path(max_length=200)], ctx: Ctx = Depends(get_ctx)) -> dict:
    with ctx.read() as s:
        return readmodel.claim_view(s, claim_id, ctx.principal)


@router.post("/claims", status_code=201, summary="Record a claim (at least one source is required)")
def create_claim(body: ClaimIn, ctx: Ctx = Depends(get_ctx)) -> dict:
    from dadkhah.claims.service import add_claim

    args = body.model_dump(exclude_none=True)
    with ctx.write() as s:
        claim_id = add_claim(s, **args).id
        s.commit()  # stored; the answer is read after the commit, by this session
        return readmodel.claim_view(s, claim_id, ctx.principal)
