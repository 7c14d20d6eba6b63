"""Captures per minute of a 50-page local web site, beside a bare Playwright loop in the same run.

The site (served from this process, no outside network): 50 pages, each with Persian and English
text, two images, a stylesheet and a script that writes part of the text. ``dadkhah`` does all of a
capture — probe, Chromium load, every exchange as WARC records, a validated WACZ, full-page
screenshot, PDF print, text, signed record, custody, PDQ of the screenshot, into a fresh SQLite case.
The peer is the least a screenshot tool does: one Chromium, ``goto`` + full-page screenshot + PDF per
page, nothing stored.

    .venv/bin/python bench/capture/bench_capture.py [--pages 50] [--repeats 3]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from dadkhah.access import SYSTEM

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))


def site_handler(pages: int):
    from PIL import Image

    images = {}
    for i in range(8):
        buf = io.BytesIO()
        Image.new("RGB", (400, 300), (30 * i % 255, 120, 200 - 20 * i)).save(buf, "JPEG", quality=85)
        images[f"/img{i}.jpg"] = buf.getvalue()
    css = b"body{font-family:sans-serif;max-width:60em;margin:auto} img{max-width:45%}"

    def page(n: int) -> bytes:
        paras = "".join(f"<p>بند {k} از صفحه‌ی {n}: گزارش زندان گوهردشت، تابستان ۱۳۶۷. Paragraph {k} of page {n}: "
                        "testimony about the prison, the committee and the transfers.</p>" for k in range(12))
        links = "".join(f'<a href="/p{(n + d) % pages}.html">next {d}</a> ' for d in (1, 2, 3))
        return (f'<!doctype html><html><head><meta charset="utf-8"><title>Page {n}</title>'
                f'<link rel="stylesheet" href="/style.css"></head><body><h1>صفحه {n}</h1>{paras}'
                f'<img src="/img{n % 8}.jpg"><img src="/img{(n + 3) % 8}.jpg"><p id="js"></p>{links}'
                f'<script>document.getElementById("js").textContent="rendered "+{n}</script></body></html>').encode()

    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def do_GET(self):  # noqa: N802
            if self.path in images:
                body, ctype = images[self.path], "image/jpeg"
            elif self.path == "/style.css":
                body, ctype = css, "text/css"
            elif self.path.startswith("/p") and self.path.endswith(".html"):
                body, ctype = page(int(self.path[2:-5])), "text/html; charset=utf-8"
            else:
                body, ctype = b"no", "text/plain"
                self.send_response(404)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return H


class QuietServer(ThreadingHTTPServer):
    """The capture's probe closes a connection once it has the headers: not an error worth a traceback."""

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)


def run_dadkhah(urls: list[str]) -> float:
    from dadkhah.capture.browser import FetchOptions
    from dadkhah.capture.service import CaptureOptions, capture_urls
    from dadkhah.case import Case

    with tempfile.TemporaryDirectory(prefix="bench-capture-") as tmp:
        with Case.open(data_dir=tmp, create=True, actor="bench") as case:
            t0 = time.perf_counter()
            report = capture_urls(case, urls, options=CaptureOptions(fetch=FetchOptions(settle=0.3)), principal=SYSTEM)
            elapsed = time.perf_counter() - t0
    assert report["captured"] == len(urls), report
    return elapsed


def run_bare(urls: list[str]) -> float:
    from playwright.sync_api import sync_playwright

    from dadkhah.capture.browser import CHROMIUM, CHROMIUM_FLAGS

    t0 = time.perf_counter()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        for u in urls:
            ctx = b.new_context(viewport={"width": 1280, "height": 900})
            page = ctx.new_page()
            page.goto(u, wait_until="load")
            page.screenshot(full_page=True)
            page.pdf()
            ctx.close()
        b.close()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=50)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    server = QuietServer(("127.0.0.1", 0), site_handler(args.pages))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    urls = [f"http://127.0.0.1:{server.server_address[1]}/p{n}.html" for n in range(args.pages)]
    ours, bare = [], []
    print(f"{args.pages} pages, {args.repeats} runs each, load average at start {os.getloadavg()[0]:.1f}", flush=True)
    for i in range(args.repeats):  # alternated, so a change in the machine's load falls on both
        t = run_dadkhah(urls)
        ours.append(args.pages / t * 60)
        print(f"  run {i + 1}: dadkhah {t:.1f} s = {ours[-1]:.1f} captures/min", flush=True)
        t = run_bare(urls)
        bare.append(args.pages / t * 60)
        print(f"  run {i + 1}: bare    {t:.1f} s = {bare[-1]:.1f} pages/min  (load {os.getloadavg()[0]:.1f})",
              flush=True)
    server.shutdown()
    med_o, med_b = statistics.median(ours), statistics.median(bare)
    print(f"dadkhah capture:       {med_o:.1f} captures/min (runs: {', '.join(f'{x:.1f}' for x in ours)})")
    print(f"bare Playwright loop:  {med_b:.1f} pages/min    (runs: {', '.join(f'{x:.1f}' for x in bare)})")
    print(f"ratio dadkhah / bare:  {med_o / med_b:.2f}")


if __name__ == "__main__":
    main()
