"""The composition root of the web application.

    app = create_app(case)          # a FastAPI app over one open case
    serve(case, host, port)         # run it with uvicorn (blocking); used by `dadkhah serve` and `demo --serve`

Pages are server-rendered (Jinja2) under ``/``; the REST API lives under ``/api`` with its OpenAPI
description at ``/api/openapi.json``. Every route reads through :class:`dadkhah.web.context.Ctx`, so
the access layer (:mod:`dadkhah.access`) filters every query by the caller's role.
"""

from __future__ import annotations

import os
import re
import sys
from contextlib import asynccontextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlparse

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from dadkhah.access import Forbidden
from dadkhah.errors import InputError, NotFound
from dadkhah.web.context import AccountCache, AuthRequired, CsrfFailed, resolve_ctx
from dadkhah.web.security import LoginLimiter

STATIC = Path(__file__).parent / "static"


@dataclass
class Settings:
    """How the application runs (environment variables in brackets)."""

    tiles: str | None = None  # map tile URL template [DADKHAH_MAP_TILES]; none: the bundled outline only
    tiles_attribution: str = ""  # [DADKHAH_MAP_ATTRIBUTION]
    secure_cookies: bool = False  # set the Secure flag (behind HTTPS) [DADKHAH_SECURE_COOKIES=1]
    max_upload_mb: int = 512  # [DADKHAH_MAX_UPLOAD_MB]
    threads: int = 16  # requests served at once by one process (the rest queue) [DADKHAH_WEB_THREADS]
    writers: int = 4  # of which writes at most (writes queue on the audit chain's lock) [DADKHAH_WEB_WRITERS]

    @classmethod
    def from_env(cls) -> Settings:
        return cls(tiles=os.environ.get("DADKHAH_MAP_TILES") or None,
                   tiles_attribution=os.environ.get("DADKHAH_MAP_ATTRIBUTION", ""),
                   secure_cookies=os.environ.get("DADKHAH_SECURE_COOKIES", "") in ("1", "true", "yes"),
                   max_upload_mb=int(os.environ.get("DADKHAH_MAX_UPLOAD_MB", "512")),
                   threads=int(os.environ.get("DADKHAH_WEB_THREADS", "16")),
                   writers=int(os.environ.get("DADKHAH_WEB_WRITERS", "4")))

    @property
    def tile_origin(self) -> str:
        if not self.tiles:
            return ""
        u = urlparse(self.tiles.replace("{s}", "a"))
        host = u.netloc.replace("a.", "*.", 1) if "{s}" in self.tiles else u.netloc
        return f"{u.scheme}://{host}"


SWITCH_INTERVAL_S = 0.001

# Modules the request handlers import on first use, and the page templates: loaded at start-up instead.
WARM_MODULES = ("dadkhah.web.users", "dadkhah.web.editing", "dadkhah.web.security", "dadkhah.records",
                "dadkhah.claims.service", "dadkhah.vault.testimony", "dadkhah.vault.evidence", "dadkhah.vault.witness",
                "dadkhah.linkage.review", "dadkhah.model.vocab", "dadkhah.dates")


def warm_up(case) -> None:
    """Prepare a server process before its first request (``dadkhah serve`` calls it in each process),
    then take what it has loaded out of the garbage collector's sight.

    A full collection walks every object the process holds — about 180,000 after start-up, which takes
    100–150 ms with the interpreter locked: every request in the process stalls meanwhile, and under load
    that was most of the slowest 1 % of responses. ``gc.freeze()`` moves the start-up objects to a
    permanent generation that collections skip; what requests allocate is collected as usual.

    Request threads spend most of their time waiting for the database; when a query returns, its thread
    waits for the interpreter lock until the thread holding it gives it up, by default after 5 ms. A
    request makes 5–15 queries, so under load those waits added up; the server hands the lock over after
    1 ms instead (``DADKHAH_WEB_SWITCH_INTERVAL``, seconds).
    """
    import gc
    import importlib

    from dadkhah.web.render import TEMPLATES, environment

    for name in WARM_MODULES:
        importlib.import_module(name)
    env = environment()
    for template in sorted(TEMPLATES.glob("*.html")):
        env.get_template(template.name)
    with case.engine.connect():  # one pooled connection ready
        pass
    gc.collect()
    gc.freeze()
    sys.setswitchinterval(float(os.environ.get("DADKHAH_WEB_SWITCH_INTERVAL", SWITCH_INTERVAL_S)))


