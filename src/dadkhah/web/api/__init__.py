"""The REST API under ``/api`` (OpenAPI at ``/api/openapi.json``); one module per resource."""

from fastapi import APIRouter, Depends

from dadkhah.web.api import bulk, claims, estimates, export, geo, lists, meta, query, records, review, search, vault
from dadkhah.web.context import check_csrf

router = APIRouter(prefix="/api", dependencies=[Depends(check_csrf)])
for module in (meta, search, query, claims, geo, vault, lists, review, estimates, export, bulk, records):
    router.include_router(module.router)
