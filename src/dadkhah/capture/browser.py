"""Load one URL the way a reader sees it and keep every byte exchanged on the way.

:func:`fetch_page` first asks the server for the URL's headers only (one ``GET`` whose body is not read
unless it is needed), so that a failure is named precisely — unreachable, TLS error, timeout, too large —
and a URL that is not an HTML page (a PDF, an image, a video) is captured as what it is: its bytes,
read up to the size limit. An HTML page is then loaded by headless Chromium through Playwright; every
request and response the browser makes (redirects, images, scripts, XHR) is recorded, the page is
screenshotted (full page, PNG) and printed to PDF, and its rendered text (after scripts ran) is read.

A page that never finishes loading is captured as it stood when the time ran out, and that is said in
``problems``; a page that sends nothing in time is a ``timeout`` failure.
"""

from __future__ import annotations

import datetime as dt
import ssl
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
HTML_TYPES = ("text/html", "application/xhtml+xml")
FAILURE_KINDS = ("invalid", "unreachable", "tls", "timeout", "too_large", "http", "browser")


class CaptureFailure(Exception):
    """A URL that could not be captured; ``kind`` is one of :data:`FAILURE_KINDS`."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


@dataclass
class Exchange:
    """One HTTP request and its response, as the browser (or the probe) saw them."""

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    status: int
    reason: str
    response_headers: list[tuple[str, str]]
    body: bytes
    request_body: bytes | None = None
    http_version: str = "HTTP/1.1"
    when: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


@dataclass
class Fetched:
    url: str  # as asked for
    final_url: str
    status: int
    headers: list[tuple[str, str]]  # of the final document
    content_type: str
    kind: str  # html | document (anything else, captured as itself)
    exchanges: list[Exchange]
    started: dt.datetime
    title: str = ""
    text: str = ""
    screenshot: bytes | None = None
    pdf: bytes | None = None
    dom: str = ""  # the document as rendered (after scripts), serialised
    body: bytes | None = None  # the document's bytes (non-HTML)
    redirects: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    browser_version: str | None = None
    seconds: float = 0.0


@dataclass
class FetchOptions:
    timeout: float = 30.0  # seconds for the whole page to load
    max_bytes: int = 200 * 1024 * 1024  # everything the page loads together
    settle: float = 1.0  # seconds given to scripts after the load event
    user_agent: str | None = None
    viewport: tuple[int, int] = (1280, 900)
    screenshot: bool = True
    pdf: bool = True
    max_screenshot_height: int = 16_000


def _media_type(headers) -> str:
    for k, v in headers:
        if k.lower() == "content-type":
            return v.split(";")[0].strip().lower()
    return ""


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise CaptureFailure("invalid", f"{url!r} is not an http(s) URL")


def _classify(exc: BaseException, url: str) -> CaptureFailure:
    import httpx

    text = str(exc) or type(exc).__name__
    chain = [exc]
    while chain[-1].__cause__ or chain[-1].__context__:
        chain.append(chain[-1].__cause__ or chain[-1].__context__)
        if len(chain) > 8:
            break
    if any(isinstance(e, ssl.SSLError) for e in chain) or "CERTIFICATE" in text.upper() or "SSL" in text.upper():
        return CaptureFailure("tls", f"TLS error talking to {urlsplit(url).netloc}: {text}")
    if isinstance(exc, httpx.TimeoutException):
        return CaptureFailure("timeout", f"{url} sent nothing within the time limit ({type(exc).__name__})")
    if isinstance(exc, (httpx.ConnectError, httpx.NetworkError, httpx.RemoteProtocolError, httpx.ProxyError)):
        return CaptureFailure("unreachable", f"{urlsplit(url).netloc} cannot be reached: {text}")
    return CaptureFailure("unreachable", f"{url} could not be fetched: {text}")


def probe(url: str, options: FetchOptions) -> Fetched:
    """Follow redirects and read the final response's headers; read the body only if it is not HTML."""
    import httpx

    _check_url(url)
    started = dt.datetime.now(dt.UTC)
    exchanges: list[Exchange] = []
    headers = {"User-Agent": options.user_agent or "Mozilla/5.0 (X11; Linux x86_64) dadkhah-capture"}
    current = url
    deadline = time.monotonic() + options.timeout
    try:
        with httpx.Client(timeout=httpx.Timeout(options.timeout), follow_redirects=False, verify=True) as client:
            for _ in range(21):
                req = client.build_request("GET", current, headers=headers)
                resp = client.send(req, stream=True)
                try:
                    resp_headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in resp.headers.raw]
                    ctype = _media_type(resp_headers)
                    ex = Exchange(current, "GET", [(k, v) for k, v in req.headers.items()], resp.status_code,
                                  resp.reason_phrase, resp_headers, b"", http_version=resp.http_version)
                    if resp.is_redirect and resp.headers.get("location"):
                        exchanges.append(ex)
                        current = str(resp.url.join(resp.headers["location"]))
                        continue
                    declared = int(resp.headers.get("content-length") or 0)
                    if declared > options.max_bytes:
                        raise CaptureFailure("too_large", f"{current} is {declared} bytes, over the "
                                                          f"{options.max_bytes}-byte limit")
                    fetched = Fetched(url, current, resp.status_code, resp_headers, ctype,
                                      "html" if (ctype in HTML_TYPES or not ctype) else "document",
                                      exchanges, started, redirects=[e.url for e in exchanges])
                    if fetched.kind == "document":
                        body = bytearray()
                        for chunk in resp.iter_bytes(1 << 16):
                            body += chunk
                            if len(body) > options.max_bytes:
                                raise CaptureFailure("too_large", f"{current} sent more than "
                                                                  f"{options.max_bytes} bytes")
                            if time.monotonic() > deadline:
                                raise CaptureFailure("timeout", f"{current} did not finish sending within "
                                                                f"{options.timeout:g} s")
                        ex.body = bytes(body)
                        # httpx decodes Content-Encoding; the stored headers must describe the stored bytes
                        ex.response_headers = _identity_headers(resp_headers, len(ex.body))
                        fetched.body, fetched.headers = ex.body, ex.response_headers
                        exchanges.append(ex)
                    return fetched
                finally:
                    resp.close()
            raise CaptureFailure("http", f"{url} redirects more than 20 times")
    except CaptureFailure:
        raise
    except Exception as exc:  # noqa: BLE001 - every network error is named by _classify
        raise _classify(exc, current) from None


