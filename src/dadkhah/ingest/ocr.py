"""OCR with Tesseract (``fas+eng`` by default): images directly, scanned PDF pages via ``pdftoppm``."""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
from pathlib import Path

DEFAULT_LANG = "fas+eng"


class OCRUnavailable(RuntimeError):
    pass


@functools.lru_cache(maxsize=1)
def tesseract_version() -> str | None:
    exe = shutil.which("tesseract")
    if not exe:
        return None
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    first = (out.stdout or out.stderr).splitlines()
    return first[0].strip() if first else "tesseract"


@functools.lru_cache(maxsize=1)
def tesseract_languages() -> frozenset[str]:
    exe = shutil.which("tesseract")
    if not exe:
        return frozenset()
    try:
        out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    return frozenset(line.strip() for line in out.stdout.splitlines()[1:] if line.strip())


def usable_lang(lang: str = DEFAULT_LANG) -> str:
    """``lang`` restricted to installed languages; raises :class:`OCRUnavailable` when none is installed."""
    if tesseract_version() is None:
        raise OCRUnavailable("tesseract is not installed (Debian: apt install tesseract-ocr tesseract-ocr-fas)")
    have = tesseract_languages()
    wanted = [code for code in lang.split("+") if code in have]
    if not wanted:
        raise OCRUnavailable(f"no Tesseract data for {lang!r} (installed: {', '.join(sorted(have)) or 'none'}); "
                             "Debian: apt install tesseract-ocr-fas tesseract-ocr-eng")
    return "+".join(wanted)


def generator(lang: str = DEFAULT_LANG) -> str:
    return f"{tesseract_version() or 'tesseract'} -l {lang}"


def image_frames(path: str | Path) -> int:
    """How many frames (pages) an image file holds, read from its header."""
    from PIL import Image

    with Image.open(path) as im:
        return int(getattr(im, "n_frames", 1) or 1)


def ocr_image(path: str | Path, *, lang: str = DEFAULT_LANG, timeout: int = 180, max_frames: int | None = None,
              max_pixels: int | None = None) -> str:
    """Text recognised in one image file (the first ``max_frames`` frames of a multi-page TIFF). A frame
    of more than ``max_pixels`` raises :class:`PIL.Image.DecompressionBombError` before it is decoded."""
    import pytesseract
    from PIL import Image

    lang = usable_lang(lang)
    with Image.open(path) as im:
        n = int(getattr(im, "n_frames", 1) or 1)
        if n > 1:  # multi-page TIFF: every frame, up to the limit
            parts = []
            for i in range(min(n, max_frames or n)):
                im.seek(i)
                if max_pixels and im.size[0] * im.size[1] > max_pixels:
                    raise Image.DecompressionBombError(f"frame {i + 1} is {im.size[0]}×{im.size[1]} pixels")
                parts.append(pytesseract.image_to_string(im.convert("RGB"), lang=lang, timeout=timeout))
            return "\f".join(parts)
        if max_pixels and im.size[0] * im.size[1] > max_pixels:
            raise Image.DecompressionBombError(f"the image is {im.size[0]}×{im.size[1]} pixels")
        if im.mode not in ("RGB", "L"):
            im = im.convert("RGB")
        return pytesseract.image_to_string(im, lang=lang, timeout=timeout)


def ocr_pdf_page(pdf: str | Path, page: int, *, lang: str = DEFAULT_LANG, dpi: int = 200,
                 timeout: int = 180) -> str:
    """Render page ``page`` (1-based) of a PDF with pdftoppm and OCR it."""
    exe = shutil.which("pdftoppm")
    if not exe:
        raise OCRUnavailable("pdftoppm is not installed (Debian: apt install poppler-utils)")
    with tempfile.TemporaryDirectory(prefix="dadkhah-ocr-") as tmp:
        stem = Path(tmp) / "page"
        try:
            subprocess.run([exe, "-r", str(dpi), "-gray", "-png", "-f", str(page), "-l", str(page), "-singlefile",
                            str(pdf), str(stem)], check=True, capture_output=True, timeout=timeout)
        except subprocess.CalledProcessError as exc:
            raise RuntimeError(f"pdftoppm could not render page {page}: "
                               f"{exc.stderr.decode('utf-8', 'replace').strip()[:200]}") from None
        return ocr_image(stem.with_suffix(".png"), lang=lang, timeout=timeout)