def create_app(case, settings: Settings | None = None) -> FastAPI:
    """A web application over ``case`` (an open :class:`dadkhah.case.Case`)."""
    from dadkhah.web import api, pages

    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(_app):
        # Fewer threads than anyio's default 40: requests that hold a database transaction finish sooner
        # when they do not share the interpreter with dozens of others; the rest wait their turn.
        import anyio.to_thread

        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="dadkhah API",
        version="1",
        description="REST API of a dadkhah case: records, claims with their sources, search, evidence, "
                    "testimony, linkage review. Authenticate with `Authorization: Bearer <token>` "
                    "(`dadkhah users token NAME`). What you see depends on your role.",
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.case = case
    app.state.settings = settings
    app.state.limiter = LoginLimiter()
    app.state.accounts = AccountCache()
    app.state.dashboard_cache = {}  # figures per reading level, a few seconds fresh (pages/dashboard.py)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    _install_error_handlers(app)
    app.add_middleware(ResponseCookies, settings=settings)
    app.add_middleware(WriteGate, limit=settings.writers)
    return app


# --- errors ---------------------------------------------------------------------------------------

def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api")


def _error_page(request: Request, status: int, key: str, detail: str = ""):
    from dadkhah.web.render import page

    try:
        ctx = resolve_ctx(request)
    except AuthRequired:
        return JSONResponse({"detail": "invalid API token"}, status_code=401)
    return page(ctx, "error.html", status_code=status, key=key, detail=detail)


def _install_error_handlers(app: FastAPI) -> None:
    from starlette.concurrency import run_in_threadpool

    async def _page(request, status, key, detail=""):
        return await run_in_threadpool(_error_page, request, status, key, detail)

    @app.exception_handler(AuthRequired)
    async def _auth(request: Request, exc: AuthRequired):
        if _is_api(request):
            return JSONResponse({"detail": "authentication required: log in, or send "
                                           "'Authorization: Bearer <token>'"},
                                status_code=401, headers={"WWW-Authenticate": "Bearer"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden):
        if _is_api(request):
            return JSONResponse({"detail": str(exc)}, status_code=403)
        return await _page(request, 403, "error.forbidden")

    @app.exception_handler(CsrfFailed)
    async def _csrf(request: Request, exc: CsrfFailed):
        if _is_api(request):
            return JSONResponse({"detail": "CSRF token missing or wrong (send the dk_csrf cookie value in "
                                           "the X-CSRF-Token header)"}, status_code=403)
        return await _page(request, 403, "error.csrf")

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound):
        if _is_api(request):
            return JSONResponse({"detail": str(exc)}, status_code=404)
        return await _page(request, 404, "error.not_found")

    @app.exception_handler(InputError)
    async def _input(request: Request, exc: InputError):
        if _is_api(request):
            return JSONResponse({"detail": exc.describe(), "field": exc.field}, status_code=422)
        return await _page(request, 400, "error.input", exc.describe())

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        errors = [{k: v for k, v in e.items() if k in ("loc", "msg", "type")} for e in exc.errors()]
        if _is_api(request):
            return JSONResponse({"detail": errors}, status_code=422)
        detail = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in errors)
        return await _page(request, 400, "error.input", detail)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        if _is_api(request) or request.url.path.startswith("/static"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code,
                                headers=getattr(exc, "headers", None))
        key = {404: "error.not_found", 403: "error.forbidden", 405: "error.method"}.get(exc.status_code,
                                                                                      "error.generic")
        return await _page(request, exc.status_code, key)


# --- concurrency -----------------------------------------------------------------------------------

