"""What kind of file is this? Decided from its first bytes (magic numbers), the name only as a hint."""

from __future__ import annotations

import mimetypes
import zipfile
from pathlib import Path

SNIFF_BYTES = 4096

_MAGIC: list[tuple[bytes, int, str]] = [
    (b"%PDF-", 0, "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"II*\x00", 0, "image/tiff"),
    (b"MM\x00*", 0, "image/tiff"),
    (b"BM", 0, "image/bmp"),
    (b"RIFF", 0, "riff"),
    (b"OggS", 0, "audio/ogg"),
    (b"ID3", 0, "audio/mpeg"),
    (b"fLaC", 0, "audio/flac"),
    (b"\x1aE\xdf\xa3", 0, "video/webm"),
    (b"ftyp", 4, "video/mp4"),
    (b"PK\x03\x04", 0, "application/zip"),
    (b"PK\x05\x06", 0, "application/zip"),
    (b"\x1f\x8b", 0, "application/gzip"),
    (b"7z\xbc\xaf\x27\x1c", 0, "application/x-7z-compressed"),
    (b"Rar!", 0, "application/vnd.rar"),
    (b"{\\rtf", 0, "application/rtf"),
    (b"\xd0\xcf\x11\xe0", 0, "application/x-ole-storage"),  # legacy .doc/.xls
]

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"

TEXT_TYPES = {"text/plain", "text/html", "text/csv", "text/markdown", "application/json", "application/xml"}


def sniff(path: str | Path, head: bytes | None = None) -> str:
    """The media type of ``path`` (e.g. ``application/pdf``, ``image/jpeg``, ``text/html``)."""
    path = Path(path)
    if head is None:
        with open(path, "rb") as f:
            head = f.read(SNIFF_BYTES)
    for magic, offset, mtype in _MAGIC:
        if head[offset:offset + len(magic)] == magic:
            if mtype == "riff":
                return {b"WAVE": "audio/wav", b"AVI ": "video/x-msvideo", b"WEBP": "image/webp"}.get(
                    head[8:12], "application/octet-stream")
            if mtype == "application/zip":
                return _zip_kind(path)
            if mtype == "video/mp4" and head[8:12] in (b"M4A ", b"M4B "):
                return "audio/mp4"
            if mtype == "video/mp4" and head[8:11] == b"qt ":
                return "video/quicktime"
            return mtype
    text = _as_text(head)
    if text is not None:
        low = text.lstrip("\ufeff \t\r\n").lower()
        if low.startswith(("<!doctype html", "<html")) or ("<html" in low[:1024] and "</" in low):
            return "text/html"
        if low.startswith("<?xml"):
            return "application/xml"
        guessed = mimetypes.guess_type(path.name)[0]
        if guessed in TEXT_TYPES:
            return guessed
        return "text/plain"
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def _as_text(head: bytes) -> str | None:
    if not head:
        return None
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace")
    if b"\x00" in head:
        return None
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the end of the sniffed bytes
            try:
                text = head.decode("cp1256")
            except UnicodeDecodeError:
                return None
        else:
            text = head[:exc.start].decode("utf-8")
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\t\r\n\f")
    return text if controls <= len(text) // 100 else None


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            if "mimetype" in names:
                mt = z.read("mimetype")[:100].decode("ascii", "replace").strip()
                if mt:
                    return mt
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError):
        return "application/zip"
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    if "ppt/presentation.xml" in names:
        return PPTX
    return "application/zip"


EXTENSIONS = {
    "application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif",
    "image/tiff": ".tif", "image/bmp": ".bmp", "image/webp": ".webp", "text/plain": ".txt", "text/html": ".html",
    DOCX: ".docx", XLSX: ".xlsx", PPTX: ".pptx", ODT: ".odt", "application/zip": ".zip", "audio/wav": ".wav",
    "audio/mpeg": ".mp3", "audio/ogg": ".ogg", "video/mp4": ".mp4", "audio/mp4": ".m4a",
    "video/quicktime": ".mov", "application/json": ".json", "application/xml": ".xml", "text/csv": ".csv",
}


def extension(media_type: str) -> str:
    return EXTENSIONS.get(media_type) or mimetypes.guess_extension(media_type or "") or ".bin"
