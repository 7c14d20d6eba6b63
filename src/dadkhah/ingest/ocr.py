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


def ocr_image(path: str | Path, *, lang: str = DEFAULT_LANG, timeout: int = 180) -> str:
    """Text recognised in one image file."""
    import pytesseract
    from PIL import Image

    lang = usable_lang(lang)
    with Image.open(path) as im:
        if getattr(im, "n_frames", 1) > 1:  # multi-page TIFF: every frame
            parts = []
            for i in range(im.n_frames):
                im.seek(i)
                parts.append(pytesseract.image_to_string(im.convert("RGB"), lang=lang, timeout=timeout))
            return "\f".join(parts)
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
