"""Linkage review: the queue of uncertain pairs, one pair side by side, a decision."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query

from dadkhah.errors import NotFound
from dadkhah.web import linkview
from dadkhah.web.api.schemas import Strict, Text
from dadkhah.web.context import Ctx, get_ctx

router = APIRouter(tags=["linkage review"])
PairId = Annotated[int, Path(ge=1, le=2**62)]


def _need() -> None:
    if not linkview.review_available():
        raise NotFound("linkage review is not available in this installation")


@router.get("/review/pairs", summary="The most uncertain undecided pairs (needs the review right)")
def review_pairs(ctx: Ctx = Depends(get_ctx), n: Annotated[int, Query(ge=1, le=100)] = 20) -> dict:
    _need()
    ctx.require("review")
    pairs, problem = linkview.queue(ctx.case, ctx.principal, n)
    return {"pairs": pairs, "problem": problem}


@router.get("/review/pairs/{pair_id}", summary="Both records of a pair side by side, with the comparisons")
def review_pair(pair_id: PairId, ctx: Ctx = Depends(get_ctx)) -> dict:
    _need()
    ctx.require("review")
    return linkview.detail(ctx.case, pair_id, ctx.principal)


class DecisionIn(Strict):
    decision: Literal["same", "different", "unsure"]
    note: Text(2000) | None = None


@router.post("/review/pairs/{pair_id}", summary="Decide whether the two records are the same person")
def review_decide(pair_id: PairId, body: DecisionIn, ctx: Ctx = Depends(get_ctx)) -> dict:
    _need()
    ctx.require("review")
    return linkview.decide(ctx.case, pair_id, body.decision, ctx.principal, body.note)
