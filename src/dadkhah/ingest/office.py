"""Text of office documents and e-mail: XLSX, PPTX, ODT/ODS/ODP, RTF, EML and Outlook MSG.

Each reader returns an :class:`~dadkhah.ingest.text.Extraction` (one page per sheet or slide, so a
search hit names it) and never expands a zip beyond :mod:`dadkhah.ingest.limits` (checked first).
Attachments of an e-mail are listed (name, type, size), not expanded: ingest them as files of their own.
"""

from __future__ import annotations

import email
import email.policy
import struct
from pathlib import Path

from dadkhah.ingest.detect import EML, MSG, ODP, ODS, ODT, PPTX, RTF, XLSX
from dadkhah.ingest.limits import Limits

TYPES = (XLSX, PPTX, ODT, ODS, ODP, RTF, EML, MSG, "text/rtf")
MAX_CELLS = 2_000_000


def extract(path: Path, media_type: str, limits: Limits):
    from dadkhah.ingest.metadata import check_zip
    from dadkhah.ingest.text import Extraction

    if media_type in (XLSX, PPTX, ODT, ODS, ODP):
        check_zip(path, limits)
    if media_type == XLSX:
        return Extraction(_xlsx(path), "xlsx", "openpyxl")
    if media_type == PPTX:
        return Extraction(_pptx(path), "pptx", "python-pptx")
    if media_type in (ODT, ODS, ODP):
        return Extraction(_odf(path), "odf", "odfpy")
    if media_type in (RTF, "text/rtf"):
        return Extraction([_rtf(path, limits)], "rtf", "striprtf")
    if media_type == EML:
        return Extraction([_eml(path, limits)], "email", "email (stdlib)")
    if media_type == MSG:
        return Extraction([_msg(path)], "msg", "extract-msg")
    return Extraction()


def _xlsx(path: Path) -> list[str]:
    import openpyxl

    fh = open(path, "rb")  # a file object: openpyxl refuses names without an .xlsx extension (blobs have none)
    wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
    pages, cells = [], 0
    try:
        for ws in wb.worksheets:
            rows = [f"# {ws.title}"]
            for row in ws.iter_rows(values_only=True):
                vals = ["" if v is None else str(v) for v in row]
                cells += len(vals)
                if any(vals):
                    rows.append("\t".join(vals).rstrip("\t"))
                if cells > MAX_CELLS:
                    break
            pages.append("\n".join(rows))
            if cells > MAX_CELLS:
                break
    finally:
        wb.close()
        fh.close()
    return pages


def _pptx(path: Path) -> list[str]:
    from pptx import Presentation

    pages = []
    with open(path, "rb") as fh:
        slides = list(Presentation(fh).slides)
    for slide in slides:
        parts = []
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if getattr(shape, "has_table", False) and shape.has_table:
                for row in shape.table.rows:
                    parts.append("\t".join(c.text for c in row.cells))
        if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
            parts.append(slide.notes_slide.notes_text_frame.text)
        pages.append("\n".join(p for p in parts if p))
    return pages


def _odf(path: Path) -> list[str]:
    from odf import teletype
    from odf.opendocument import load
    from odf.text import H, P

    doc = load(str(path))
    parts = [teletype.extractText(el) for el in doc.getElementsByType(H) + doc.getElementsByType(P)]
    return ["\n".join(p for p in parts if p)]


def _rtf(path: Path, limits: Limits) -> str:
    from striprtf.striprtf import rtf_to_text

    with open(path, "rb") as f:
        raw = f.read(limits.max_text_read)
    return rtf_to_text(raw.decode("latin-1"), errors="ignore").strip()


def _eml(path: Path, limits: Limits) -> str:
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    head = [f"{h}: {msg[h]}" for h in ("From", "To", "Cc", "Date", "Subject", "Message-ID") if msg[h]]
    body_parts, attachments = [], []
    for part in msg.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        if filename or part.get_content_disposition() == "attachment":
            size = len(part.get_payload(decode=True) or b"")
            attachments.append(f"attachment: {filename or '(no name)'} ({part.get_content_type()}, {size} bytes)")
            continue
        ctype = part.get_content_type()
        if ctype in ("text/plain", "text/html"):
            try:
                content = part.get_content()
            except (LookupError, UnicodeDecodeError):
                content = (part.get_payload(decode=True) or b"").decode("utf-8", "replace")
            if ctype == "text/html":
                from dadkhah.ingest.text import html_to_text

                content = html_to_text(content)
            body_parts.append(content.strip())
    return "\n".join(head) + "\n\n" + "\n\n".join(body_parts) + ("\n\n" + "\n".join(attachments) if attachments else "")


def _msg(path: Path) -> str:
    """Header lines, body (plain text, else the HTML body as text) and attachment names of an Outlook message.

    A file that is not a readable message (a damaged compound file, no property stream, a broken
    string stream) raises :class:`~dadkhah.errors.InputError` naming the file and why.
    """
    import extract_msg
    from extract_msg.exceptions import ExMsgBaseException
    from extract_msg.msg_classes import MessageBase

    from dadkhah.errors import InputError

    try:
        m = extract_msg.openMsg(str(path))
        if isinstance(m, MessageBase):
            return _msg_text(m)
        try:  # a contact, task or other Outlook item: its subject and body, under its class
            parts = [f"Class: {m.classType}"] + [v for v in (m.getStringStream("__substg1.0_0037"),
                                                             m.getStringStream("__substg1.0_1000")) if v]
        finally:
            m.close()
        return "\n\n".join(parts)
    except (ExMsgBaseException, OSError, struct.error, ValueError, KeyError) as exc:  # olefile errors are OSError
        detail = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__
        raise InputError(f"not a readable Outlook message (MSG): {detail}", file=path.name) from exc


def _msg_text(m) -> str:
    try:
        head = [f"{k}: {v}" for k, v in (("From", m.sender), ("To", m.to), ("Cc", m.cc), ("Date", m.date),
                                         ("Subject", m.subject)) if v]
        body = m.body or ""
        if not body.strip() and m.htmlBody:
            from dadkhah.ingest.text import html_to_text

            body = html_to_text(m.htmlBody.decode("utf-8", "replace") if isinstance(m.htmlBody, bytes) else m.htmlBody)
        atts = [f"attachment: {a.longFilename or a.shortFilename or '(no name)'}" for a in m.attachments]
    finally:
        m.close()
    return "\n".join(head) + "\n\n" + body.strip() + ("\n\n" + "\n".join(atts) if atts else "")
