"""Text from originals: PDF text layers, HTML, DOCX, plain text; OCR for images and scanned PDF pages.

:func:`extract_text` never raises on a broken or hostile file: it returns what it could read and a
list of problems, each a sentence naming what went wrong (the original is stored either way).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from dadkhah.errors import InputError
from dadkhah.ingest import ocr, office
from dadkhah.ingest.detect import DOCX
from dadkhah.ingest.limits import DEFAULT_LIMITS, Limits
from dadkhah.ingest.metadata import UnsafeArchive, check_zip

PAGE_BREAK = "\f"
MIN_TEXT_LAYER = 8  # a PDF page with fewer characters is treated as scanned (OCR'd)


@dataclass
class Extraction:
    pages: list[str] = field(default_factory=list)
    method: str = "none"  # text-layer, ocr, text-layer+ocr, html, docx, plain, none
    generator: str = ""
    problems: list[str] = field(default_factory=list)
    ocr_pages: int = 0

    @property
    def text(self) -> str:
        return PAGE_BREAK.join(self.pages)

    @property
    def chars(self) -> int:
        return sum(len(p) for p in self.pages)


def extract_text(path: str | Path, media_type: str, *, limits: Limits = DEFAULT_LIMITS, ocr_enabled: bool = True,
                 ocr_lang: str = ocr.DEFAULT_LANG) -> Extraction:
    path = Path(path)
    try:
        if media_type == "application/pdf":
            ex = _pdf(path, limits, ocr_enabled, ocr_lang)
        elif media_type.startswith("image/"):
            ex = _image(path, limits, ocr_enabled, ocr_lang)
        elif media_type == "text/html":
            ex = Extraction([html_to_text(decode_text(_read_head(path, limits), html=True))], "html", "html.parser")
        elif media_type == DOCX:
            ex = _docx(path, limits)
        elif media_type in office.TYPES:  # XLSX, PPTX, ODF, RTF, e-mail (dadkhah.ingest.office)
            ex = office.extract(path, media_type, limits)
        elif media_type.startswith("text/") or media_type in ("application/json", "application/xml"):
            ex = Extraction([decode_text(_read_head(path, limits))], "plain", "decode")
            if path.stat().st_size > limits.max_text_read:
                ex.problems.append(f"only the first {limits.max_text_read} bytes were read for text")
        else:
            return Extraction()
    except UnsafeArchive as exc:
        return Extraction(problems=[str(exc)])
    except InputError as exc:  # a reader's own sentence (the stored blob's name would only confuse it)
        return Extraction(problems=[f"no text extracted: {exc.message}"])
    except Exception as exc:  # noqa: BLE001 - hostile files raise anything; report, never crash ingest
        what = {"application/pdf": "malformed PDF", DOCX: "malformed DOCX"}.get(media_type, media_type)
        return Extraction(problems=[f"no text extracted ({what}): {type(exc).__name__}: {_short(exc)}"])
    return _cap(ex, limits)


def _short(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:300] if str(exc).strip() else "no detail"


def _cap(ex: Extraction, limits: Limits) -> Extraction:
    total, kept = 0, []
    for p in ex.pages:
        if total + len(p) > limits.max_text_chars:
            kept.append(p[: max(0, limits.max_text_chars - total)])
            ex.problems.append(f"text cut at {limits.max_text_chars} characters")
            break
        kept.append(p)
        total += len(p)
    ex.pages = [p.replace("\x00", "") for p in kept]
    if not any(p.strip() for p in ex.pages):
        ex.pages, ex.method = [], "none"
    return ex


def _read_head(path: Path, limits: Limits) -> bytes:
    with open(path, "rb") as f:
        return f.read(limits.max_text_read)


def decode_text(data: bytes, *, html: bool = False) -> str:
    """Bytes → text: BOM, an HTML ``charset``, UTF-8, then Windows-1256 (common for Persian), then Latin-1."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(enc, errors="replace")
    encodings = ["utf-8", "cp1256", "latin-1"]
    if html:
        m = re.search(rb"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", data[:4096], re.I)
        if m:
            declared = m.group(1).decode("ascii", "ignore")
            try:
                codecs.lookup(declared)
                encodings.insert(0, declared)
            except LookupError:
                pass
    for enc in encodings:
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")  # pragma: no cover - latin-1 decodes everything


class _HTMLText(HTMLParser):
    SKIP = {"script", "style", "noscript", "template", "svg"}
    BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "header",
             "footer", "blockquote", "pre", "table", "ul", "ol", "title", "td", "th", "dd", "dt"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skip += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skip:
            self.skip -= 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _HTMLText()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _docx(path: Path, limits: Limits) -> Extraction:
    import docx

    check_zip(path, limits)  # refuse a DOCX zip bomb before python-docx expands it
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append("\t".join(cell.text for cell in row.cells))
    return Extraction(["\n".join(parts).strip()], "docx", "python-docx")


