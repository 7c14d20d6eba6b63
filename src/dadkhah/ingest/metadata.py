"""File metadata: EXIF (capture time, GPS, camera) of images, PDF document info, DOCX properties,
archive listings. Every reader reports problems as sentences instead of raising."""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dadkhah.ingest.detect import DOCX
from dadkhah.ingest.limits import DEFAULT_LIMITS, Limits, human_size


@dataclass
class FileMetadata:
    meta: dict = field(default_factory=dict)
    captured_at: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    problems: list[str] = field(default_factory=list)


def read_metadata(path: str | Path, media_type: str, limits: Limits = DEFAULT_LIMITS) -> FileMetadata:
    path = Path(path)
    md = FileMetadata()
    try:
        if media_type.startswith("image/"):
            _image(path, md, limits)
        elif media_type == "application/pdf":
            _pdf(path, md)
        elif media_type == DOCX:
            check_zip(path, limits)
            _docx(path, md)
        elif media_type == "application/zip":
            md.meta["archive"] = check_zip(path, limits)
    except UnsafeArchive as exc:
        md.problems.append(str(exc))
    except Exception as exc:  # noqa: BLE001 - hostile files raise anything; report, never crash ingest
        md.problems.append(f"metadata could not be read ({_kind(media_type)}): {type(exc).__name__}: {exc}")
    return md


def _kind(media_type: str) -> str:
    return {"application/pdf": "malformed PDF", DOCX: "malformed DOCX"}.get(media_type, media_type)


# --- images ---------------------------------------------------------------------------------------

EXIF_IFD, GPS_IFD = 0x8769, 0x8825
TAGS = {0x010F: "make", 0x0110: "model", 0x0131: "software", 0x0132: "datetime", 0x013B: "artist",
        0x8298: "copyright", 0x010E: "description"}
EXIF_TAGS = {0x9003: "datetime_original", 0x9004: "datetime_digitized", 0x9011: "offset_time_original",
             0xA420: "image_unique_id", 0xA434: "lens_model"}


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8").rstrip("\x00")
        except UnicodeDecodeError:
            return value.hex()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, (int, str, bool)) or value is None:
        return value.rstrip("\x00") if isinstance(value, str) else value
    try:
        return float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return str(value)


