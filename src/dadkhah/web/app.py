"""The composition root of the web application.

    app = create_app(case)          # a FastAPI app over one open case
    serve(case, host, port)         # run it with uvicorn (blocking); used by `dadkhah serve` and `demo --serve`

Pages are server-rendered (Jinja2) under ``/``; the REST API lives under ``/api`` with its OpenAPI
description at ``/api/openapi.json``. Every route reads through :class:`dadkhah.web.context.Ctx`, so
the access layer (:mod:`dadkhah.access`) filters every query by the caller's role.
"""

from __future__ import annotations

import os
import sys
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
from dadkhah.web.context import AuthRequired, CsrfFailed, get_ctx
from dadkhah.web.security import LoginLimiter

STATIC = Path(__file__).parent / "static"


@dataclass
class Settings:
    """How the application runs (environment variables in brackets)."""

    tiles: str | None = None  # map tile URL template [DADKHAH_MAP_TILES]; none: the bundled outline only
    tiles_attribution: str = ""  # [DADKHAH_MAP_ATTRIBUTION]
    secure_cookies: bool = False  # set the Secure flag (behind HTTPS) [DADKHAH_SECURE_COOKIES=1]
    max_upload_mb: int = 512  # [DADKHAH_MAX_UPLOAD_MB]

    @classmethod
    def from_env(cls) -> Settings:
        return cls(tiles=os.environ.get("DADKHAH_MAP_TILES") or None,
                   tiles_attribution=os.environ.get("DADKHAH_MAP_ATTRIBUTION", ""),
                   secure_cookies=os.environ.get("DADKHAH_SECURE_COOKIES", "") in ("1", "true", "yes"),
                   max_upload_mb=int(os.environ.get("DADKHAH_MAX_UPLOAD_MB", "512")))

    @property
    def tile_origin(self) -> str:
        if not self.tiles:
            return ""
        u = urlparse(self.tiles.replace("{s}", "a"))
        host = u.netloc.replace("a.", "*.", 1) if "{s}" in self.tiles else u.netloc
        return f"{u.scheme}://{host}"


def create_app(case, settings: Settings | None = None) -> FastAPI:
    """A web application over ``case`` (an open :class:`dadkhah.case.Case`)."""
    from dadkhah.web import api, pages

    settings = settings or Settings.from_env()
    app = FastAPI(
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
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    _install_error_handlers(app)
    app.add_middleware(ResponseCookies, settings=settings)
    return app


# --- errors ---------------------------------------------------------------------------------------

def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api")


def _error_page(request: Request, status: int, key: str, detail: str = ""):
    from dadkhah.web.render import page

    try:
        ctx = get_ctx(request)
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
            return await response(scope, receive, send)

        async def send_with_cookies(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                ctx = scope.get("state", {}).get("ctx")
                for name, value in (getattr(ctx, "cookies", None) or {}).items():
                    headers.append((b"set-cookie", _cookie(name, value, self.settings).encode("latin-1")))
                path = scope.get("path", "")
                if not path.startswith("/static"):
                    headers += [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
                                (b"referrer-policy", b"same-origin"),
                                (b"content-security-policy", self.csp.encode())]
                    if not path.startswith("/api/evidence"):
                        headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_cookies)


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

def serve(case, host: str = "127.0.0.1", port: int = 8000, *, log_level: str = "info") -> None:
    """Run the web application on ``host:port`` (blocking), creating the first admin if there are no users."""
    import uvicorn

    from dadkhah.web.users import ensure_first_admin

    ensure_first_admin(case, env_password=os.environ.get("DADKHAH_ADMIN_PASSWORD"))
    app = create_app(case)
    print(f"dadkhah: serving the case on http://{host}:{port}/ (Ctrl-C to stop)", file=sys.stderr, flush=True)
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False)
