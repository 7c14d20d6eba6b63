"""Generators for the kinds of files a case receives: text and scanned PDFs (Persian and English),
photographs with EXIF capture time and GPS, DOCX, HTML, plain text — made fresh in each test."""

from __future__ import annotations

import io
import zipfile
from fractions import Fraction
from pathlib import Path

PERSIAN_FONT = "/usr/share/fonts/truetype/farsiweb/nazli.ttf"

FA_SENTENCE = "اعدام زندانیان سیاسی در زندان اوین در تابستان ۱۳۶۷"
EN_SENTENCE = "Execution of political prisoners at Gohardasht prison in the summer of 1988"


def text_pdf(path: Path, paragraphs: list[str], *, title: str | None = None) -> Path:
    """A PDF with a real text layer (rendered by WeasyPrint with a Persian-capable font)."""
    import weasyprint

    body = "".join(f'<p dir="auto">{p}</p>' for p in paragraphs)
    head = f"<title>{title}</title>" if title else ""
    html = f'<html><head><meta charset="utf-8">{head}</head><body style="font-family: Nazli, DejaVu Sans">{body}' \
           "</body></html>"
    weasyprint.HTML(string=html).write_pdf(path)
    return path


def text_image(lines: list[str], *, size=(900, 200), font_size: int = 30):
    """A white image with black text (Persian shaped with libraqm), like a photographed page."""
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("L", size, 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(PERSIAN_FONT, font_size)
    y = 20
    for line in lines:
        rtl = any("\u0600" <= c <= "\u06ff" for c in line)
        x = size[0] - 20 if rtl else 20
        draw.text((x, y), line, fill=0, font=font, anchor="ra" if rtl else "la",
                  direction="rtl" if rtl else "ltr")
        y += int(font_size * 1.8)
    return img


def scanned_pdf(path: Path, lines: list[str]) -> Path:
    """A PDF whose only content is an image of text (no text layer), like a scanner makes."""
    text_image(lines, size=(1000, 60 + 55 * len(lines))).save(path, "PDF", resolution=150)
    return path


def exif_photo(path: Path, *, when: str = "1988:07:30 14:05:00", lat=(35, 47, 30.0), lat_ref="N",
               lon=(51, 23, 15.0), lon_ref="E", text: list[str] | None = None) -> Path:
    """A JPEG with EXIF DateTimeOriginal and GPS coordinates (degrees, minutes, seconds)."""
    from PIL import Image

    img = text_image(text, size=(700, 140)).convert("RGB") if text else Image.new("RGB", (64, 48), (120, 90, 60))
    exif = img.getexif()
    exif[0x010F] = "TestCam"
    exif[0x0132] = when
    exif.get_ifd(0x8769)[0x9003] = when
    gps = exif.get_ifd(0x8825)
    gps[1], gps[3] = lat_ref, lon_ref
    gps[2] = tuple(Fraction(v).limit_denominator(1000) for v in lat)
    gps[4] = tuple(Fraction(v).limit_denominator(1000) for v in lon)
    img.save(path, "JPEG", exif=exif, quality=90)
    return path


def docx_file(path: Path, paragraphs: list[str], *, title: str | None = None) -> Path:
    import docx

    d = docx.Document()
    if title:
        d.core_properties.title = title
    for p in paragraphs:
        d.add_paragraph(p)
    d.save(str(path))
    return path


def html_file(path: Path, body: str, *, charset: str = "utf-8") -> Path:
    html = f'<!doctype html><html><head><meta charset="{charset}"><title>t</title>' \
           f"<style>.x{{color:red}}</style><script>var hidden = 'scriptword';</script></head>" \
           f"<body><h1>Report</h1><p>{body}</p></body></html>"
    path.write_bytes(html.encode(charset))
    return path


def zip_bomb(path: Path, *, expanded: int = 64 << 20) -> Path:
    """A small zip that declares a huge, highly compressed member."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        with z.open("word/document.xml", "w") as f:
            chunk = b"\0" * (1 << 20)
            for _ in range(expanded // len(chunk)):
                f.write(chunk)
        z.writestr("[Content_Types].xml", "<Types/>")
    path.write_bytes(buf.getvalue())
    return path


def mixed_folder(root: Path, *, ocr: bool = True) -> dict[str, Path]:
    """A folder like a case receives: text PDFs in Persian and English, a scanned PDF, a photo with EXIF,
    a DOCX, an HTML page, a text file. Returns the paths by role."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "sub").mkdir(exist_ok=True)
    files = {
        "pdf_fa": text_pdf(root / "report-fa.pdf", ["گزارش درباره زندان اوین", "قتل عام تابستان ۱۳۶۷"],
                           title="گزارش اوین"),
        "pdf_en": text_pdf(root / "sub" / "report-en.pdf", [EN_SENTENCE, "Signed in Stockholm."],
                           title="Gohardasht report"),
        "docx": docx_file(root / "sub" / "statement.docx", ["Statement about Khavaran cemetery",
                                                            "گورستان خاوران"], title="Khavaran statement"),
        "html": html_file(root / "page.html", "Ahvaz mass grave was bulldozed &amp; covered"),
        "txt": _write(root / "notes.txt", "Notes on the death commission in Evin\nکمیسیون مرگ\n"),
        "photo": exif_photo(root / "photo.jpg"),
    }
    if ocr:
        files["scan"] = scanned_pdf(root / "sub" / "scan.pdf", ["دادگاه استکهلم", "Stockholm district court"])
    return files


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
