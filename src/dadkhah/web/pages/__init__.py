"""Server-rendered pages, one module per kind of page; ``router`` composes them."""

from fastapi import APIRouter, Depends

from dadkhah.web.context import check_csrf
from dadkhah.web.pages import (
    account,
    bulk,
    claims,
    dashboard,
    entities,
    estimates,
    geo,
    graph,
    lists,
    query,
    review,
    search,
    vault,
    vocab,
    work,
)

router = APIRouter(dependencies=[Depends(check_csrf)], include_in_schema=False)
for module in (account, dashboard, search, claims, vault, review, work, vocab, lists, geo, graph, estimates, bulk,
               query, entities):
    router.include_router(module.router)
