"""API routes of the estimates capability."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["estimates"])
