"""Render a case file to HTML or PDF (WeasyPrint), with the vendored Persian font.

- HTML files are self-contained: the stylesheet and the Vazirmatn WOFF2 fonts are inlined, so a file
  sent by e-mail or opened offline looks the same.
- PDF files are laid out by WeasyPrint from the same HTML, with the TTF fonts loaded from the package
  (``dossier/fonts``); Pango shapes the Persian text and lays out right-to-left runs, so the PDF
  text layer holds names in logical order.
- PDF files are **PDF/A-3b** (ISO 19005-3: fonts embedded, an sRGB output intent, XMP metadata naming
  the conformance level), the archival form courts and archives ask for; a file with exhibits carries
  its **exhibit index** as associated files (``exhibit-index.json`` and ``exhibit-index.csv``:
  number, item, title, file name, media type, size, SHA-256, capture time), so the index travels with
  the PDF and can be read by a program without re-typing the table.
"""

from __future__ import annotations

import base64
import csv
import functools
import io
import json
from pathlib import Path

import jinja2

from dadkhah.dossier import fmt
from dadkhah.errors import InputError

HERE = Path(__file__).parent
FONTS = HERE / "fonts"
STATIC = HERE / "static"
FORMATS = ("html", "pdf")
FONT_WEIGHTS = {"Regular": 400, "Bold": 700}
PDF_VARIANT = "pdf/a-3b"
INDEX_FIELDS = ("number", "item_id", "title", "filename", "media_type", "size", "sha256", "captured_at", "source_id")


@functools.cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(HERE / "templates")),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
    )
    env.filters.update(fmt.FILTERS)
    env.globals.update(fmt.GLOBALS)
    return env


@functools.cache
def font_face_css(mode: str) -> str:
    """``@font-face`` rules for Vazirmatn: ``mode="file"`` (TTF by file URL, for WeasyPrint) or
    ``"inline"`` (WOFF2 as data URIs, for self-contained HTML)."""
    rules = []
    for style, weight in FONT_WEIGHTS.items():
        if mode == "file":
            src = f"url('{(FONTS / f'Vazirmatn-{style}.ttf').as_uri()}') format('truetype')"
        else:
            data = base64.b64encode((FONTS / f"Vazirmatn-{style}.woff2").read_bytes()).decode("ascii")
            src = f"url(data:font/woff2;base64,{data}) format('woff2')"
        rules.append("@font-face { font-family: Vazirmatn; font-style: normal; "
                     f"font-weight: {weight}; src: {src}; }}")
    return "\n".join(rules)


def stylesheet() -> str:
    return (STATIC / "dossier.css").read_text(encoding="utf-8")


def render_html(template: str, context: dict, *, for_pdf: bool = False) -> str:
    """The case file as one HTML document."""
    css = font_face_css("file" if for_pdf else "inline") + "\n" + stylesheet()
    return environment().get_template(template).render(**context, css=css, for_pdf=for_pdf)


def html_to_pdf(html: str, target=None, *, exhibits=None) -> bytes | None:
    """Lay out ``html`` with WeasyPrint as PDF/A-3b (with the exhibit index attached when ``exhibits``
    is given); write to ``target`` (path or file) or return the bytes."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    doc = HTML(string=html, base_url=str(HERE))
    return doc.write_pdf(target, font_config=font_config, pdf_variant=PDF_VARIANT,
                         attachments=exhibit_index_attachments(exhibits) if exhibits else None)


def exhibit_rows(exhibits) -> list[dict]:
    rows = []
    for e in exhibits or []:
        d = e.to_dict() if hasattr(e, "to_dict") else dict(e)
        rows.append({k: d.get(k) for k in INDEX_FIELDS})
    return rows


def exhibit_index_attachments(exhibits) -> list:
    """The exhibit index as two PDF/A-3 associated files (relationship ``Data``): JSON and CSV."""
    from weasyprint import Attachment

    rows = exhibit_rows(exhibits)
    as_json = json.dumps({"exhibits": rows}, ensure_ascii=False, indent=1)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=INDEX_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return [Attachment(string=as_json, name="exhibit-index.json", relationship="Data",
                       description="Exhibit index: number, evidence item, title, SHA-256 of each exhibit"),
            Attachment(string=buf.getvalue(), name="exhibit-index.csv", relationship="Data",
                       description="Exhibit index (CSV)")]


def output_format(path: str | Path, fmt_name: str | None = None) -> str:
    """``html`` or ``pdf``, from an explicit choice or the file's suffix."""
    chosen = (fmt_name or Path(path).suffix.lstrip(".")).lower()
    if chosen == "htm":
        chosen = "html"
    if chosen not in FORMATS:
        raise InputError(f"cannot tell the format of {str(path)!r}: name the file .pdf or .html", field="output")
    return chosen


def write(template: str, context: dict, out: str | Path, fmt_name: str | None = None) -> Path:
    """Render the case file to ``out`` (.pdf or .html) and return the path."""
    out = Path(out)
    kind = output_format(out, fmt_name)
    out.parent.mkdir(parents=True, exist_ok=True)
    if kind == "html":
        out.write_text(render_html(template, context), encoding="utf-8")
    else:
        html_to_pdf(render_html(template, context, for_pdf=True), out, exhibits=context.get("exhibits"))
    return out
