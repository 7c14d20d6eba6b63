"""The victim lists (``/lists``: each list the reader may see, its imports and the rows each import had
trouble with) and importing a list in the browser: upload the file, see the mapping dadkhah proposes from its headers
with a preview of the first rows, correct it, check it (how many rows would be refused, and why), confirm,
and read the report with every bad row. The work is done by :mod:`dadkhah.lists` (the same services as
``dadkhah lists import``); the uploaded file waits in the case folder's staging area until confirmed."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Depends
from fastapi.responses import RedirectResponse
from starlette.datastructures import UploadFile

from dadkhah.errors import InputError, NotFound
from dadkhah.web.context import Ctx, get_ctx
from dadkhah.web.pages.forms import form_data, text
from dadkhah.web.render import page
from dadkhah.web.staging import check_list_file, stage, staging_root

router = APIRouter()
PROBLEM_ROWS = 200  # problem rows of an import shown a page (an import may have tens of thousands)
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,60}$")


def _staged(ctx: Ctx, token: str) -> Path:
    if not TOKEN.match(token or ""):
        raise NotFound("no such upload")
    folder = staging_root(ctx.case) / token
    files = [p for p in folder.glob("*") if p.is_file()] if folder.is_dir() else []
    if not files:
        raise NotFound("no such upload")
    return files[0]


def _mapping_from_form(data: dict):
    from dadkhah.lists.mapping import FIELDS, Mapping

    raw = {f: text(data, f"col_{f}") for f in FIELDS if text(data, f"col_{f}")}
    for key in ("name_order", "sensitivity", "calendar"):
        if text(data, key):
            raw[key] = text(data, key)
    return Mapping.from_dict(raw)


def _mapping_page(ctx: Ctx, token: str, *, name: str, mapping=None, check=None, error: str | None = None,
                  code: int = 200):
    from dadkhah.lists.importer import parse_rows, read_and_map
    from dadkhah.lists.mapping import FIELDS

    path = _staged(ctx, token)
    table, proposed = read_and_map(path, None) if mapping is None else read_and_map(path, mapping)
    preview = [[r.values.get(h, "") for h in table.headers] for r in table.rows[:5]]
    if check:
        good, bad = parse_rows(table, proposed)
        check = {"good": len(good), "bad": bad[:50], "bad_total": len(bad)}
    return page(ctx, "list_import.html", status_code=code, step="map", token=token, name=name,
                file_name=path.name, headers=table.headers, rows=len(table.rows), preview=preview,
                fields=FIELDS, mapping=proposed.to_dict(), check=check, error=error)


@router.get("/lists")
def lists_page(ctx: Ctx = Depends(get_ctx), name: str = "", version: int = 0, offset: int = 0):
    """Every list the reader may see; with ``name``, one list: its imports and the problem rows of one
    import (the latest unless ``version``), :data:`PROBLEM_ROWS` a page. A list above the reader's level is
    "not found"."""
    from dadkhah.lists.service import get_list, list_errors, list_summary, lists

    with ctx.read() as s:
        if not name:
            return page(ctx, "lists.html", lists=[list_summary(s, vl) for vl in lists(s, ctx.principal)], one=None,
                        linkage=_linkage(ctx, s))
        vl = get_list(s, name[:200], ctx.principal)
        one = list_summary(s, vl)
        chosen = version if 0 < version <= vl.version else vl.version
        rows = list_errors(s, vl, chosen) if one["imports"] else []
    offset = min(max(offset, 0), max(len(rows) - 1, 0))
    return page(ctx, "lists.html", lists=None, one=one, version=chosen, rows=rows[offset:offset + PROBLEM_ROWS],
                total=len(rows), offset=offset, limit=PROBLEM_ROWS, linkage=None,
                base=f"/lists?{urlencode({'name': one['name'], 'version': chosen})}&")


def _linkage(ctx: Ctx, s) -> dict | None:
    """The latest linkage run over what the reader may see, for those who may review it."""
    from dadkhah.web import linkview

    if not (ctx.may("review") and linkview.review_available()):
        return None
    from dadkhah.linkage.service import summary

    data = summary(s, ctx.principal)
    return data if data.get("run") else None


@router.get("/lists/import")
def import_form(ctx: Ctx = Depends(get_ctx)):
    ctx.require("edit")
    return page(ctx, "list_import.html", step="upload", error=None)


@router.post("/lists/import")
def import_upload(ctx: Ctx = Depends(get_ctx), data: dict = Depends(form_data)):
    ctx.require("edit")
    upload = data.get("file")
    name = (text(data, "name") or "").strip()
    if not isinstance(upload, UploadFile) or not upload.filename:
        return page(ctx, "list_import.html", status_code=422, step="upload", error="file")
    try:
        check_list_file(upload.filename)
    except InputError:
        return page(ctx, "list_import.html", status_code=422, step="upload", error="format")
    try:
        from dadkhah.lists.importer import check_list_name

        check_list_name(name)
    except InputError:
        return page(ctx, "list_import.html", status_code=422, step="upload", error="name")
    try:
        token, staged = stage(ctx.case, upload.file, upload.filename,
                              max_bytes=ctx.request.app.state.settings.max_upload_mb << 20)
    except InputError:
        return page(ctx, "list_import.html", status_code=422, step="upload", error="too_large")
    folder = staged.parent
    try:
        return _mapping_page(ctx, token, name=name)
    except InputError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        return page(ctx, "list_import.html", status_code=422, step="upload", error="unreadable", detail=exc.describe())


@router.post("/lists/import/{token}")
def import_confirm(token: str, ctx: Ctx = Depends(get_ctx), data: dict = Depends(form_data)):
    """``action=check``: show the corrected mapping with the rows it would refuse; ``action=import``: import."""
    from dadkhah.lists.importer import import_list

    ctx.require("edit")
    path = _staged(ctx, token)
    name = (text(data, "name") or "").strip()
    try:
        mapping = _mapping_from_form(data)
    except InputError as exc:
        return _mapping_page(ctx, token, name=name, error=exc.field or "mapping", code=422)
    if text(data, "action") != "import":
        try:
            return _mapping_page(ctx, token, name=name, mapping=mapping, check=True)
        except InputError as exc:
            return _mapping_page(ctx, token, name=name, error=exc.field or "mapping", code=422)
    try:
        report = import_list(ctx.case, path, name, mapping=mapping, actor=ctx.principal.name)
    except InputError as exc:
        return _mapping_page(ctx, token, name=name, mapping=None, error=exc.field or "mapping", code=422)
    shutil.rmtree(path.parent, ignore_errors=True)
    return page(ctx, "list_import.html", step="done", report=report.to_dict(), name=name)


@router.get("/lists/import/{token}")
def import_back(token: str, ctx: Ctx = Depends(get_ctx)):
    ctx.require("edit")
    _staged(ctx, token)
    return RedirectResponse("/lists/import", status_code=303)
