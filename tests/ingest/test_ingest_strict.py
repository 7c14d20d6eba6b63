"""Hostile files are capped before rendering or OCR, and one file's bad metadata never fails its batch
(issue #18: a PDF with a NUL in its title failed a whole batch on PostgreSQL and orphaned its files; a
547-byte PDF with a 14,400 pt page took a minute to render; a 300-frame TIFF got 27 s of OCR)."""

from dataclasses import replace

import pytest

from dadkhah.ingest.limits import DEFAULT_LIMITS
from dadkhah.ingest.pipeline import IngestOptions, ingest_paths
from dadkhah.integrity import run_checks


def _pdf(path, *, title=None, width=612, height=792, text_layer=True):
    from pypdf import PdfWriter
    from pypdf.generic import NameObject, StreamObject

    w = PdfWriter()
    page = w.add_blank_page(width=width, height=height)
    if text_layer:
        stream = StreamObject()
        stream.set_data(b"BT /F1 12 Tf 72 72 Td (Evin prison 1988 letter) Tj ET")
        page[NameObject("/Contents")] = w._add_object(stream)
    if title is not None:
        w.add_metadata({"/Title": title})
    with open(path, "wb") as f:
        w.write(f)
    return path


def test_a_nul_in_a_pdf_title_fails_neither_the_file_nor_its_batch(case, tmp_path):
    a = _pdf(tmp_path / "a.pdf", title="Report\x00 on Evin")
    (tmp_path / "b.txt").write_text("a second file in the same batch")
    report = ingest_paths(case, [a, tmp_path / "b.txt"], options=IngestOptions(ocr=False))
    assert [r.status for r in report.results] == ["stored", "stored"], [r.error for r in report.results]
    pdf = next(r for r in report.results if r.path.endswith("a.pdf"))
    assert any("NUL" in p for p in pdf.problems)
    result = run_checks(case, index=False)
    assert result["status"] == "intact", result
    originals = next(c for c in result["checks"] if c["name"] == "originals")
    assert originals["items"] == 2 and originals["unregistered"] == 0


def test_a_huge_pdf_page_is_not_rendered_for_ocr(tmp_path, monkeypatch):
    from dadkhah.ingest import ocr, text

    calls = []
    monkeypatch.setattr(ocr, "ocr_pdf_page", lambda *a, **k: calls.append(k["dpi"]) or "")
    monkeypatch.setattr(ocr, "usable_lang", lambda lang="": "eng")
    path = _pdf(tmp_path / "big.pdf", width=14400, height=14400, text_layer=False)
    ex = text.extract_text(path, "application/pdf", limits=DEFAULT_LIMITS, ocr_enabled=True)
    assert calls == []
    assert any("too large to render" in p for p in ex.problems)
    # a large but sane page is rendered at a lower resolution instead
    path = _pdf(tmp_path / "poster.pdf", width=2400, height=3400, text_layer=False)
    text.extract_text(path, "application/pdf", limits=DEFAULT_LIMITS, ocr_enabled=True)
    assert len(calls) == 1 and DEFAULT_LIMITS.min_render_dpi <= calls[0] < DEFAULT_LIMITS.ocr_dpi


def test_a_many_frame_tiff_is_ocrd_only_up_to_the_frame_limit(tmp_path, monkeypatch):
    from PIL import Image

    from dadkhah.ingest import ocr, text

    frames = [Image.new("L", (40, 20), 255) for _ in range(12)]
    path = tmp_path / "scan.tiff"
    frames[0].save(path, save_all=True, append_images=frames[1:])
    seen = []
    pytesseract = pytest.importorskip("pytesseract")
    monkeypatch.setattr(pytesseract, "image_to_string", lambda im, **k: seen.append(1) or "x")
    monkeypatch.setattr(ocr, "usable_lang", lambda lang="": "eng")
    limits = replace(DEFAULT_LIMITS, max_image_frames=5)
    ex = text.extract_text(path, "image/tiff", limits=limits, ocr_enabled=True)
    assert len(seen) == 5
    assert any("first 5 of 12 frames" in p for p in ex.problems)


def test_an_image_over_the_pixel_limit_is_refused_before_decoding(tmp_path, monkeypatch):
    from PIL import Image

    from dadkhah.ingest import ocr, text

    path = tmp_path / "wide.png"
    Image.new("L", (3000, 3000), 255).save(path)
    monkeypatch.setattr(ocr, "usable_lang", lambda lang="": "eng")
    ex = text.extract_text(path, "image/png", limits=replace(DEFAULT_LIMITS, max_image_pixels=1_000_000),
                           ocr_enabled=True)
    assert ex.method == "none" and any("too large" in p for p in ex.problems)
