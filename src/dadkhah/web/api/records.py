"""Persons, organisations, places, events and sources: list, read, create, change, add names."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from dadkhah.errors import NotFound
from dadkhah.web import readmodel
from dadkhah.web.api.schemas import EntityPatch, EventIn, NameIn, OrganizationIn, PersonIn, PlaceIn, SourceIn
from dadkhah.web.context import Ctx, get_ctx
from dadkhah.web.render import PLURAL

router = APIRouter(tags=["records"])

Offset = Annotated[int, Query(ge=0, le=1_000_000)]
Limit = Annotated[int, Query(ge=1, le=500)]
EntityId = Annotated[str, Path(max_length=200)]
BODIES = {"person": PersonIn, "organization": OrganizationIn, "place": PlaceIn, "event": EventIn, "source": SourceIn}


def _get(ctx: Ctx, s, kind: str, entity_id: str):
    e = readmodel.visible_entity(s, entity_id, ctx.principal, kind=kind)
    if e is None:
        raise NotFound(f"no {kind} with id {entity_id!r}")
    return e


def _create(ctx: Ctx, kind: str, body) -> dict:
    from dadkhah import records

    adders = {"person": records.add_person, "organization": records.add_organization, "place": records.add_place,
              "event": records.add_event, "source": records.add_source}
    args = body.model_dump(exclude_none=True)
    if "names" in args:
        args["names"] = [{k: v for k, v in n.items() if v is not None} for n in args["names"]]
    with ctx.write() as s:
        entity_id = adders[kind](s, **args).id
        s.commit()  # stored; the answer is read after the commit, by this session (the new record is loaded)
        return readmodel.entity_view(s, _get(ctx, s, kind, entity_id), ctx.principal)


def _register(kind: str) -> None:
    plural = PLURAL[kind]
    body_model = BODIES[kind]

    @router.get(f"/{plural}", summary=f"List {plural} (the ones you may see)", name=f"list_{plural}")
    def list_(ctx: Ctx = Depends(get_ctx), offset: Offset = 0, limit: Limit = 50) -> dict:
        with ctx.read() as s:
            rows, total = readmodel.list_page(s, kind, ctx.principal, offset=offset, limit=limit)
            return {"total": total, "offset": offset, "limit": limit, "items": [readmodel.summary(e) for e in rows]}

    @router.get(f"/{plural}/{{entity_id}}", summary=f"One {kind}, with every claim and its sources",
                name=f"get_{kind}")
    def get(entity_id: EntityId, ctx: Ctx = Depends(get_ctx)) -> dict:
        with ctx.read() as s:
            return readmodel.entity_view(s, _get(ctx, s, kind, entity_id), ctx.principal)

    def create(body, ctx: Ctx = Depends(get_ctx)) -> dict:
        return _create(ctx, kind, body)

    create.__annotations__["body"] = body_model
    router.post(f"/{plural}", status_code=201, summary=f"Create a {kind}", name=f"create_{kind}")(create)

    @router.patch(f"/{plural}/{{entity_id}}", summary=f"Change a {kind}", name=f"update_{kind}")
    def update(entity_id: EntityId, body: EntityPatch, ctx: Ctx = Depends(get_ctx)) -> dict:
        from dadkhah.web.editing import update_entity

        changes = body.model_dump(exclude_unset=True)
        with ctx.write() as s:
            update_entity(s, _get(ctx, s, kind, entity_id), changes)
            s.commit()  # stored; the answer is read after the commit, by this session
            return readmodel.entity_view(s, _get(ctx, s, kind, entity_id), ctx.principal)

    if kind in ("person", "organization", "place"):
        @router.post(f"/{plural}/{{entity_id}}/names", status_code=201, summary=f"Add a name form to a {kind}",
                     name=f"add_{kind}_name")
        def add_name_(entity_id: EntityId, body: NameIn, ctx: Ctx = Depends(get_ctx)) -> dict:
            from dadkhah.records import add_name

            with ctx.write() as s:
                add_name(s, _get(ctx, s, kind, entity_id), body.text, kind=body.kind, lang=body.lang,
                         sensitivity=body.sensitivity, primary=body.primary)
            with ctx.read() as s:
                return readmodel.entity_view(s, _get(ctx, s, kind, entity_id), ctx.principal)


for _kind in readmodel.PAGE_KINDS:
    _register(_kind)


@router.get("/entities/{entity_id}", summary="Any entity by id (persons, events, positions, participations…)")
def get_any(entity_id: EntityId, ctx: Ctx = Depends(get_ctx)) -> dict:
    with ctx.read() as s:
        e = readmodel.visible_entity(s, entity_id, ctx.principal)
        if e is None:
            raise NotFound(f"no record with id {entity_id!r}")
        return readmodel.entity_view(s, e, ctx.principal)
