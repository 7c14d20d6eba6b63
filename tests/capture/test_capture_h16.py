"""`dadkhah capture`: local pages preserved as WACZ + screenshot + PDF + text, signed, with custody."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import zipfile

import pytest
from typer.testing import CliRunner

from dadkhah.access import SYSTEM, operator
from dadkhah.capture.archive import validate_wacz
from dadkhah.capture.browser import FetchOptions
from dadkhah.capture.service import CaptureOptions, capture_urls, verify_capture
from dadkhah.capture.tables import WebCapture
from dadkhah.vault import custody
from dadkhah.vault.evidence import get_item
from dadkhah.vault.integrity import check

FAST = FetchOptions(timeout=10, settle=0.3)


def _opts(**kw) -> CaptureOptions:
    return CaptureOptions(ocr=False, fetch=kw.pop("fetch", FAST), **kw)


def _warc_records(wacz_bytes: bytes) -> list[tuple[str, str]]:
    from warcio.archiveiterator import ArchiveIterator

    with zipfile.ZipFile(io.BytesIO(wacz_bytes)) as z:
        warc = z.read("archive/data.warc.gz")
    return [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI")) for r in ArchiveIterator(io.BytesIO(warc))]


@pytest.mark.browser
def test_capture_of_a_local_page_is_evidence_that_verifies(case, site, tmp_path):
    urls = [f"{site.base}/old", f"{site.base}/missing", f"{site.base}/doc.pdf", "http://127.0.0.1:9/nothing"]
    report = capture_urls(case, urls, options=_opts(), principal=SYSTEM)
    by_url = {r["url"]: r for r in report["results"]}
    assert report["captured"] == 3 and report["failed"] == 1 and not report["ok"]
    page = by_url[f"{site.base}/old"]
    assert page["status"] == "captured" and page["final_url"] == f"{site.base}/page" and page["http_status"] == 200
    assert by_url["http://127.0.0.1:9/nothing"]["failure"] == "unreachable"
    assert by_url[f"{site.base}/missing"]["http_status"] == 404
    assert any("404" in p for p in by_url[f"{site.base}/missing"]["problems"])

    with case.reader(SYSTEM) as s:
        item = get_item(s, page["item"], operator("t"))
        assert item.media_type == "application/wacz"
        kinds = {f.kind: f for f in item.derived}
        assert {"screenshot", "print", "text", "capture_record"} <= set(kinds)
        wacz = case.blobs.read_bytes(item.sha256)
        shot = case.blobs.read_bytes(kinds["screenshot"].sha256, "derived")
        pdf = case.blobs.read_bytes(kinds["print"].sha256, "derived")
        text = case.blobs.read_bytes(kinds["text"].sha256, "derived").decode()
        log = [custody.event_to_dict(e) for e in custody.custody_log(s, item.id)]
        cap = s.get(WebCapture, page["capture"])
        signature, record_sha = cap.signature, cap.record_sha256
        item_sha = item.sha256
        record = json.loads(case.blobs.read_bytes(kinds["capture_record"].sha256, "derived"))
    assert shot.startswith(b"\x89PNG") and pdf.startswith(b"%PDF")
    assert "کشتار زندانیان سیاسی" in text and "written by script 42" in text  # Persian, and JS-rendered
    assert log[0]["action"] == "capture" and log[0]["details"]["url"] == f"{site.base}/old"
    assert log[0]["details"]["sha256"] == item_sha
    assert record["redirects"] == [f"{site.base}/old"] and record["final_url"] == f"{site.base}/page"
    assert ["X-Test", "yes"] in record["headers"] and record["actor"] == "tester"
    assert record["software"]["dadkhah"] and record["software"]["browser"].startswith("Chromium")
    assert record["files"]["screenshot"]["sha256"] == hashlib.sha256(shot).hexdigest()
    assert signature and record_sha

    out = tmp_path / "page.wacz"
    out.write_bytes(wacz)
    assert validate_wacz(out)[0]
    records = _warc_records(wacz)
    targets = {(t, u) for t, u in records}
    assert ("response", f"{site.base}/old") in targets  # the redirect itself is kept
    assert ("response", f"{site.base}/photo.jpg") in targets and ("request", f"{site.base}/photo.jpg") in targets
    assert ("resource", f"urn:view:{site.base}/page") in targets
    with zipfile.ZipFile(io.BytesIO(wacz)) as z:
        pages = [json.loads(line) for line in z.read("pages/pages.jsonl").splitlines()]
    assert pages[1]["url"] == f"{site.base}/page" and "۱۳۶۷" in pages[1]["text"]

    doc = by_url[f"{site.base}/doc.pdf"]
    assert doc["kind"] == "document" and doc["document_item"]
    with case.reader(SYSTEM) as s:
        d = get_item(s, doc["document_item"], SYSTEM)
        assert d.media_type == "application/pdf" and d.sha256 == hashlib.sha256(site.pdf).hexdigest()

    from dadkhah.store.search import search

    with case.reader(SYSTEM) as s:
        hits = search(s, "زندانیان", principal=operator("t"))
        assert page["item"] in {h.id for h in hits}
        hits = search(s, "Gohardasht", principal=operator("t"))
        assert doc["document_item"] in {h.id for h in hits}
    result = check(case)
    assert result["ok"], result
    assert verify_capture(case, page["capture"], operator("t"))["ok"]


@pytest.mark.browser
def test_recapture_links_the_earlier_capture_with_what_changed(sqlite_case, site):
    url = f"{site.base}/changing"
    first = capture_urls(sqlite_case, [url], options=_opts(), batch="one", principal=SYSTEM)["results"][0]
    second = capture_urls(sqlite_case, [url], options=_opts(), batch="two", principal=SYSTEM)["results"][0]
    assert second["previous"] == first["capture"]
    ch = second["changes"]
    assert ch["text_changed"] and ch["lines_added"] == 1 and ch["lines_removed"] == 1
    assert "screenshot_pdq_distance" in ch and ch["screenshot_identical"] is False
    with sqlite_case.reader(SYSTEM) as s:
        diff = s.get(WebCapture, second["capture"]).changes["diff"]
    removed = [line for line in diff.splitlines() if line.startswith("-Visit number")]
    added = [line for line in diff.splitlines() if line.startswith("+Visit number")]
    assert len(removed) == len(added) == 1 and removed[0][1:] != added[0][1:]
    assert "Stable line" not in "".join(removed + added)


@pytest.mark.browser
def test_slow_and_never_finishing_pages(sqlite_case, site):
    opts = _opts(fetch=FetchOptions(timeout=4, settle=0.2))
    r = capture_urls(sqlite_case, [f"{site.base}/slow", f"{site.base}/forever"], options=opts,
                     principal=SYSTEM)["results"]
    assert r[0]["status"] == "captured"
    assert r[1]["status"] == "captured"
    assert any("had not finished loading" in p for p in r[1]["problems"])
    with sqlite_case.reader(SYSTEM) as s:
        item = get_item(s, r[1]["item"], SYSTEM)
        text = next(f for f in item.derived if f.kind == "text")
        assert "never finishes" in sqlite_case.blobs.read_bytes(text.sha256, "derived").decode()
    quick = _opts(fetch=FetchOptions(timeout=0.5))
    r = capture_urls(sqlite_case, [f"{site.base}/slow"], options=quick, principal=SYSTEM)["results"][0]
    assert r["status"] == "failed" and r["failure"] == "timeout"


def test_each_failure_is_named_and_the_batch_goes_on(sqlite_case, site, tls_site):
    opts = _opts(fetch=FetchOptions(timeout=5, max_bytes=1024 * 1024))
    urls = [f"{site.base}/big", f"{tls_site}/page", "http://127.0.0.1:9/", f"{site.base}/photo.jpg"]
    report = capture_urls(sqlite_case, urls, options=opts, principal=SYSTEM)
    kinds = [r.get("failure") or r["status"] for r in report["results"]]
    assert kinds == ["too_large", "tls", "unreachable", "captured"]
    with sqlite_case.reader(SYSTEM) as s:
        rows = s.query(WebCapture).filter(WebCapture.status == "failed").all()
        assert sorted(r.failure_kind for r in rows) == ["tls", "too_large", "unreachable"]
        photo = get_item(s, report["results"][3]["document_item"], SYSTEM)
        assert photo.media_type == "image/jpeg"


def test_an_interrupted_batch_resumes(sqlite_case, site):
    urls = [f"{site.base}/photo.jpg", f"{site.base}/doc.pdf"]
    seen = []

    def stop_after_first(r):
        seen.append(r)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        capture_urls(sqlite_case, urls, options=_opts(), on_result=stop_after_first, principal=SYSTEM)
    assert len(seen) == 1
    again = capture_urls(sqlite_case, urls, options=_opts(), principal=SYSTEM)
    assert [r["status"] for r in again["results"]] == ["skipped", "captured"]
    assert again["results"][0]["capture"] == seen[0]["capture"]


def test_a_tampered_capture_record_is_caught(sqlite_case, site):
    r = capture_urls(sqlite_case, [f"{site.base}/doc.pdf"], options=_opts(), principal=SYSTEM)["results"][0]
    assert verify_capture(sqlite_case, r["capture"], operator("t"))["ok"]
    with sqlite_case.session() as s:
        cap = s.get(WebCapture, r["capture"])
        sig = bytearray(bytes.fromhex(cap.signature))
        sig[0] ^= 1
        cap.signature = sig.hex()
    v = verify_capture(sqlite_case, r["capture"], operator("t"))
    assert not v["ok"] and v["signature"] == "invalid"


def test_cli_capture_json_and_a_bad_url_list(sqlite_case, site, tmp_path):
    from dadkhah.cli import app

    good = tmp_path / "urls.txt"
    good.write_text(f"# photos\n{site.base}/photo.jpg\n\n")
    runner = CliRunner()
    res = runner.invoke(app, ["--data", str(sqlite_case.data_dir), "capture", "--from", str(good), "--json",
                              "--no-ocr"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["captured"] == 1 and doc["results"][0]["kind"] == "document"
    bad = tmp_path / "bad.txt"
    bad.write_text(f"{site.base}/photo.jpg\nftp://example.org/x\n")
    res = runner.invoke(app, ["--data", str(sqlite_case.data_dir), "capture", "--from", str(bad)])
    assert res.exit_code == 1 and "line 2" in res.output
    res = runner.invoke(app, ["--data", str(sqlite_case.data_dir), "captures", "--json"])
    assert json.loads(res.stdout)[0]["url"] == f"{site.base}/photo.jpg"


def test_warc_keeps_the_page_bytes_exactly(sqlite_case, site):
    """The response record's payload is the image exactly as served (checked through the WACZ's index)."""
    from warcio.archiveiterator import ArchiveIterator

    r = capture_urls(sqlite_case, [f"{site.base}/photo.jpg"], options=_opts(), principal=SYSTEM)["results"][0]
    with sqlite_case.reader(SYSTEM) as s:
        wacz = sqlite_case.blobs.read_bytes(get_item(s, r["item"], SYSTEM).sha256)
    with zipfile.ZipFile(io.BytesIO(wacz)) as z:
        warc = z.read("archive/data.warc.gz")
        assert gzip.decompress(z.read("indexes/index.cdx.gz"))
    payloads = [rec.content_stream().read() for rec in ArchiveIterator(io.BytesIO(warc))
                if rec.rec_type == "response"]
    assert payloads == [site.photo]


@pytest.mark.browser
def test_cli_end_to_end_capture_verify_and_wacz_validate(sqlite_template, site, tmp_path):
    """The Done-when of issue 16, each step a separate process as an investigator would run it:
    `dadkhah capture` of a local page, `dadkhah verify` and `verify-capture` pass, the text is found by
    `dadkhah search`, the custody log has the capture, and the exported WACZ passes `wacz validate`."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    data = tmp_path / "case"
    shutil.copytree(sqlite_template, data)

    def dadkhah(*args: str) -> subprocess.CompletedProcess:
        entry = ["-c", "import sys; from dadkhah.cli import main; sys.argv[0] = 'dadkhah'; main()"]  # the script
        return subprocess.run([sys.executable, *entry, "--data", str(data), "--actor", "investigator", *args],
                              capture_output=True, text=True, timeout=300)

    res = dadkhah("capture", f"{site.base}/old", "--json", "--no-ocr")
    assert res.returncode == 0, res.stderr
    report = json.loads(res.stdout)
    assert report["ok"] and report["captured"] == 1
    page = report["results"][0]
    assert page["final_url"] == f"{site.base}/page" and page["http_status"] == 200

    res = dadkhah("verify", "--json")
    assert res.returncode == 0, res.stdout + res.stderr
    assert json.loads(res.stdout)["status"] == "intact"
    res = dadkhah("verify-capture", page["capture"], "--json")
    assert res.returncode == 0 and json.loads(res.stdout)["ok"], res.stdout + res.stderr

    res = dadkhah("search", "زندانیان", "--json")
    assert res.returncode == 0 and page["item"] in res.stdout, res.stdout + res.stderr
    res = dadkhah("evidence", "show", page["item"], "--json")
    shown = json.loads(res.stdout)
    assert shown["media_type"] == "application/wacz"
    assert {"screenshot", "print", "text", "capture_record"} <= {d["kind"] for d in shown["derived"]}
    capture_event = shown["custody"][0]
    assert capture_event["action"] == "capture" and capture_event["actor"] == "investigator"
    assert capture_event["details"]["sha256"] == shown["sha256"]

    out = tmp_path / "page.wacz"
    res = dadkhah("evidence", "export", page["item"], "-o", str(out), "--purpose", "validation")
    assert res.returncode == 0 and hashlib.sha256(out.read_bytes()).hexdigest() == shown["sha256"], res.stderr
    wacz_cli = Path(sys.executable).parent / "wacz"
    command = [str(wacz_cli)] if wacz_cli.exists() else [sys.executable, "-m", "wacz.main"]
    res = subprocess.run([*command, "validate", "-f", str(out)], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    res = dadkhah("verify", "--json")  # the export is one more custody entry; the case is still intact
    assert res.returncode == 0 and json.loads(res.stdout)["status"] == "intact", res.stdout