def _identity_headers(headers: list[tuple[str, str]], length: int) -> list[tuple[str, str]]:
    """Headers for a body stored decoded: the original encoding kept under another name, a true length."""
    out = []
    for k, v in headers:
        low = k.lower()
        if low in ("content-encoding", "transfer-encoding"):
            out.append((f"X-Archive-Orig-{k}", v))
        elif low == "content-length":
            out.append((f"X-Archive-Orig-{k}", v))
        else:
            out.append((k, v))
    out.append(("Content-Length", str(length)))
    return out


def fetch_page(url: str, options: FetchOptions | None = None, *, browser=None) -> Fetched:
    """Capture ``url``; raises :class:`CaptureFailure` naming why it could not be captured."""
    options = options or FetchOptions()
    t0 = time.monotonic()
    fetched = probe(url, options)
    if fetched.kind == "html":
        if browser is None:
            with Browser() as b:
                load_in_browser(b, fetched, options)
        else:
            load_in_browser(browser, fetched, options)
    fetched.seconds = time.monotonic() - t0
    return fetched


class Browser:
    """One headless Chromium, reused for a batch of captures (a fresh context per page)."""

    def __init__(self, executable: str = CHROMIUM):
        self.executable = executable
        self._pw = None
        self.browser = None

    def __enter__(self) -> Browser:
        from pathlib import Path

        from playwright.sync_api import sync_playwright

        if not Path(self.executable).exists():
            raise CaptureFailure("browser", f"Chromium is not installed at {self.executable} "
                                            "(Debian: apt-get install chromium)")
        self._pw = sync_playwright().start()
        try:
            self.browser = self._pw.chromium.launch(executable_path=self.executable, args=CHROMIUM_FLAGS)
        except Exception as exc:
            self._pw.stop()
            raise CaptureFailure("browser", f"Chromium could not be started: {exc}") from None
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self.browser is not None:
                self.browser.close()
        finally:
            if self._pw is not None:
                self._pw.stop()

    @property
    def version(self) -> str:
        return self.browser.version if self.browser is not None else ""


