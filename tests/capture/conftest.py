"""A local web site for the capture tests (no outside network): pages with images, a redirect, text
written by JavaScript, a 404, a slow page, a Persian page, a page that never finishes loading, a PDF,
a photo, an over-large download, a page that changes on every visit, and an HTTPS server whose
certificate nobody trusts."""

from __future__ import annotations

import datetime as dt
import io
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

PAGE = """<!doctype html><html lang="fa" dir="rtl"><head><meta charset="utf-8"><title>اعدام‌های ۱۳۶۷</title></head>
<body><h1>کشتار زندانیان سیاسی در تابستان ۱۳۶۷</h1>
<p>Prisoners were executed in Evin and Gohardasht.</p>
<img src="/photo.jpg" alt="photo"><p id="late"></p>
<script>document.getElementById("late").textContent = "written by script " + (6 * 7);</script>
</body></html>"""

FOREVER_HEAD = """<!doctype html><html><head><meta charset="utf-8"><title>Never done</title></head>
<body><p>The first part of a page that never finishes.</p><img src="/hang.png">"""


def _jpeg(seed: int = 0) -> bytes:
    from PIL import Image, ImageDraw

    im = Image.new("RGB", (320, 240), (30 + seed, 90, 160))
    d = ImageDraw.Draw(im)
    for i in range(0, 320, 40):
        d.rectangle([i, (i * 3) % 200, i + 25, (i * 3) % 200 + 30], fill=(220, 200 - i // 2, 40))
    d.ellipse([100, 60, 220, 180], fill=(250, 250, 250))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def _pdf() -> bytes:
    from weasyprint import HTML

    return HTML(string="<p>Report on Gohardasht prison, summer 1988.</p>").write_pdf()


class Site:
    def __init__(self):
        self.photo = _jpeg()
        self.pdf = _pdf()
        self.visits: dict[str, int] = {}
        self.stop = threading.Event()


def _handler(site: Site):
    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def _send(self, status, body: bytes, ctype: str, extra=()):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in extra:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):  # noqa: N802
            path = self.path.split("?")[0]
            site.visits[path] = site.visits.get(path, 0) + 1
            html = "text/html; charset=utf-8"
            if path == "/page":
                self._send(200, PAGE.encode(), html, [("X-Test", "yes")])
            elif path == "/old":
                self._send(302, b"", html, [("Location", "/page")])
            elif path == "/photo.jpg":
                self._send(200, site.photo, "image/jpeg")
            elif path == "/doc.pdf":
                self._send(200, site.pdf, "application/pdf")
            elif path == "/missing":
                self._send(404, b"<html><body><h1>Not found</h1></body></html>", html)
            elif path == "/slow":
                time.sleep(1.5)
                self._send(200, b"<html><body><p>slow but here</p></body></html>", html)
            elif path == "/changing":
                n = site.visits[path]
                body = f"<html><body><p>Stable line</p><p>Visit number {n}</p></body></html>"
                self._send(200, body.encode(), html)
            elif path == "/big":
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(50 * 1024 * 1024))
                self.end_headers()
                self.wfile.write(b"\0" * 1024)
            elif path in ("/forever", "/hang.png"):
                self.send_response(200)
                self.send_header("Content-Type", html if path == "/forever" else "image/png")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                if path == "/forever":
                    data = FOREVER_HEAD.encode()
                    self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                    self.wfile.flush()
                site.stop.wait(30)
            else:
                self._send(404, b"not here", "text/plain")

    return H


def _serve(server):
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    return t


@pytest.fixture(scope="module")
def site():
    s = Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(s))
    server.daemon_threads = True
    _serve(server)
    s.base = f"http://127.0.0.1:{server.server_address[1]}"
    yield s
    s.stop.set()
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def tls_site(tmp_path_factory):
    """An HTTPS server with a self-signed certificate (a TLS error for any client that checks)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    d = tmp_path_factory.mktemp("tls")
    (d / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (d / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                  serialization.NoEncryption()))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(d / "cert.pem", d / "key.pem")
    s = Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(s))
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    _serve(server)
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