class WriteGate:
    """Pure ASGI middleware: at most ``limit`` writing requests (POST, PUT, PATCH, DELETE) run at once.

    Every write appends to the audit chain, which PostgreSQL serialises with a lock; without a gate,
    writers waiting for that lock would occupy every worker thread and reads would queue behind them.
    Uploads are not gated (they stream for long, and write in batches of their own)."""

    UNGATED = ("/api/evidence", "/evidence")

    def __init__(self, app, limit: int = 4):
        self.app, self.limit = app, max(1, limit)
        self._semaphore = None

    async def __call__(self, scope, receive, send):
        if (scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS")
                or scope.get("path", "").startswith(self.UNGATED)):
            return await self.app(scope, receive, send)
        if self._semaphore is None:
            import anyio

            self._semaphore = anyio.Semaphore(self.limit)
        async with self._semaphore:
            await self.app(scope, receive, send)


# --- cookies and security headers -----------------------------------------------------------------

class ResponseCookies:
    """Pure ASGI middleware: sets the cookies a request's context asked for, and security headers."""

    def __init__(self, app, settings: Settings):
        self.app, self.settings = app, settings
        img = "'self' data: blob:" + (f" {settings.tile_origin}" if settings.tile_origin else "")
        self.csp = (f"default-src 'self'; img-src {img}; style-src 'self' 'unsafe-inline'; script-src 'self'; "
                    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        raw = (scope.get("raw_path") or b"") + b"?" + (scope.get("query_string") or b"")
        if b"%00" in raw or b"\x00" in raw:
            response = JSONResponse({"detail": "NUL characters are not allowed in the address"}, status_code=400)
            return await self._send_with_headers(response, scope, receive, send)
        problem = _paging_problem(scope.get("query_string") or b"")
        if problem:  # every list page and API list: a huge or negative offset is the caller's error, not a 500
            if scope.get("path", "").startswith("/api"):
                response = JSONResponse({"detail": problem, "field": problem.split(" ", 1)[0]}, status_code=400)
            else:
                from starlette.responses import HTMLResponse

                response = HTMLResponse(BAD_PAGING_PAGE, status_code=400)
            return await self._send_with_headers(response, scope, receive, send)
        started = False

        async def send_with_cookies(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": self._headers(scope, list(message.get("headers", [])))}
            await send(message)

        try:
            await self.app(scope, receive, send_with_cookies)
        except Exception:  # a 500 still carries the security headers (and says nothing of the cause)
            if started:
                raise
            import logging

            logging.getLogger("dadkhah.web").exception("unhandled error on %s", scope.get("path"))
            if scope.get("path", "").startswith("/api"):
                response = JSONResponse({"detail": "internal server error"}, status_code=500)
            else:
                from starlette.responses import HTMLResponse

                response = HTMLResponse(SERVER_ERROR_PAGE, status_code=500)
            await self._send_with_headers(response, scope, receive, send)

    async def _send_with_headers(self, response, scope, receive, send):
        async def send_headers(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": self._headers(scope, list(message.get("headers", [])),
                                                               cookies=False)}
            await send(message)

        await response(scope, receive, send_headers)

    def _headers(self, scope, headers: list, *, cookies: bool = True) -> list:
        """The security headers on every response — pages, the API, ``/static/*``, errors and 500s."""
        if cookies:
            ctx = scope.get("state", {}).get("ctx")
            for name, value in (getattr(ctx, "cookies", None) or {}).items():
                headers.append((b"set-cookie", _cookie(name, value, self.settings).encode("latin-1")))
        present = {k.lower() for k, _ in headers}
        for name, value in ((b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
                            (b"referrer-policy", b"same-origin"), (b"content-security-policy", self.csp.encode()),
                            (b"cross-origin-opener-policy", b"same-origin")):
            if name not in present:
                headers.append((name, value))
        path = scope.get("path", "")
        if not path.startswith(("/api/evidence", "/static")) and b"cache-control" not in present:
            headers.append((b"cache-control", b"no-store"))
        return headers


MAX_OFFSET = 10_000_000  # more rows than any list holds; larger is refused, not passed to the database
SERVER_ERROR_PAGE = ("<!doctype html><html lang=\"fa\" dir=\"rtl\"><meta charset=\"utf-8\"><title>خطای سرور</title>"
                     "<h1>خطای سرور</h1><p>مشکلی پیش آمد؛ دوباره تلاش کنید یا با مدیر سامانه تماس بگیرید.</p>"
                     "<p lang=\"en\" dir=\"ltr\">Server error: something went wrong. Try again, or tell the "
                     "administrator.</p></html>")

BAD_PAGING_PAGE = ("<!doctype html><html lang=\"fa\" dir=\"rtl\"><meta charset=\"utf-8\"><title>نشانی نادرست</title>"
                   "<h1>نشانی نادرست</h1><p>شماره‌ی صفحه (offset) باید عددی درست از ۰ تا ۱۰٬۰۰۰٬۰۰۰ باشد.</p>"
                   "<p><a href=\"/\">بازگشت به صفحه‌ی اصلی</a></p>"
                   f"<p lang=\"en\" dir=\"ltr\">The page offset must be a whole number from 0 to {MAX_OFFSET:,}.</p>"
                   "</html>")


def _paging_problem(query: bytes) -> str | None:
    from urllib.parse import parse_qsl

    try:
        pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
    except ValueError:
        return None
    for name, value in pairs:
        if name not in ("offset", "limit"):
            continue
        text = value.strip()
        if not text:
            continue
        if not re.fullmatch(r"-?[0-9]{1,12}", text):  # ASCII digits only ('²'.isdigit() is true)
            return f"{name} must be a whole number from 0 to {MAX_OFFSET:,}, not {value[:30]!r}"
        n = int(text)
        if n < 0 or n > MAX_OFFSET:
            return f"{name} must be from 0 to {MAX_OFFSET:,}, not {n}"
    return None


def _cookie(name: str, value: str, settings: Settings) -> str:
    from dadkhah.web.security import SESSION_COOKIE

    c = SimpleCookie()
    c[name] = value
    morsel = c[name]
    morsel["path"] = "/"
    morsel["samesite"] = "Lax"
    if settings.secure_cookies:
        morsel["secure"] = True
    if name == SESSION_COOKIE:
        morsel["httponly"] = True
        if not value:
            morsel["max-age"] = 0
    elif name in ("dk_lang", "dk_cal"):
        morsel["max-age"] = 60 * 60 * 24 * 365
    return morsel.OutputString()


# --- running ----------------------------------------------------------------------------------------

# How long an idle keep-alive connection stays open. uvicorn's 5 s default races clients (scripts, the
# load benchmark) that reuse a connection just as the server closes it: they see "server disconnected".
KEEP_ALIVE_S = 65

def serve(case, host: str = "127.0.0.1", port: int = 8000, *, log_level: str = "info", workers: int = 1) -> None:
    """Run the web application on ``host:port`` (blocking), creating the first admin if there are no users.

    With ``workers`` > 1 (PostgreSQL), that many server processes each open the case named by the
    ``DADKHAH_DB``/``DADKHAH_DATA``/``DADKHAH_BLOBS`` environment (see :func:`app_from_env`)."""
    import uvicorn

    from dadkhah.web.users import ensure_first_admin

    ensure_first_admin(case, env_password=os.environ.get("DADKHAH_ADMIN_PASSWORD"))
    print(f"dadkhah: serving the case on http://{host}:{port}/ (Ctrl-C to stop)", file=sys.stderr, flush=True)
    if workers > 1:
        if case.backend != "postgresql":
            raise ValueError("several workers need PostgreSQL (SQLite allows one writer at a time)")
        os.environ["DADKHAH_DB"] = case.engine.url.render_as_string(hide_password=False)
        os.environ["DADKHAH_DATA"] = str(case.data_dir)
        if case.blob_spec:
            os.environ["DADKHAH_BLOBS"] = case.blob_spec
        uvicorn.run("dadkhah.web.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                    log_level=log_level, access_log=False, timeout_keep_alive=KEEP_ALIVE_S)
        return
    app = create_app(case)
    warm_up(case)
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False, timeout_keep_alive=KEEP_ALIVE_S)


def app_from_env() -> FastAPI:
    """An app over the case named by ``DADKHAH_DB`` (or ``DADKHAH_DATA``): for multi-process servers."""
    from dadkhah.case import Case

    case = Case.open(data_dir=os.environ.get("DADKHAH_DATA", "dadkhah-data"), db_url=os.environ.get("DADKHAH_DB"),
                     blobs=os.environ.get("DADKHAH_BLOBS"), actor="dadkhah-web")
    app = create_app(case)
    warm_up(case)
    return app
