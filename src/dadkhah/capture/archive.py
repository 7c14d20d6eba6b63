"""WARC records of a capture, packaged as a WACZ (Web Archive Collection Zipped, 1.1.1).

The WARC (ISO 28500, written with ``warcio``) holds, in order: a ``warcinfo`` record naming the software
and the capturing actor; a ``request`` and a ``response`` record for every exchange (redirects, the
page, its images, scripts and XHR), linked by ``WARC-Concurrent-To``; and ``resource`` records for what
the browser made of the page, named as Browsertrix names them — ``urn:view:URL`` (the full-page PNG
screenshot), ``urn:pdf:URL`` (the PDF print), ``urn:text:URL`` (the rendered text) and
``urn:dom:URL`` (the document as scripts left it).

:func:`make_wacz` packages it with the ``wacz`` tool: ``archive/data.warc.gz``, a CDXJ index,
``pages/pages.jsonl`` (the page with its title and full text, so replay tools can search it) and
``datapackage.json`` with the SHA-256 of every file; :func:`validate_wacz` runs ``wacz validate``.
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from dadkhah.capture.browser import Exchange, Fetched


def _http_headers(ex: Exchange):
    from warcio.statusandheaders import StatusAndHeaders

    reason = ex.reason or ""
    return StatusAndHeaders(f"{ex.status} {reason}".strip(), ex.response_headers, protocol=ex.http_version)


def _request_headers(ex: Exchange):
    from warcio.statusandheaders import StatusAndHeaders

    parts = urlsplit(ex.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = list(ex.request_headers)
    if not any(k.lower() == "host" for k, _ in headers):
        headers.insert(0, ("Host", parts.netloc))
    return StatusAndHeaders(f"{ex.method} {target} {ex.http_version}", headers, is_http_request=True)


def _warc_date(when) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def write_warc(path: Path, fetched: Fetched, *, software: str, actor: str) -> int:
    """Write the capture as a gzipped WARC at ``path``; returns the number of records."""
    from warcio.warcwriter import WARCWriter

    n = 0
    with open(path, "wb") as f:
        w = WARCWriter(f, gzip=True, warc_version="1.1")
        info = w.create_warcinfo_record(path.name, {
            "software": software, "format": "WARC File Format 1.1",
            "isPartOf": "dadkhah web capture", "operator": actor,
            "description": f"capture of {fetched.url}", "http-header-user-agent": "headless Chromium",
            **({"browser": fetched.browser_version} if fetched.browser_version else {}),
        })
        w.write_record(info)
        n += 1
        for ex in fetched.exchanges:
            date = _warc_date(ex.when)
            resp = w.create_warc_record(ex.url, "response", payload=io.BytesIO(ex.body),
                                        http_headers=_http_headers(ex),
                                        warc_headers_dict={"WARC-Date": date})
            req = w.create_warc_record(ex.url, "request", payload=io.BytesIO(ex.request_body or b""),
                                       http_headers=_request_headers(ex),
                                       warc_headers_dict={"WARC-Date": date})
            req.rec_headers.add_header("WARC-Concurrent-To", resp.rec_headers.get_header("WARC-Record-ID"))
            w.write_record(resp)
            w.write_record(req)
            n += 2
        date = _warc_date(fetched.started)
        for urn, data, ctype in (("view", fetched.screenshot, "image/png"), ("pdf", fetched.pdf, "application/pdf"),
                                 ("text", fetched.text.encode("utf-8") if fetched.text else None,
                                  "text/plain; charset=utf-8"),
                                 ("dom", fetched.dom.encode("utf-8") if fetched.dom else None,
                                  "text/html; charset=utf-8")):
            if data:
                rec = w.create_warc_record(f"urn:{urn}:{fetched.final_url}", "resource", payload=io.BytesIO(data),
                                           warc_content_type=ctype, warc_headers_dict={"WARC-Date": date})
                w.write_record(rec)
                n += 1
    return n


def pages_jsonl(fetched: Fetched) -> bytes:
    header = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages", "hasText": bool(fetched.text)}
    page = {"id": "page-1", "url": fetched.final_url, "ts": _warc_date(fetched.started),
            "title": fetched.title or fetched.final_url, "text": fetched.text or "",
            "status": fetched.status, "mime": fetched.content_type}
    return (json.dumps(header, ensure_ascii=False) + "\n" + json.dumps(page, ensure_ascii=False) + "\n").encode()


def make_wacz(fetched: Fetched, output: Path, *, software: str, actor: str) -> dict:
    """Write the WACZ of ``fetched`` at ``output``; returns ``{"records": n, "warc_sha256": …}``."""
    from wacz.main import main as wacz_main

    from dadkhah.vault.blobs import hash_file

    with tempfile.TemporaryDirectory(prefix="dadkhah-wacz-") as tmp:
        warc = Path(tmp) / "data.warc.gz"
        n = write_warc(warc, fetched, software=software, actor=actor)
        pages = Path(tmp) / "pages.jsonl"
        pages.write_bytes(pages_jsonl(fetched))
        log = io.StringIO()
        with contextlib.redirect_stdout(log):
            rc = wacz_main(["create", "-o", str(output), "-p", str(pages), "-c",
                            "--title", (fetched.title or fetched.final_url)[:500],
                            "--desc", f"captured by {actor} with {software}", str(warc)])
        if rc not in (0, None) or not output.exists():
            raise RuntimeError("the WACZ could not be written: " + log.getvalue().strip()[-500:])
        return {"records": n, "warc_sha256": hash_file(warc)[0]}


def validate_wacz(path: Path) -> tuple[bool, str]:
    """Run ``wacz validate`` on ``path``; returns (valid, what it said)."""
    from wacz.main import main as wacz_main

    log = io.StringIO()
    with contextlib.redirect_stdout(log):
        try:
            rc = wacz_main(["validate", "-f", str(path)])
        except Exception as exc:  # noqa: BLE001 - the validator's own crash is a failed validation
            return False, f"wacz validate failed: {exc}"
    return rc == 0, log.getvalue().strip()
