"""Evidence items and testimony (the vault), evidence upload with progress."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from dadkhah.web.context import Ctx, get_ctx
from dadkhah.web.render import page

router = APIRouter()


@router.get("/evidence")
def evidence_list(ctx: Ctx = Depends(get_ctx)):
    return page(ctx, "evidence_list.html", available=False, items=[])


@router.get("/testimony")
def testimony_list(ctx: Ctx = Depends(get_ctx)):
    return page(ctx, "testimony_list.html", available=False, items=[])