def _image(path: Path, limits: Limits, ocr_enabled: bool, lang: str) -> Extraction:
    if not ocr_enabled:
        return Extraction()
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = limits.max_image_pixels // 2
    problems = []
    try:
        frames = ocr.image_frames(path)
        if frames > limits.max_image_frames:
            problems.append(f"only the first {limits.max_image_frames} of {frames} frames were OCR'd")
        text = ocr.ocr_image(path, lang=lang, timeout=limits.ocr_timeout, max_frames=limits.max_image_frames,
                             max_pixels=limits.max_image_pixels)
    except ocr.OCRUnavailable as exc:
        return Extraction(problems=[f"OCR not run: {exc}"])
    except Image.DecompressionBombError as exc:
        return Extraction(problems=[f"image too large to OCR safely: {exc}"])
    except RuntimeError as exc:  # pytesseract raises RuntimeError on timeout
        return Extraction(problems=[f"OCR failed: {_short(exc)}"])
    except (OSError, ValueError, SyntaxError, EOFError) as exc:  # Pillow on a broken image
        return Extraction(problems=[f"image could not be decoded for OCR: {_short(exc)}"])
    pages = text.split(PAGE_BREAK) if text.strip() else []
    return Extraction([p.strip() for p in pages], "ocr", ocr.generator(ocr.usable_lang(lang)),
                      ocr_pages=min(frames, limits.max_image_frames), problems=problems)


def render_dpi(page, limits: Limits) -> tuple[int | None, str | None]:
    """The resolution to render a PDF page at for OCR: the configured one, lower for a page so large that
    it would exceed ``max_render_pixels``, or None (with the reason) when it is too large even so."""
    try:
        box = page.mediabox
        w, h = abs(float(box.width)), abs(float(box.height))
    except Exception:  # noqa: BLE001 - a broken page box: let pdftoppm decide (it has its own checks)
        return limits.ocr_dpi, None
    pixels = (w / 72 * limits.ocr_dpi) * (h / 72 * limits.ocr_dpi)
    if pixels <= limits.max_render_pixels:
        return limits.ocr_dpi, None
    dpi = int(limits.ocr_dpi * (limits.max_render_pixels / pixels) ** 0.5)
    if dpi < limits.min_render_dpi:
        return None, (f"the page is {w:.0f}×{h:.0f} pt ({w / 72:.0f}×{h / 72:.0f} inches): too large to render "
                      f"for OCR (over {limits.max_render_pixels:,} pixels even at {limits.min_render_dpi} dpi)")
    return dpi, None


def _pdf(path: Path, limits: Limits, ocr_enabled: bool, lang: str) -> Extraction:
    import pypdf

    ex = Extraction(generator=f"pypdf {pypdf.__version__}")
    reader = pypdf.PdfReader(path, strict=False)
    if reader.is_encrypted:
        try:
            reader.decrypt("")
            _ = len(reader.pages)
        except Exception:  # noqa: BLE001
            ex.problems.append("encrypted PDF: text cannot be read without the password")
            return ex
    n = len(reader.pages)
    if n > limits.max_pdf_pages:
        ex.problems.append(f"only the first {limits.max_pdf_pages} of {n} pages were read for text")
    used_layer = used_ocr = False
    ocr_error: str | None = None
    for i in range(min(n, limits.max_pdf_pages)):
        try:
            text = reader.pages[i].extract_text() or ""
        except Exception as exc:  # noqa: BLE001
            ex.problems.append(f"page {i + 1}: text layer unreadable ({type(exc).__name__}: {_short(exc)})")
            text = ""
        if len(text.strip()) >= MIN_TEXT_LAYER:
            used_layer = True
        elif ocr_enabled and ocr_error is None:
            if ex.ocr_pages >= limits.max_ocr_pages:
                ocr_error = f"OCR stopped after {limits.max_ocr_pages} scanned pages (raise --max-ocr-pages)"
            else:
                dpi, too_large = render_dpi(reader.pages[i], limits)
                if too_large:
                    ex.problems.append(f"page {i + 1}: {too_large}")
                    ex.pages.append(text.strip())
                    continue
                try:
                    recognised = ocr.ocr_pdf_page(path, i + 1, lang=lang, dpi=dpi, timeout=limits.ocr_timeout)
                    ex.ocr_pages += 1
                    if recognised.strip():
                        text, used_ocr = recognised, True
                except ocr.OCRUnavailable as exc:
                    ocr_error = f"OCR not run: {exc}"
                except RuntimeError as exc:
                    ex.problems.append(f"page {i + 1}: OCR failed ({_short(exc)})")
        ex.pages.append(text.strip())
    if ocr_error:
        ex.problems.append(ocr_error)
    ex.method = "+".join(m for m, used in (("text-layer", used_layer), ("ocr", used_ocr)) if used) or "none"
    if used_ocr:
        ex.generator += f"; {ocr.generator(ocr.usable_lang(lang))}"
    return ex