def load_in_browser(b: Browser, fetched: Fetched, options: FetchOptions) -> None:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    fetched.browser_version = f"Chromium {b.version}"
    context = b.browser.new_context(viewport={"width": options.viewport[0], "height": options.viewport[1]},
                                    user_agent=options.user_agent, accept_downloads=False,
                                    service_workers="block")
    responses: list = []
    page = context.new_page()
    page.on("response", lambda r: responses.append(r))
    finished: set[int] = set()  # requests whose body has fully arrived (or failed)
    page.on("requestfinished", lambda r: finished.add(id(r)))
    main_response = None
    try:
        try:
            main_response = page.goto(fetched.url, wait_until="load", timeout=options.timeout * 1000)
        except PlaywrightTimeout:
            main_response = _main_response(responses, fetched)
            if main_response is None:
                raise CaptureFailure("timeout", f"{fetched.url} sent no page within {options.timeout:g} s") from None
            fetched.problems.append(f"the page had not finished loading after {options.timeout:g} s: "
                                    "captured as it stood then")
        except PlaywrightError as exc:
            raise _browser_failure(exc, fetched.url) from None
        if main_response is None:
            raise CaptureFailure("browser", f"Chromium loaded nothing for {fetched.url}")
        try:
            page.wait_for_load_state("networkidle", timeout=options.settle * 1000)
        except PlaywrightTimeout:
            pass
        page.wait_for_timeout(min(250, options.settle * 1000))
        fetched.final_url = page.url
        fetched.status = main_response.status
        fetched.headers = [(h["name"], h["value"]) for h in main_response.headers_array()]
        fetched.content_type = _media_type(fetched.headers) or "text/html"
        fetched.redirects = _redirect_chain(main_response)
        try:
            fetched.title = page.title()
            fetched.text = page.evaluate("() => document.body ? document.body.innerText : ''") or ""
            fetched.dom = page.content()
        except PlaywrightError as exc:
            fetched.problems.append(f"the page text could not be read: {exc}")
        if options.screenshot:
            fetched.screenshot = _screenshot(page, options, fetched)
        if options.pdf:
            try:
                fetched.pdf = page.pdf(print_background=True)
            except PlaywrightError as exc:
                fetched.problems.append(f"the page could not be printed to PDF: {exc}")
        fetched.exchanges = _exchanges(responses, finished, options, fetched)
    finally:
        try:
            context.close()
        except PlaywrightError:
            pass


def _screenshot(page, options: FetchOptions, fetched: Fetched) -> bytes | None:
    from playwright.sync_api import Error as PlaywrightError

    try:
        height = page.evaluate("() => document.documentElement ? document.documentElement.scrollHeight : 0") or 0
        if height > options.max_screenshot_height:
            fetched.problems.append(f"the page is {height} px tall: the screenshot keeps the first "
                                    f"{options.max_screenshot_height} px")
            return page.screenshot(clip={"x": 0, "y": 0, "width": options.viewport[0],
                                         "height": options.max_screenshot_height}, full_page=True)
        return page.screenshot(full_page=True)
    except PlaywrightError as exc:
        fetched.problems.append(f"no screenshot could be taken: {exc}")
        return None


def _main_response(responses: list, fetched: Fetched):
    for r in responses:
        if r.request.is_navigation_request() and r.request.frame.parent_frame is None and r.status < 300:
            return r
    return None


def _redirect_chain(response) -> list[str]:
    chain = []
    req = response.request.redirected_from
    while req is not None:
        chain.append(req.url)
        req = req.redirected_from
    return list(reversed(chain))


def _browser_failure(exc, url: str) -> CaptureFailure:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if "ERR_CERT" in text or "ERR_SSL" in text:
        return CaptureFailure("tls", f"TLS error loading {url}: {text}")
    if "ERR_CONNECTION" in text or "ERR_NAME_NOT_RESOLVED" in text or "ERR_ADDRESS" in text:
        return CaptureFailure("unreachable", f"{url} cannot be reached: {text}")
    if "ERR_TIMED_OUT" in text:
        return CaptureFailure("timeout", f"{url} timed out: {text}")
    return CaptureFailure("browser", f"Chromium could not load {url}: {text}")


def _exchanges(responses: list, finished: set[int], options: FetchOptions, fetched: Fetched) -> list[Exchange]:
    from playwright.sync_api import Error as PlaywrightError

    out: list[Exchange] = []
    total = 0
    seen: set[int] = set()
    for r in responses:
        if id(r) in seen:
            continue
        seen.add(id(r))
        req = r.request
        if not req.url.startswith(("http://", "https://")):
            continue
        try:
            resp_headers = [(h["name"], h["value"]) for h in r.headers_array()]
            req_headers = [(h["name"], h["value"]) for h in req.headers_array()]
        except PlaywrightError:
            continue
        body = b""
        if not (300 <= r.status < 400) and id(req) not in finished:
            fetched.problems.append(f"{req.url} was still loading when the page was captured: "
                                    "recorded without its body")
        elif not (300 <= r.status < 400):
            try:
                body = r.body()
            except PlaywrightError:
                fetched.problems.append(f"the body of {req.url} was not available to record")
        total += len(body)
        if total > options.max_bytes:
            raise CaptureFailure("too_large", f"the page loaded more than {options.max_bytes} bytes")
        when = dt.datetime.now(dt.UTC)
        try:
            timing = r.request.timing
            if timing and timing.get("startTime", 0) > 0:
                when = dt.datetime.fromtimestamp(timing["startTime"] / 1000, dt.UTC)
        except (PlaywrightError, AttributeError, ValueError, OSError):
            pass
        version = "HTTP/1.1"
        out.append(Exchange(req.url, req.method, req_headers, r.status, r.status_text or "",
                            _identity_headers(resp_headers, len(body)) if body or r.status < 300 else resp_headers,
                            body, request_body=req.post_data_buffer, http_version=version, when=when))
    return out
