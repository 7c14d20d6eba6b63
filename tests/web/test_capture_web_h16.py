"""The web capture form and the media panels of an evidence page (h16)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from web_helpers import csrf_of

from dadkhah.ingest import IngestOptions, ingest_paths


@pytest.fixture
def photo_server():
    from dadkhah.testing.c2pa_assets import jpeg

    body = jpeg((90, 30, 30), (240, 180))

    class H(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_an_investigator_captures_from_the_form_and_sees_the_capture(web, photo_server):
    c = web.client("investigator")
    form = c.get("/evidence/capture?lang=fa")
    assert form.status_code == 200 and "ثبت صفحه‌های وب" in form.text
    token = csrf_of(c, "/evidence/capture")
    r = c.post("/evidence/capture?lang=fa", data={"urls": f"{photo_server}/photo.jpg\n", "sensitivity": "restricted",
                                                 "csrf_token": token})
    assert r.status_code == 200 and "ثبت شد" in r.text
    import re

    item = re.search(r'href="/evidence/(item-[0-9a-f]{16})"', r.text).group(1)
    page = c.get(f"/evidence/{item}?lang=fa")
    assert page.status_code == 200 and "ثبت وب" in page.text and f"{photo_server}/photo.jpg" in page.text
    bad = c.post("/evidence/capture", data={"urls": "ftp://x.org/a", "csrf_token": token})
    assert bad.status_code == 422 and "line 1" in bad.text


def test_a_viewer_may_not_capture(web):
    c = web.client("viewer", raise_errors=False)
    assert c.get("/evidence/capture").status_code == 403


def test_the_evidence_page_shows_provenance_and_similar_items(web, tmp_path):
    from PIL import Image

    from dadkhah.testing.c2pa_assets import signed_jpeg

    signed = signed_jpeg(tmp_path / "signed.jpg")
    with Image.open(signed) as im:
        im.resize((120, 90)).save(tmp_path / "copy.jpg", quality=70)
    results = {r.path.rsplit("/", 1)[-1]: r.item_id
               for r in ingest_paths(web.case, [tmp_path], options=IngestOptions(ocr=False)).results}
    c = web.client("investigator")
    page = c.get(f"/evidence/{results['signed.jpg']}?lang=fa")
    assert page.status_code == 200
    assert "اعتبارنامه‌ی محتوا (C2PA)" in page.text and "dadkhah test signer" in page.text
    assert "موارد مشابه" in page.text and results["copy.jpg"] in page.text
