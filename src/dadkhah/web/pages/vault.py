"""Evidence items and testimony (the vault): lists, one item with its custody log, upload with progress,
testimony entry (Persian or English) with suggested mentions, and unmasking a protected witness."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import RedirectResponse

from dadkhah.access import allowed_sensitivities
from dadkhah.errors import InputError, NotFound
from dadkhah.web import vaultview
from dadkhah.web.context import Ctx, get_ctx
from dadkhah.web.pages.entities import _options
from dadkhah.web.pages.forms import form_data, text
from dadkhah.web.render import page

router = APIRouter()
PAGE_SIZE = 50
CONSENT_SCOPES = ("unspecified", "internal", "prosecution", "publication")


@router.get("/evidence")
def evidence_list(ctx: Ctx = Depends(get_ctx), offset: int = 0):
    if not vaultview.evidence_available():
        return page(ctx, "evidence_list.html", available=False, items=[], total=0, offset=0, limit=PAGE_SIZE)
    offset = max(offset, 0)
    with ctx.read() as s:
        items, total = vaultview.list_items(s, ctx.principal, offset=offset, limit=PAGE_SIZE)
    return page(ctx, "evidence_list.html", available=True, items=items, total=total, offset=offset, limit=PAGE_SIZE,
                can_upload=ctx.may("upload") and vaultview.upload_available())


@router.get("/evidence/upload")
def evidence_upload_form(ctx: Ctx = Depends(get_ctx)):
    ctx.require("upload")
    if not vaultview.upload_available():
        return page(ctx, "evidence_list.html", available=False, items=[], total=0, offset=0, limit=PAGE_SIZE)
    with ctx.read() as s:
        sources = _options(ctx, s, "source")
        targets = [(i, lbl) for kind in ("person", "event", "place", "organization")
                   for i, lbl in _options(ctx, s, kind)]
    max_mb = ctx.request.app.state.settings.max_upload_mb
    return page(ctx, "evidence_upload.html", sources=sources, targets=targets, max_mb=max_mb)


@router.get("/evidence/capture")
def capture_form(ctx: Ctx = Depends(get_ctx)):
    ctx.require("upload")
    return page(ctx, "capture_form.html", values={}, report=None, error=None)


@router.post("/evidence/capture")
def capture_submit(ctx: Ctx = Depends(get_ctx), data: dict = Depends(form_data)):
    from dadkhah.capture.views import capture_from_form

    ctx.require("upload")
    values = {"urls": text(data, "urls") or "", "sensitivity": text(data, "sensitivity") or "restricted"}
    try:
        report = capture_from_form(ctx.case, ctx.principal, values["urls"], values["sensitivity"])
    except InputError as exc:
        return page(ctx, "capture_form.html", values=values, report=None, error=exc.message, status_code=422)
    return page(ctx, "capture_form.html", values=values, report=report, error=None)


@router.get("/evidence/{item_id}")
def evidence_page(item_id: str, ctx: Ctx = Depends(get_ctx)):
    from dadkhah.capture.views import item_panels

    if not vaultview.evidence_available():
        raise NotFound("the evidence vault is not available")
    from dadkhah.web import annotations

    with ctx.read() as s:
        item = vaultview.item_view(s, item_id, ctx.principal)
        notes = annotations.for_reader(s, item["id"], ctx.principal)
        redacted = any(a["hidden"] for a in notes)
        try:  # a redaction above the reader's level hides the text read from the document too
            text_ = "" if redacted else vaultview.item_text(s, item_id, ctx.principal)
        except Exception:  # noqa: BLE001 - a missing derived text only hides the text panel
            text_ = ""
        extra = item_panels(s, item["id"], ctx.principal)  # similar items, provenance, capture
    return page(ctx, "evidence.html", item=item, text=text_[:20000], text_truncated=len(text_) > 20000, **extra,
                annotations=notes, redacted=redacted, is_image=annotations.is_image(item.get("media_type")),
                levels=[lv for lv in annotations.LEVELS if lv in allowed_sensitivities(ctx.principal)])


@router.get("/evidence/{item_id}/view")
def evidence_image(item_id: str, ctx: Ctx = Depends(get_ctx)):
    """The image as this reader may see it: regions redacted above their level are painted over."""
    from fastapi.responses import Response

    from dadkhah.web import annotations

    with ctx.read() as s:
        data, media_type = annotations.render_for(s, item_id, ctx.principal)
    return Response(data, media_type=media_type, headers={"Cache-Control": "no-store"})


@router.post("/evidence/{item_id}/annotations")
def evidence_annotate(item_id: str, ctx: Ctx = Depends(get_ctx), data: dict = Depends(form_data)):
    from dadkhah.web import annotations
    from dadkhah.web.pages.forms import number

    errors: dict = {}
    region = {k: number(data, k, errors) for k in ("x", "y", "w", "h")}
    with ctx.write() as s:
        annotations.add(s, ctx.principal, item_id, **region, note=text(data, "note", "") or "",
                        redact=text(data, "redact") == "1", sensitivity=text(data, "sensitivity", "restricted"))
    return RedirectResponse(f"/evidence/{item_id}#annotations", status_code=303)


# --- testimony ------------------------------------------------------------------------------------------

@router.get("/testimony")
def testimony_list(ctx: Ctx = Depends(get_ctx)):
    if not vaultview.testimony_available():
        return page(ctx, "testimony_list.html", available=False, items=[])
    with ctx.read() as s:
        items = vaultview.list_testimony(s, ctx.principal)
    return page(ctx, "testimony_list.html", available=True, items=items)


def _testimony_form(ctx: Ctx, values: dict, errors: dict | None = None, status: int = 200):
    with ctx.read() as s:
        persons = _options(ctx, s, "person")
        places = _options(ctx, s, "place")
    return page(ctx, "testimony_form.html", status_code=status, values=values, errors=errors or {},
                persons=persons, places=places, scopes=CONSENT_SCOPES)


@router.get("/testimony/new")
def testimony_new(ctx: Ctx = Depends(get_ctx), witness: str = ""):
    ctx.require("edit")
    if not vaultview.testimony_available():
        raise NotFound("testimony is not available in this installation")
    return _testimony_form(ctx, {"witness_id": witness, "language": "fa" if ctx.lang == "fa" else "",
                                 "consent_scope": "unspecified", "sensitivity": "restricted"})


@router.post("/testimony/new")
def testimony_create(ctx: Ctx = Depends(get_ctx), data: dict = Depends(form_data)):
    ctx.require("edit")
    fields = ("witness_id", "witness_name", "transcript", "interviewer", "date", "place_id", "language",
              "consent_scope", "sensitivity", "notes")
    values = {f: text(data, f) for f in fields}
    try:
        with ctx.write() as s:
            testimony_id = vaultview.add_testimony(
                s, witness_id=values["witness_id"], witness_name=values["witness_name"],
                transcript=values["transcript"] or "", interviewer=values["interviewer"], date=values["date"],
                place_id=values["place_id"], language=values["language"],
                consent_scope=values["consent_scope"] or "unspecified", sensitivity=values["sensitivity"],
                notes=values["notes"])
    except InputError as exc:
        return _testimony_form(ctx, values, {(exc.field or "_form").split(".")[0]: exc.message}, 422)
    # the writer is told when the text names a protected witness (readers below see the pseudonym)
    return RedirectResponse(f"/testimony/{testimony_id}" + ("?screened=1" if ctx.warnings else ""),
                            status_code=303)


@router.get("/testimony/{testimony_id}")
def testimony_page(testimony_id: str, ctx: Ctx = Depends(get_ctx)):
    if not vaultview.testimony_available():
        raise NotFound("testimony is not available in this installation")
    with ctx.read() as s:
        t = vaultview.testimony_view(s, testimony_id, ctx.principal)
    return page(ctx, "testimony.html", tm=t, screened=ctx.request.query_params.get("screened") == "1")


@router.post("/testimony/{testimony_id}/mentions/{mention_id}")
def testimony_mention(testimony_id: str, mention_id: int, ctx: Ctx = Depends(get_ctx),
                      data: dict = Depends(form_data)):
    status = text(data, "status", "") or ""
    with ctx.write() as s:
        vaultview.decide_mention(s, testimony_id, mention_id, status, ctx.principal)
    return RedirectResponse(f"/testimony/{testimony_id}#mentions", status_code=303)


# --- protected witnesses --------------------------------------------------------------------------------

WITNESS_FIELDS = ("names", "pseudonym", "passphrase", "sensitivity", "birth", "father_name", "address", "contact",
                  "notes")


def _witness_form(ctx: Ctx, values: dict, errors: dict | None = None, status_code: int = 200):
    return page(ctx, "witness_form.html", status_code=status_code, values=values, errors=errors or {})


@router.get("/witnesses/new")
def witness_new(ctx: Ctx = Depends(get_ctx)):
    """Register a protected witness (the identity sealed; a pseudonym everywhere else)."""
    ctx.require("edit")
    if not vaultview.witness_available():
        raise NotFound("protected witnesses are not available in this installation")
    return _witness_form(ctx, {"sensitivity": "restricted"})


@router.post("/witnesses/new")
def witness_create(ctx: Ctx = Depends(get_ctx), data: dict = Depends(form_data)):
    ctx.require("edit")
    values = {f: text(data, f) for f in WITNESS_FIELDS}
    values["passphrase"] = None if not values["passphrase"] else values["passphrase"]
    try:
        with ctx.write() as s:
            person_id = vaultview.register_witness(
                s, names=(values["names"] or "").splitlines(), pseudonym=values["pseudonym"],
                passphrase=values["passphrase"], sensitivity=values["sensitivity"] or "restricted",
                birth=values["birth"], father_name=values["father_name"], address=values["address"],
                contact=values["contact"], notes=values["notes"])
    except InputError as exc:
        values["passphrase"] = ""  # never sent back
        return _witness_form(ctx, values, {(exc.field or "_form").split(".")[0]: exc.message}, 422)
    return RedirectResponse(f"/persons/{person_id}", status_code=303)

@router.post("/persons/{person_id}/unmask")
def unmask_witness(person_id: str, ctx: Ctx = Depends(get_ctx), data: dict = Depends(form_data)):
    """Show a protected witness's identity, once, to a user allowed to unmask (the vault audits it)."""
    ctx.require("unmask_witness")
    error = identity = None
    try:
        with ctx.write("unmask_witness") as s:
            identity = vaultview.unmask(s, person_id, ctx.principal, passphrase=text(data, "passphrase"),
                                        purpose=text(data, "purpose"))
    except InputError as exc:
        error = exc.message
    return page(ctx, "unmask.html", status_code=422 if error else 200, person_id=person_id, identity=identity,
                error=error)
