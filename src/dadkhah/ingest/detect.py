"""What kind of file is this? Decided from its first bytes (magic numbers), the name only as a hint.

The table below answers the common cases at once; libmagic (through ``python-magic``, Debian
``libmagic1``) is asked where the table cannot tell: the ISO base-media family (``ftyp`` boxes: MP4,
QuickTime, HEIC/HEIF and AVIF photos, 3GP), OLE compound files (Outlook MSG, legacy Word/Excel/
PowerPoint), e-mail (EML) and anything the table does not know. Without libmagic, the ``ftyp`` brand
and the OLE directory are read directly, so a HEIC photo is still ``image/heic``.
"""

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
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"
MSG = "application/vnd.ms-outlook"
EML = "message/rfc822"
RTF = "application/rtf"

# ISO base media file format brands (the ``ftyp`` box), as registered with the MP4 registration authority.
FTYP_BRANDS = {
    b"heic": "image/heic", b"heix": "image/heic", b"heim": "image/heic", b"heis": "image/heic",
    b"hevc": "image/heic-sequence", b"hevx": "image/heic-sequence",
    b"mif1": "image/heif", b"msf1": "image/heif-sequence", b"avif": "image/avif", b"avis": "image/avif",
    b"qt  ": "video/quicktime", b"M4A ": "audio/mp4", b"M4B ": "audio/mp4", b"3gp4": "video/3gpp",
    b"3gp5": "video/3gpp", b"3gp6": "video/3gpp", b"3g2a": "video/3gpp2", b"crx ": "image/x-canon-cr3",
}

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
            if mtype == "video/mp4":
                return _ftyp_kind(head, path)
            if mtype == "application/x-ole-storage":
                return _libmagic(path, head) or _ole_kind(path)
            return mtype
    text = _as_text(head)
    if text is not None:
        low = text.lstrip("\ufeff \t\r\n").lower()
        if low.startswith(("<!doctype html", "<html")) or ("<html" in low[:1024] and "</" in low):
            return "text/html"
        if low.startswith("<?xml"):
            return "application/xml"
        if _looks_like_email(text):
            return EML
        guessed = mimetypes.guess_type(path.name)[0]
        if guessed in TEXT_TYPES:
            return guessed
        return "text/plain"
    found = _libmagic(path, head)
    if found:
        return found
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def _ftyp_kind(head: bytes, path: Path) -> str:
    """The kind of an ISO base-media file from its major brand, then its compatible brands."""
    size = int.from_bytes(head[0:4], "big")
    major = head[8:12]
    if major in FTYP_BRANDS:
        return FTYP_BRANDS[major]
    compatible = [head[i:i + 4] for i in range(16, min(size, len(head)), 4)]
    for brand in (b"heic", b"heix", b"avif", b"mif1"):
        if brand in compatible and major not in (b"isom", b"mp41", b"mp42", b"avc1", b"iso2", b"dash"):
            return FTYP_BRANDS[brand]
    return "video/mp4"


def _libmagic(path: Path, head: bytes) -> str | None:
    """libmagic's answer, or None when it is not installed or says nothing more specific."""
    try:
        import magic
    except ImportError:
        return None
    try:
        found = magic.from_file(str(path), mime=True)
    except (OSError, magic.MagicException):
        try:
            found = magic.from_buffer(head, mime=True)
        except magic.MagicException:
            return None
    if not found or found in ("application/octet-stream", "inode/x-empty", "application/x-empty"):
        return None
    return {"application/CDFV2": None, "application/x-ole-storage": None}.get(found, found)


def _ole_kind(path: Path) -> str:
    """An OLE compound file told apart by its streams (Outlook message, Word, Excel, PowerPoint)."""
    try:
        import olefile

        with olefile.OleFileIO(str(path)) as ole:
            names = {"/".join(e) for e in ole.listdir()}
    except Exception:  # noqa: BLE001 - a broken compound file stays generic
        return "application/x-ole-storage"
    if any(n.startswith("__substg1.0_") for n in names):
        return MSG
    if "WordDocument" in names:
        return "application/msword"
    if "Workbook" in names or "Book" in names:
        return "application/vnd.ms-excel"
    if "PowerPoint Document" in names:
        return "application/vnd.ms-powerpoint"
    return "application/x-ole-storage"


_MAIL_HEADERS = ("from:", "to:", "subject:", "date:", "message-id:", "received:", "mime-version:",
                 "return-path:", "delivered-to:", "x-", "content-type:", "cc:", "reply-to:")


def _looks_like_email(text: str) -> bool:
    """RFC 5322 headers at the top: at least From (or Received) and two more header lines, before a blank line."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").split("\n")
    found: set[str] = set()
    for line in lines[:60]:
        if not line.strip():
            break
        if line[:1] in " \t":
            continue  # a folded header line
        low = line.lower()
        name = next((h for h in _MAIL_HEADERS if low.startswith(h)), None)
        if name is None:
            return False
        found.add(name)
    return ("from:" in found or "received:" in found) and len(found) >= 3


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
    if "datapackage.json" in names and any(n.startswith("archive/") for n in names):
        return "application/wacz"
    return "application/zip"


EXTENSIONS = {
    "application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif",
    "image/tiff": ".tif", "image/bmp": ".bmp", "image/webp": ".webp", "text/plain": ".txt", "text/html": ".html",
    DOCX: ".docx", XLSX: ".xlsx", PPTX: ".pptx", ODT: ".odt", "application/zip": ".zip", "audio/wav": ".wav",
    "audio/mpeg": ".mp3", "audio/ogg": ".ogg", "video/mp4": ".mp4", "audio/mp4": ".m4a",
    "video/quicktime": ".mov", "application/json": ".json", "application/xml": ".xml", "text/csv": ".csv",
    "image/heic": ".heic", "image/heif": ".heif", "image/avif": ".avif", MSG: ".msg", EML: ".eml", RTF: ".rtf",
    ODS: ".ods", ODP: ".odp", "application/wacz": ".wacz",
}


def extension(media_type: str) -> str:
    return EXTENSIONS.get(media_type) or mimetypes.guess_extension(media_type or "") or ".bin"
