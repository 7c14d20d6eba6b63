"""API routes of the review capability."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["review"])
