"""Victim lists and their linkage, for programs: the same services as ``dadkhah lists …`` and ``dadkhah link
…`` (:mod:`dadkhah.lists.service`, :mod:`dadkhah.lists.importer`, :mod:`dadkhah.linkage.service`), with the
caller's principal: a list above the caller's level is "not found", an export holds only the rows the caller
may see.

``POST /api/lists`` imports a file as ``dadkhah lists import FILE --name NAME [--mapping MAP] [--strict]``
does: the mapping (the same YAML as the command's) is optional, proposed from the headers when left out; a
row with an unreadable field is kept with the field empty and listed in the report's ``errors`` (with
``strict``, any bad row imports nothing and the answer is 422 naming the first).
"""

from __future__ import annotations

import shutil
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import Response

from dadkhah.errors import InputError, NotFound
from dadkhah.web import linkview
from dadkhah.web.context import Ctx, get_ctx
from dadkhah.web.staging import check_list_file, stage

router = APIRouter(tags=["victim lists"])
ListName = Annotated[str, PathParam(max_length=200)]
IMPORT_ERRORS = 1000  # problem rows in an import's answer
MAPPING_BYTES = 64 * 1024


@router.get("/lists", summary="The victim lists you may see: records, withdrawn records, import versions")
def all_lists(ctx: Ctx = Depends(get_ctx)) -> dict:
    from dadkhah.lists.service import list_summary, lists

    with ctx.read() as s:
        return {"lists": [list_summary(s, vl) for vl in lists(s, ctx.principal)]}


@router.get("/lists/{name:path}/errors", summary="The bad rows of an import (the latest by default; paged): line, row, "
                                            "field, reason, and whether the row was kept")
def list_errors(name: ListName, ctx: Ctx = Depends(get_ctx),
                version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
                offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
                limit: Annotated[int, Query(ge=1, le=10_000)] = 1000) -> dict:
    from dadkhah.lists.service import get_list, list_errors

    with ctx.read() as s:
        vl = get_list(s, name, ctx.principal)
        rows = list_errors(s, vl, version)
        return {"list": vl.name, "version": version or vl.version, "total": len(rows), "offset": offset,
                "limit": limit, "errors": rows[offset:offset + limit]}


@router.get("/lists/{name:path}", summary="One victim list (a name may hold a slash)")
def one_list(name: ListName, ctx: Ctx = Depends(get_ctx)) -> dict:
    from dadkhah.lists.service import get_list, list_summary

    with ctx.read() as s:
        return list_summary(s, get_list(s, name, ctx.principal))


@router.post("/lists", status_code=201, summary="Import (or re-import) a list file (multipart: file, name, "
                                                "optional mapping YAML; needs the edit right)")
def import_list(ctx: Ctx = Depends(get_ctx), file: UploadFile = File(...),
                name: Annotated[str, Form(max_length=200)] = "",
                mapping: Annotated[str, Form(max_length=MAPPING_BYTES,
                                             description="The mapping file's YAML text (canonical field: the "
                                                         "list's header; name_order, calendar, sensitivity …)")] = "",
                strict: Annotated[bool, Form()] = False) -> dict:
    from dadkhah.lists.importer import check_list_name
    from dadkhah.lists.importer import import_list as run_import
    from dadkhah.lists.mapping import mapping_from_yaml

    ctx.require("edit")
    check_list_name(name.strip())
    original = check_list_file(file.filename or "")
    _, target = stage(ctx.case, file.file, original, max_bytes=ctx.request.app.state.settings.max_upload_mb << 20)
    try:
        chosen = mapping_from_yaml(mapping.replace("\x00", "")) if mapping.strip() else None
        report = run_import(ctx.case, target, name.strip(), mapping=chosen, actor=ctx.principal.name, strict=strict)
    except InputError as exc:  # named by the caller's file name, not the server's staging path
        raise InputError(exc.message, file=original if exc.file == str(target) else exc.file, line=exc.line,
                         field=exc.field) from None
    finally:
        shutil.rmtree(target.parent, ignore_errors=True)
    out = report.to_dict() | {"file": original, "errors_total": len(report.errors)}
    out["errors"] = report.errors[:IMPORT_ERRORS]  # the rest: GET /api/lists/{name}/errors, paged
    return out


# --- linkage --------------------------------------------------------------------------------------------

def _need_linkage() -> None:
    if not linkview.review_available():
        raise NotFound("record linkage is not available in this installation")


@router.get("/link", tags=["linkage"], summary="The latest linkage run over the records you may see: records, "
                                               "clusters and their sizes, decisions (needs the review right)")
def link_status(ctx: Ctx = Depends(get_ctx)) -> dict:
    from dadkhah.linkage.service import summary

    _need_linkage()
    ctx.require("review")
    with ctx.read() as s:
        return summary(s, ctx.principal)


@router.get("/link/export", tags=["linkage"], summary="Every record you may see with its cluster: list, row "
                                                      "(1-based data row of the file), cluster (needs the export "
                                                      "right)")
def link_export(ctx: Ctx = Depends(get_ctx), format: Literal["csv", "json"] = "csv"):
    from dadkhah.linkage.service import export_csv, export_rows, require_run

    _need_linkage()
    ctx.require("export")
    with ctx.read() as s:
        require_run(s)
        rows = export_rows(s, ctx.principal)
    if format == "json":
        return {"rows": [{"list": a, "row": b, "cluster": c} for a, b, c in rows]}
    return Response(export_csv(rows), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="clusters.csv"', "Cache-Control": "no-store"})


@router.get("/link/clusters/{key}", tags=["linkage"], summary="Why a cluster holds what it holds: its records, the "
                                                              "scored links, near misses, decisions (review right)")
def link_cluster(key: Annotated[str, PathParam(max_length=80)], ctx: Ctx = Depends(get_ctx)) -> dict:
    from dadkhah.linkage.service import explain_cluster

    _need_linkage()
    ctx.require("review")
    with ctx.read() as s:
        return explain_cluster(s, key, ctx.principal)
