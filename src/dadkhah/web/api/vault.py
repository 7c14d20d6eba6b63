"""API routes of the vault capability."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["vault"])