def _dms(value, ref) -> float | None:
    try:
        d, m, s = (float(v) for v in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    deg = d + m / 60 + s / 3600
    ref = _plain(ref) or ""
    return -deg if str(ref).upper() in ("S", "W") else deg


def exif_time(text: str | None, offset: str | None = None) -> str | None:
    """EXIF ``2021:07:30 14:05:00`` → ISO ``2021-07-30T14:05:00`` (with its offset when recorded)."""
    if not text:
        return None
    try:
        t = dt.datetime.strptime(text.strip()[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    iso = t.isoformat()
    if offset and len(offset) == 6 and offset[0] in "+-":
        iso += offset
    return iso


def _image(path: Path, md: FileMetadata, limits: Limits) -> None:
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = limits.max_image_pixels // 2  # Pillow refuses at twice this
    try:
        with Image.open(path) as im:
            md.meta["image"] = {"format": im.format, "width": im.width, "height": im.height, "mode": im.mode}
            exif = im.getexif()
    except Image.DecompressionBombError as exc:
        md.problems.append(f"image too large to decode safely ({exc}); stored, not analysed")
        return
    if not exif:
        return
    out: dict[str, Any] = {name: _plain(exif[tag]) for tag, name in TAGS.items() if tag in exif}
    sub = exif.get_ifd(EXIF_IFD)
    out.update({name: _plain(sub[tag]) for tag, name in EXIF_TAGS.items() if tag in sub})
    gps = exif.get_ifd(GPS_IFD)
    if gps:
        lat = _dms(gps.get(2), gps.get(1)) if 2 in gps else None
        lon = _dms(gps.get(4), gps.get(3)) if 4 in gps else None
        g: dict[str, Any] = {"latitude": lat, "longitude": lon}
        if 6 in gps:
            alt = _plain(gps[6])
            g["altitude"] = -alt if _plain(gps.get(5)) in (1, b"\x01", "\x01") else alt
        if 29 in gps:
            g["date"] = _plain(gps[29])
        out["gps"] = g
        if lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180:
            md.latitude, md.longitude = round(lat, 7), round(lon, 7)
    md.meta["exif"] = out
    md.captured_at = exif_time(out.get("datetime_original") or out.get("datetime"),
                               out.get("offset_time_original"))


# --- PDF ------------------------------------------------------------------------------------------

def pdf_date(value: str | None) -> str | None:
    """PDF ``D:19880730120000+03'30'`` → ISO ``1988-07-30T12:00:00+03:30``."""
    if not value:
        return None
    v = str(value).strip()
    v = v[2:] if v.startswith("D:") else v
    digits = "".join(c for c in v[:14] if c.isdigit())
    if len(digits) < 4:
        return None
    fmt = "%Y%m%d%H%M%S"[: {4: 2, 6: 4, 8: 6, 10: 8, 12: 10, 14: 12}.get(len(digits), 2)]
    try:
        t = dt.datetime.strptime(digits, fmt)
    except ValueError:
        return None
    iso = t.isoformat() if len(digits) > 8 else t.date().isoformat()
    tz = v[14:].replace("'", "")
    if len(digits) > 8 and len(tz) >= 5 and tz[0] in "+-":
        iso += f"{tz[:3]}:{tz[3:5]}"
    elif len(digits) > 8 and tz.startswith("Z"):
        iso += "+00:00"
    return iso


def _pdf(path: Path, md: FileMetadata) -> None:
    import pypdf

    reader = pypdf.PdfReader(path, strict=False)
    info: dict[str, Any] = {"encrypted": reader.is_encrypted}
    if reader.is_encrypted:
        try:
            reader.decrypt("")
        except Exception:  # noqa: BLE001
            md.problems.append("encrypted PDF: its document info and text cannot be read without the password")
            md.meta["pdf"] = info
            return
    info["pages"] = len(reader.pages)
    meta = reader.metadata or {}
    for key, name in (("/Title", "title"), ("/Author", "author"), ("/Subject", "subject"), ("/Creator", "creator"),
                      ("/Producer", "producer"), ("/Keywords", "keywords")):
        if meta.get(key):
            info[name] = str(meta[key])[:1000]
    for key, name in (("/CreationDate", "created"), ("/ModDate", "modified")):
        if meta.get(key):
            info[name] = pdf_date(str(meta[key])) or str(meta[key])[:100]
    md.meta["pdf"] = info


# --- DOCX and archives ----------------------------------------------------------------------------

def _docx(path: Path, md: FileMetadata) -> None:
    import docx

    props = docx.Document(str(path)).core_properties
    out = {}
    for name in ("title", "author", "subject", "keywords", "last_modified_by", "created", "modified", "language"):
        value = getattr(props, name, None)
        if value:
            out[name] = value.isoformat() if isinstance(value, dt.datetime) else str(value)[:1000]
    md.meta["docx"] = out


class UnsafeArchive(ValueError):
    """An archive that would expand dangerously (a zip bomb) or that cannot be read."""


def check_zip(path: Path, limits: Limits = DEFAULT_LIMITS) -> dict:
    """List a zip's members from its central directory; refuse a likely zip bomb before anything expands it."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnsafeArchive(f"damaged zip archive: {exc}") from None
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    listing = {"members": len(infos), "uncompressed": total, "compressed": packed,
               "names": [i.filename for i in infos[:200]]}
    if len(infos) > limits.max_zip_members:
        raise UnsafeArchive(f"zip bomb suspected: {len(infos)} members (limit {limits.max_zip_members}); "
                            "stored as an original, not expanded")
    if total > limits.max_zip_uncompressed:
        raise UnsafeArchive(f"zip bomb suspected: expands to {human_size(total)} (limit "
                            f"{human_size(limits.max_zip_uncompressed)}); stored as an original, not expanded")
    if total > 10 * (1 << 20) and total / packed > limits.max_zip_ratio:
        raise UnsafeArchive(f"zip bomb suspected: compression ratio {total / packed:.0f}:1 (limit "
                            f"{limits.max_zip_ratio}:1); stored as an original, not expanded")
    return listing
