"""Annotating a document image and redacting a region for lower audiences: the redaction is painted over on
the server for every reader below its level (through dadkhah.access's ceilings), their note is withheld, the
original cannot be downloaded past it and the item's text is not shown."""

from __future__ import annotations

import io

from web_helpers import csrf_of

from dadkhah.access import SYSTEM

SECRET_PIXEL = (200, 30, 30)


def _png() -> bytes:
    from PIL import Image

    img = Image.new("RGB", (200, 100), (255, 255, 255))
    for x in range(120, 180):
        for y in range(20, 60):
            img.putpixel((x, y), SECRET_PIXEL)  # the "name" to be redacted
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def _pixel(data: bytes, xy) -> tuple:
    from PIL import Image

    return Image.open(io.BytesIO(data)).convert("RGB").getpixel(xy)


def test_a_region_redacted_above_a_readers_level_is_blacked_out_for_them_only(web):
    api = web.api("investigator")
    r = api.post("/api/evidence", files={"file": ("scan.png", _png(), "image/png")}, data={"sensitivity": "public"})
    assert r.status_code == 201, r.text
    item = r.json()["item_id"]
    inv = web.client("investigator")
    page = inv.get(f"/evidence/{item}?lang=fa").text
    assert 'id="annotate-form"' in page and f'src="/evidence/{item}/view"' in page
    saved = inv.post(f"/evidence/{item}/annotations", data={
        "csrf_token": csrf_of(inv, f"/evidence/{item}"), "x": "0.55", "y": "0.15", "w": "0.4", "h": "0.5",
        "note": "نام شاهد", "redact": "1", "sensitivity": "confidential"}, follow_redirects=False)
    assert saved.status_code == 303
    # the investigator (confidential) sees the image as it is, and the note
    assert _pixel(inv.get(f"/evidence/{item}/view").content, (150, 40)) == SECRET_PIXEL
    assert "نام شاهد" in inv.get(f"/evidence/{item}?lang=fa").text
    # a viewer (restricted), an analyst and an anonymous reader of the public item: painted over, no note
    for role in ("viewer", "analyst", None):
        c = web.client(role)
        shown = c.get(f"/evidence/{item}/view")
        assert shown.status_code == 200 and shown.headers["content-type"] == "image/png"
        assert _pixel(shown.content, (150, 40)) == (0, 0, 0), role
        assert _pixel(shown.content, (20, 80)) == (255, 255, 255)  # the rest is untouched
        html = c.get(f"/evidence/{item}?lang=fa").text
        assert "نام شاهد" not in html and 'id="redaction-notice"' in html
    # the analyst may export, but not past the redaction
    assert web.api("analyst").get(f"/api/evidence/{item}/original").status_code == 403
    assert web.api("investigator").get(f"/api/evidence/{item}/original").status_code == 200
    # the annotation is in the custody log
    custody = api.get(f"/api/evidence/{item}").json()["custody"]
    assert "annotate" in [e["action"] for e in custody]


def test_annotations_need_the_edit_right_and_a_region_inside_the_image(web):
    item = web.api("investigator").post("/api/evidence", files={"file": ("a.png", _png(), "image/png")},
                                        data={"sensitivity": "public"}).json()["item_id"]
    viewer = web.client("viewer")
    r = viewer.post(f"/evidence/{item}/annotations", data={"csrf_token": csrf_of(viewer, f"/evidence/{item}"),
                                                           "x": "0.1", "y": "0.1", "w": "0.2", "h": "0.2",
                                                           "note": "x"}, follow_redirects=False)
    assert r.status_code == 403
    inv = web.client("investigator")
    bad = inv.post(f"/evidence/{item}/annotations", data={"csrf_token": csrf_of(inv, f"/evidence/{item}"),
                                                           "x": "0.9", "y": "0.1", "w": "0.5", "h": "0.2",
                                                           "note": "outside"}, follow_redirects=False)
    assert bad.status_code in (400, 422)
    from sqlalchemy import func, select

    from dadkhah.web.tables import Annotation

    with web.case.reader(SYSTEM) as s:
        assert s.scalar(select(func.count()).select_from(Annotation)) == 0
