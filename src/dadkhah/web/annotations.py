"""Annotations on a document image: a region, a note, and optionally a redaction.

A redacted region carries a sensitivity: readers whose ceiling reaches it (``dadkhah.access``) see the image
as it is with the note; everyone else gets the image with the region painted over, never sees the note,
cannot download the original, and is not shown the item's extracted text (it would read the region out).
The painting is done here, on the server, for every image a reader below the level asks for.
"""

from __future__ import annotations

import io

from sqlalchemy import select
from sqlalchemy.orm import Session

from dadkhah.access import LEVELS, Forbidden, Principal, allowed_sensitivities
from dadkhah.errors import InputError
from dadkhah.web.tables import Annotation

IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/tiff", "image/bmp")


def is_image(media_type: str | None) -> bool:
    return (media_type or "").lower() in IMAGE_TYPES


def _all(s: Session, item_id: str) -> list[Annotation]:
    return list(s.scalars(select(Annotation).where(Annotation.item_id == item_id).order_by(Annotation.id)))


def hidden_regions(s: Session, item_id: str, principal: Principal) -> list[Annotation]:
    """The redacted regions this principal may not see beneath."""
    allowed = set(allowed_sensitivities(principal))
    return [a for a in _all(s, item_id) if a.redact and a.sensitivity not in allowed]


def for_reader(s: Session, item_id: str, principal: Principal) -> list[dict]:
    """The annotations as this reader may see them: notes above their level are left out, and a region
    redacted above their level is only a black box."""
    allowed = set(allowed_sensitivities(principal))
    out = []
    for a in _all(s, item_id):
        visible = a.sensitivity in allowed
        if not visible and not a.redact:
            continue  # a note above the reader's level
        out.append({"id": a.id, "x": a.x, "y": a.y, "w": a.w, "h": a.h, "redact": a.redact,
                    "sensitivity": a.sensitivity, "note": a.note if visible else None,
                    "author": a.author if visible else None, "created_at": a.created_at, "hidden": not visible})
    return out


def add(s: Session, principal: Principal, item_id: str, *, x: float, y: float, w: float, h: float, note: str,
        redact: bool, sensitivity: str) -> Annotation:
    from dadkhah.vault.evidence import get_item

    if not principal.may("edit"):
        raise Forbidden(f"{principal.name} ({principal.role}) may not annotate")
    item = get_item(s, item_id, principal)
    if not is_image(item.media_type):
        raise InputError("only images can be annotated with regions", field="item")
    for name, v in (("x", x), ("y", y), ("w", w), ("h", h)):
        if v is None or not 0 <= v <= 1:
            raise InputError("a region is given as fractions of the image, between 0 and 1", field=name)
    if w <= 0.002 or h <= 0.002 or x + w > 1.0001 or y + h > 1.0001:
        raise InputError("draw a region inside the image", field="w")
    if sensitivity not in LEVELS or sensitivity not in allowed_sensitivities(principal):
        raise InputError(f"choose a level you may read ({', '.join(allowed_sensitivities(principal))})",
                         field="sensitivity")
    if redact and sensitivity == "public":
        raise InputError("a redacted region must be above public (who may see beneath it?)", field="sensitivity")
    if not (note or "").strip() and not redact:
        raise InputError("write a note, or redact the region", field="note")
    a = Annotation(item_id=item.id, x=x, y=y, w=w, h=h, note=(note or "").strip()[:2000], redact=bool(redact),
                   sensitivity=sensitivity, author=principal.name)
    s.add(a)
    s.flush()
    from dadkhah.vault import custody

    custody.record(s, item.id, "annotate", {"annotation": a.id, "redact": a.redact, "by": principal.name})
    return a


def render_for(s: Session, item_id: str, principal: Principal) -> tuple[bytes, str]:
    """The image as this reader may see it (PNG when something is painted over, else as stored): ``(bytes,
    media type)``. Reading the item goes through the vault's access check."""
    from PIL import Image, ImageDraw

    from dadkhah.vault.evidence import get_item

    item = get_item(s, item_id, principal)
    if not is_image(item.media_type):
        raise InputError("this item is not an image", field="item")
    with s.info["case"].blobs.open(item.sha256) as f:
        data = f.read()
    hidden = hidden_regions(s, item.id, principal)
    if not hidden:
        return data, item.media_type
    img = Image.open(io.BytesIO(data))
    img.load()
    img = img.convert("RGB")
    draw = ImageDraw.Draw(img)
    W, H = img.size
    for a in hidden:
        draw.rectangle([int(a.x * W) - 1, int(a.y * H) - 1, int((a.x + a.w) * W) + 1, int((a.y + a.h) * H) + 1],
                       fill=(0, 0, 0))
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue(), "image/png"
