"""Estimate reports (multiple systems estimation, :mod:`dadkhah.estimate`)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from dadkhah.web.context import Ctx, get_ctx
from dadkhah.web.render import page

router = APIRouter()


@router.get("/estimates")
def estimates_page(ctx: Ctx = Depends(get_ctx)):
    return page(ctx, "estimates.html", available=False, reports=[])
