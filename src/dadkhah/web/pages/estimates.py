"""Estimate reports (multiple systems estimation): the runs, one summary, and the full report."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse, RedirectResponse

from dadkhah.errors import InputError
from dadkhah.web import estimates_view as ev
from dadkhah.web.context import Ctx, get_ctx
from dadkhah.web.pages.forms import form_data, text
from dadkhah.web.render import page

router = APIRouter()


@router.get("/estimates")
def estimates_page(ctx: Ctx = Depends(get_ctx)):
    ctx.require("analyse")
    if not ev.estimates_available():
        return page(ctx, "estimates.html", available=False, runs=[], methods=ev.METHODS, error=None)
    return page(ctx, "estimates.html", available=True, runs=ev.list_runs(ctx.case, ctx.principal),
                methods=ev.METHODS, error=None)


@router.post("/estimates")
def estimates_start(ctx: Ctx = Depends(get_ctx), data: dict = Depends(form_data)):
    ctx.require("analyse")
    raw_seed = text(data, "seed")
    try:
        seed = int(raw_seed) if raw_seed else None
        run_id = ev.start_run(ctx.case, ctx.principal, method=text(data, "method", "lcmcr") or "lcmcr", seed=seed)
    except (InputError, ValueError) as exc:
        return page(ctx, "estimates.html", status_code=422, available=True, runs=ev.list_runs(ctx.case, ctx.principal),
                    methods=ev.METHODS, error=getattr(exc, "message", str(exc)))
    return RedirectResponse(f"/estimates/{run_id}", status_code=303)


@router.get("/estimates/{run_id}")
def estimate_page(run_id: str, ctx: Ctx = Depends(get_ctx)):
    ctx.require("analyse")
    run = ev.get_run(ctx.case, run_id, ctx.principal)
    warnings = ev.warning_texts((run.get("summary") or {}).get("warnings"), ctx.lang)
    return page(ctx, "estimate.html", run=run, warnings=warnings)


@router.get("/estimates/{run_id}/report/{name}")
def estimate_report_file(run_id: str, name: str, ctx: Ctx = Depends(get_ctx)):
    ctx.require("analyse")
    return FileResponse(ev.report_file(ctx.case, run_id, name, ctx.principal))
