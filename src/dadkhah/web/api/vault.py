"""Evidence items (list, read, download the original, upload), testimony, and unmasking a protected
witness (only for roles allowed to, and audited by the vault)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Path, Query, UploadFile
from fastapi.responses import StreamingResponse

from dadkhah.errors import NotFound
from dadkhah.web import vaultview
from dadkhah.web.api.schemas import Id, Strict, Text
from dadkhah.web.context import Ctx, get_ctx

router = APIRouter(tags=["evidence and testimony"])
ItemId = Annotated[str, Path(max_length=200)]
Sens = Literal["public", "restricted", "confidential"]


def _need(ok: bool, what: str) -> None:
    if not ok:
        raise NotFound(f"{what} is not available in this installation")


@router.get("/evidence", summary="Evidence items you may see")
def list_evidence(ctx: Ctx = Depends(get_ctx), offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
                  limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict:
    _need(vaultview.evidence_available(), "the evidence vault")
    with ctx.read() as s:
        items, total = vaultview.list_items(s, ctx.principal, offset=offset, limit=limit)
    return {"total": total, "offset": offset, "limit": limit, "items": items}


@router.get("/evidence/{item_id}", summary="One evidence item: metadata, links, custody log")
def get_evidence(item_id: ItemId, ctx: Ctx = Depends(get_ctx)) -> dict:
    _need(vaultview.evidence_available(), "the evidence vault")
    with ctx.read() as s:
        return vaultview.item_view(s, item_id, ctx.principal)


@router.get("/evidence/{item_id}/original", summary="Download the original (needs the export right; recorded "
            "in the item's custody log)", response_class=StreamingResponse)
def download_original(item_id: ItemId, ctx: Ctx = Depends(get_ctx)):
    _need(vaultview.evidence_available(), "the evidence vault")
    ctx.require("export")
    from dadkhah.access import Forbidden
    from dadkhah.web import annotations

    with ctx.write("export") as s:
        from dadkhah.vault.evidence import get_item

        if annotations.hidden_regions(s, get_item(s, item_id, ctx.principal).id, ctx.principal):
            raise Forbidden("parts of this original are redacted above your level; read the redacted image at "
                            f"/evidence/{item_id}/view")
        item, stream = vaultview.open_original(s, item_id, ctx.principal)
        filename, media_type = vaultview.safe_filename(item.filename), item.media_type

    def chunks():
        with stream:
            while chunk := stream.read(1 << 16):
                yield chunk

    return StreamingResponse(chunks(), media_type=media_type or "application/octet-stream",
                             headers={"Content-Disposition": f'attachment; filename="{filename}"',
                                      "Cache-Control": "no-store"})


@router.post("/evidence", status_code=201, summary="Upload one file as an evidence item (multipart)")
def upload_evidence(ctx: Ctx = Depends(get_ctx), file: UploadFile = File(...),
                    sensitivity: Annotated[Sens, Form()] = "restricted",
                    source_id: Annotated[str, Form(max_length=80)] = "",
                    link: Annotated[str, Form(max_length=80)] = "",
                    supplied_by: Annotated[str, Form(max_length=500)] = "",
                    note: Annotated[str, Form(max_length=5000)] = "") -> dict:
    _need(vaultview.upload_available(), "evidence upload")
    ctx.require("upload")
    max_bytes = ctx.request.app.state.settings.max_upload_mb * (1 << 20)
    clean = [v.replace("\x00", "") for v in (source_id, link, supplied_by, note)]
    return vaultview.ingest_upload(ctx.case, file.file, file.filename or "upload.bin", actor=ctx.principal.name,
                                   sensitivity=sensitivity, source_id=clean[0] or None,
                                   link_entities=[clean[1]] if clean[1] else [], supplied_by=clean[2] or None,
                                   note=clean[3] or None, max_bytes=max_bytes)


@router.get("/testimony", summary="Testimony you may see")
def list_testimony(ctx: Ctx = Depends(get_ctx)) -> dict:
    _need(vaultview.testimony_available(), "testimony")
    with ctx.read() as s:
        items = vaultview.list_testimony(s, ctx.principal)
    return {"total": len(items), "items": items}


@router.get("/testimony/{testimony_id}", summary="One testimony with its transcript and confirmed mentions")
def get_testimony(testimony_id: ItemId, ctx: Ctx = Depends(get_ctx)) -> dict:
    _need(vaultview.testimony_available(), "testimony")
    with ctx.read() as s:
        return vaultview.testimony_view(s, testimony_id, ctx.principal)


class TestimonyIn(Strict):
    witness_id: Id | None = None
    witness_name: Text(500) | None = None
    transcript: Text(500_000) = ""
    interviewer: Text(500) | None = None
    date: Text(200) | None = None
    place_id: Id | None = None
    language: Text(10) | None = None
    consent_scope: Literal["unspecified", "internal", "prosecution", "publication"] = "unspecified"
    sensitivity: Sens | None = None
    notes: Text(20000) | None = None


@router.post("/testimony", status_code=201, summary="Record a testimony (the witness by id, or a new person "
             "by name); mentions of known records are suggested")
def create_testimony(body: TestimonyIn, ctx: Ctx = Depends(get_ctx)) -> dict:
    _need(vaultview.testimony_available(), "testimony")
    with ctx.write() as s:
        testimony_id = vaultview.add_testimony(s, **body.model_dump())
    warnings = list(ctx.warnings)  # a text naming a protected witness: readers below see the pseudonym
    with ctx.read() as s:
        return {**vaultview.testimony_view(s, testimony_id, ctx.principal), "warnings": warnings}


class WitnessIn(Strict):
    names: list[Text(500)]
    pseudonym: Text(40) | None = None
    passphrase: Text(1000) | None = None
    sensitivity: Sens = "restricted"
    birth: Text(200) | None = None
    father_name: Text(500) | None = None
    address: Text(2000) | None = None
    contact: Text(2000) | None = None
    notes: Text(20000) | None = None


@router.post("/witnesses", status_code=201, summary="Register a protected witness: the identity sealed with "
             "the witness key, a pseudonym everywhere else (editors only)")
def register_witness(body: WitnessIn, ctx: Ctx = Depends(get_ctx)) -> dict:
    _need(vaultview.witness_available(), "protected witnesses")
    with ctx.write() as s:
        person_id = vaultview.register_witness(s, **body.model_dump())
    with ctx.read() as s:
        view = vaultview.protection(s, person_id, ctx.principal)
    return {"id": person_id, "pseudonym": view["pseudonym"], "warnings": list(ctx.warnings)}


class UnmaskIn(Strict):
    passphrase: Text(1000) | None = None
    purpose: Text(1000)  # required: why the identity is needed (kept in the audit chain)


@router.post("/witnesses/{person_id}/unmask", summary="The identity of a protected witness (admins and "
             "investigators only; every opening is in the audit log)")
def unmask(person_id: ItemId, body: UnmaskIn, ctx: Ctx = Depends(get_ctx)) -> dict:
    _need(vaultview.witness_available(), "protected witnesses")
    with ctx.write("unmask_witness") as s:
        identity = vaultview.unmask(s, person_id, ctx.principal, passphrase=body.passphrase, purpose=body.purpose)
    return {"id": person_id, "identity": identity}
