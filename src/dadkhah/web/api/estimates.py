"""Estimates of the number of victims (multiple systems estimation): runs and their summaries."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path
from pydantic import Field

from dadkhah.errors import NotFound
from dadkhah.web import estimates_view as ev
from dadkhah.web.api.schemas import Strict
from dadkhah.web.context import Ctx, get_ctx

router = APIRouter(tags=["estimates"])


def _need() -> None:
    if not ev.estimates_available():
        raise NotFound("estimates are not available in this installation")


@router.get("/estimates", summary="Estimate runs and their headline figures (needs the analyse right)")
def list_estimates(ctx: Ctx = Depends(get_ctx)) -> dict:
    _need()
    ctx.require("analyse")
    return {"runs": ev.list_runs(ctx.case, ctx.principal)}


@router.get("/estimates/{run_id}", summary="One estimate run: status and summary")
def get_estimate(run_id: Annotated[str, Path(max_length=60)], ctx: Ctx = Depends(get_ctx)) -> dict:
    _need()
    ctx.require("analyse")
    return ev.get_run(ctx.case, run_id, ctx.principal)


class EstimateIn(Strict):
    method: Literal["lcmcr", "loglinear", "bma", "all"] = "lcmcr"
    seed: Annotated[int, Field(ge=0, le=2**31)] | None = None


@router.post("/estimates", status_code=202, summary="Start an estimate from the case's linked lists "
             "(runs in the background)")
def start_estimate(body: EstimateIn, ctx: Ctx = Depends(get_ctx)) -> dict:
    _need()
    ctx.require("analyse")
    run_id = ev.start_run(ctx.case, ctx.principal, method=body.method, seed=body.seed)
    return {"id": run_id, "state": "running"}
