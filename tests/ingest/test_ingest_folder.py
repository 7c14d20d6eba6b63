"""`ingest` on a folder of mixed files: every original stored once, its metadata read, its text searchable."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pytest
from vault_files import PERSIAN_FONT, exif_photo, mixed_folder, text_pdf, zip_bomb

from dadkhah.access import SYSTEM, Principal, Role, anonymous, operator
from dadkhah.ingest import DEFAULT_LIMITS, IngestOptions, ingest_paths
from dadkhah.store.search import search
from dadkhah.vault.evidence import get_item, item_text
from dadkhah.vault.tables import CustodyEvent, EvidenceItem


def _by_name(report):
    return {r.path.rsplit("/", 1)[-1]: r for r in report.results}


def _ocr_ready() -> bool:
    from pathlib import Path

    from dadkhah.ingest.ocr import tesseract_languages

    return {"fas", "eng"} <= tesseract_languages() and Path(PERSIAN_FONT).exists()


@pytest.mark.slow
@pytest.mark.skipif(not _ocr_ready(), reason="needs tesseract-ocr-fas/-eng, poppler-utils and fonts-farsiweb")
def test_every_text_in_a_mixed_folder_becomes_searchable(case, tmp_path):
    files = mixed_folder(tmp_path / "in")
    report = ingest_paths(case, [tmp_path / "in"])
    assert report.ok, report.to_dict()
    assert report.count("stored") == len(files)
    found = {}
    with case.reader(SYSTEM) as s:
        for query in ["اوین", "Gohardasht", "Khavaran", "خاوران", "bulldozed", "کمیسیون", "استکهلم", "Stockholm"]:
            found[query] = {h.id for h in search(s, query, principal=operator(), kinds=["evidence"])}
    ids = {role: r.item_id for role, r in zip(files, [_by_name(report)[p.name] for p in files.values()], strict=True)}
    assert ids["pdf_fa"] in found["اوین"]
    assert ids["pdf_en"] in found["Gohardasht"]
    assert ids["docx"] in found["Khavaran"] and ids["docx"] in found["خاوران"]
    assert ids["html"] in found["bulldozed"]
    assert ids["txt"] in found["کمیسیون"]
    assert ids["scan"] in found["استکهلم"] and ids["scan"] in found["Stockholm"]  # OCR, fas+eng


def test_each_original_is_stored_once_under_its_sha256(case, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("the same bytes")
    (src / "copy-of-a.txt").write_text("the same bytes")
    (src / "b.txt").write_text("other bytes")
    report = ingest_paths(case, [src])
    assert [r.status for r in report.results] == ["stored", "stored", "duplicate"] or \
        sorted(r.status for r in report.results) == ["duplicate", "stored", "stored"]
    with case.reader(SYSTEM) as s:
        items = s.query(EvidenceItem).all()
        assert len(items) == 2
        for item in items:
            stored = case.blobs.path(item.sha256)
            assert hashlib.sha256(stored.read_bytes()).hexdigest() == item.sha256
            assert stored.stat().st_mode & 0o222 == 0  # read-only
        a = get_item(s, hashlib.sha256(b"the same bytes").hexdigest(), SYSTEM)
        actions = [e.action for e in s.query(CustodyEvent).filter_by(item_id=a.id).order_by(CustodyEvent.seq)]
    assert actions == ["ingest", "derive", "duplicate"]


def test_re_ingesting_a_folder_stores_nothing_new(case, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        (src / f"{i}.txt").write_text(f"document {i}")
    ingest_paths(case, [src])
    again = ingest_paths(case, [src])
    assert again.count("duplicate") == 3 and again.count("stored") == 0


def test_exif_capture_time_and_gps_are_read_from_a_photo(case, tmp_path):
    photo = exif_photo(tmp_path / "p.jpg", when="1988:07:30 14:05:00", lat=(35, 47, 30.0), lon=(51, 23, 15.0),
                       lon_ref="W")
    report = ingest_paths(case, [photo], options=IngestOptions(ocr=False))
    with case.reader(SYSTEM) as s:
        item = get_item(s, report.results[0].item_id, SYSTEM)
        assert item.media_type == "image/jpeg"
        assert item.captured_at == "1988-07-30T14:05:00"
        assert item.latitude == pytest.approx(35.791667, abs=1e-5)
        assert item.longitude == pytest.approx(-51.3875, abs=1e-5)
        assert item.meta["exif"]["make"] == "TestCam"


def test_pdf_metadata_and_page_count_are_recorded(case, tmp_path):
    pdf = text_pdf(tmp_path / "r.pdf", ["page one words of the Amnesty report"], title="Amnesty report")
    report = ingest_paths(case, [pdf])
    with case.reader(SYSTEM) as s:
        item = get_item(s, report.results[0].item_id, SYSTEM)
        assert item.title == "Amnesty report"
        assert item.meta["pdf"]["pages"] == 1
        assert item.text_method == "text-layer"
        assert "page one words" in item_text(s, item)


def test_bad_files_get_clear_errors_and_the_rest_of_the_folder_is_ingested(case, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "empty.txt").write_bytes(b"")
    (src / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\ngarbage")
    zip_bomb(src / "bomb.docx")
    (src / "huge.bin").write_bytes(b"x" * 300_000)
    (src / "fine.txt").write_text("an ordinary file that must still be ingested")
    limits = replace(DEFAULT_LIMITS, max_file_size=200_000, max_zip_uncompressed=16 << 20)
    report = ingest_paths(case, [src], options=IngestOptions(limits=limits, ocr=False))
    r = _by_name(report)
    assert r["empty.txt"].status == "failed" and "empty file (0 bytes)" in r["empty.txt"].error
    assert r["huge.bin"].status == "failed" and "over the 195.3 KiB limit" in r["huge.bin"].error
    # broken and hostile files are still evidence: stored, with the problem named
    assert r["broken.pdf"].status == "stored"
    assert any("malformed PDF" in p for p in r["broken.pdf"].problems)
    assert r["bomb.docx"].status == "stored"
    assert any("zip bomb suspected" in p for p in r["bomb.docx"].problems)
    assert r["fine.txt"].status == "stored"
    assert not report.ok
    with case.reader(SYSTEM) as s:
        assert "ordinary file" in item_text(s, get_item(s, r["fine.txt"].item_id, SYSTEM))
        assert get_item(s, r["bomb.docx"].item_id, SYSTEM).text_chars == 0


def test_a_missing_path_is_reported_and_the_others_ingested(case, tmp_path):
    (tmp_path / "ok.txt").write_text("present")
    report = ingest_paths(case, [tmp_path / "nope", tmp_path / "ok.txt"])
    r = _by_name(report)
    assert r["nope"].error == "no such file or folder"
    assert r["ok.txt"].status == "stored"


def test_the_case_folder_itself_is_never_ingested(case, tmp_path):
    (case.data_dir / "blobs").mkdir(parents=True, exist_ok=True)
    (case.data_dir / "stray.txt").write_text("inside the case folder")
    report = ingest_paths(case, [case.data_dir.parent])
    assert all(not r.path.startswith(str(case.data_dir)) for r in report.results)


def test_extracted_text_is_searchable_only_by_who_may_see_the_item(case, tmp_path):
    (tmp_path / "secret.txt").write_text("Lajevardi ordered the transfer")
    ingest_paths(case, [tmp_path / "secret.txt"], options=IngestOptions(sensitivity="confidential"))
    viewer = Principal("v", Role.viewer)
    with case.reader(SYSTEM) as s:
        assert search(s, "Lajevardi", principal=operator())
        assert search(s, "Lajevardi", principal=viewer) == []
        assert search(s, "Lajevardi", principal=anonymous()) == []  # anonymous
