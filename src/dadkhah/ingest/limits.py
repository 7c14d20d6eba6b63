"""Limits that keep ingest safe on hostile or broken files (zip bombs, huge images, endless PDFs)."""

from __future__ import annotations

from dataclasses import dataclass

GiB = 1 << 30
MiB = 1 << 20


@dataclass(frozen=True)
class Limits:
    max_file_size: int = 64 * GiB  # larger files are refused with a clear error (raise with --max-size)
    max_text_chars: int = 20_000_000  # extracted text kept per item
    max_text_read: int = 64 * MiB  # bytes of a plain-text/HTML file read for its text
    max_pdf_pages: int = 5000  # pages whose text layer is read
    max_ocr_pages: int = 50  # scanned pages OCR'd per PDF
    ocr_dpi: int = 200
    ocr_timeout: int = 180  # seconds per page or image
    max_zip_members: int = 10_000
    max_zip_uncompressed: int = 2 * GiB  # a zip (or DOCX) declaring more is treated as a bomb
    max_zip_ratio: int = 200  # … and so is one compressed more than this overall
    max_image_pixels: int = 180_000_000
    max_render_pixels: int = 40_000_000  # a PDF page is rendered for OCR at a lower resolution beyond this…
    min_render_dpi: int = 50  # … and not at all when that resolution would be below this
    max_image_frames: int = 50  # frames of a multi-page TIFF (or GIF) OCR'd


DEFAULT_LIMITS = Limits()


def parse_size(text: str) -> int:
    """``"20G"``, ``"500M"``, ``"1024"`` → bytes."""
    text = text.strip().upper().removesuffix("B").removesuffix("I")
    units = {"K": 1 << 10, "M": MiB, "G": GiB, "T": 1 << 40}
    mult = units.get(text[-1:], 1)
    number = text[:-1] if text[-1:] in units else text
    try:
        value = float(number)
    except ValueError:
        raise ValueError(f"not a size: {text!r} (use e.g. 500M, 20G)") from None
    return int(value * mult)


def human_size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)  # pragma: no cover
