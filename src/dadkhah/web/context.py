"""Who is asking and how they want to read: one :class:`Ctx` per request.

``get_ctx`` is the FastAPI dependency every page and API route takes. It resolves the caller
(API token, else session cookie, else anonymous) to a :class:`dadkhah.access.Principal`, and the
language and calendar (query ``?lang=``/``?cal=``, cookie, the user's preference, the browser).
All reading then goes through ``ctx.read()``, a case session bound to that principal, and all
writing through ``ctx.write()`` — so the access layer sees every query.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlencode

from fastapi import Request
from sqlalchemy.orm import Session

from dadkhah.access import SYSTEM, Forbidden, Principal, Role
from dadkhah.web import i18n
from dadkhah.web.security import (
    CSRF_COOKIE,
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION_COOKIE,
    csrf_for_session,
    csrf_matches,
    new_secret,
)


class AuthRequired(Exception):
    """The request needs a logged-in user (pages redirect to the login form; the API answers 401)."""


class CsrfFailed(Exception):
    """An unsafe request made with the session cookie did not echo the CSRF token."""


@dataclass
class Account:
    """The logged-in user, detached from any database session."""

    id: int
    name: str
    display_name: str
    role: str
    lang: str | None
    calendar: str | None
    grants: tuple[str, ...] = ()

    def principal(self) -> Principal:
        return Principal(name=self.name, role=Role(self.role), user_id=self.id, grants=frozenset(self.grants))


@dataclass
class Ctx:
    request: Request
    principal: Principal
    account: Account | None
    lang: str
    calendar: str
    csrf: str
    via_token: bool = False
    cookies: dict[str, str] = field(default_factory=dict)  # to set on the response
    # what this request's writes stored that names a protected witness (shown to the writer)
    warnings: list[str] = field(default_factory=list)

    @property
    def case(self):
        return self.request.app.state.case

    @property
    def dir(self) -> str:
        return i18n.direction(self.lang)

    @property
    def is_api(self) -> bool:
        return self.request.url.path.startswith("/api")

    def url_with(self, **params: str) -> str:
        """This page's address with some query parameters replaced (e.g. ``lang="fa"``)."""
        query = dict(self.request.query_params)
        query.update({k: v for k, v in params.items() if v is not None})
        return self.request.url.path + ("?" + urlencode(query) if query else "")

    def t(self, key: str, **values) -> str:
        return i18n.translate(key, self.lang, **values)

    def may(self, action: str) -> bool:
        return self.principal.may(action)

    def require(self, action: str) -> None:
        """Raise unless the caller may ``action`` (anonymous callers are asked to log in first)."""
        if self.principal.may(action):
            return
        if self.principal.role == Role.anonymous:
            raise AuthRequired()
        raise Forbidden(f"{self.principal.name} ({self.principal.role}) may not {action}")

    def require_login(self) -> None:
        if self.account is None:
            raise AuthRequired()

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self.case.reader(self.principal) as s:
            yield s

    @contextmanager
    def write(self, action: str = "edit") -> Iterator[Session]:
        """A unit of work as this user: committed when the block ends (so a 2xx means it is stored)."""
        self.require(action)
        with self.case.session(actor=self.principal.name, principal=self.principal,
                               on_warning=self.warnings.append) as s:
            yield s


class AccountCache:
    """Who a session cookie or API token stands for, remembered for ``ttl`` seconds (keyed by the secret's
    SHA-256), so most requests need no database round trip to authenticate. Logging out, revoking a token
    or changing a user clears it in this process; other server processes notice within ``ttl``."""

    def __init__(self, ttl: float = 10.0, size: int = 4096):
        self.ttl, self.size = ttl, size
        self._entries: dict[str, tuple[float, Account]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> Account | None:
        with self._lock:
            hit = self._entries.get(key)
            if hit is None or time.monotonic() - hit[0] >= self.ttl:
                self._entries.pop(key, None)
                return None
            return hit[1]

    def put(self, key: str, account: Account) -> None:
        with self._lock:
            if len(self._entries) >= self.size:
                self._entries.clear()
            self._entries[key] = (time.monotonic(), account)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def _credential(request: Request) -> tuple[str | None, bool, str | None]:
    """The caller's API token or session cookie: (secret, whether it is a token, its account-cache key)."""
    from dadkhah.web.security import digest

    auth = request.headers.get("authorization", "")
    via_token = auth.lower().startswith("bearer ")
    secret = auth[7:].strip() if via_token else request.cookies.get(SESSION_COOKIE)
    if not secret:
        return None, False, None
    return secret, via_token, ("t:" if via_token else "s:") + digest(secret)


def _resolve_account(case, request: Request) -> tuple[Account | None, bool]:
    from dadkhah.web.users import user_for_session, user_for_token

    secret, via_token, key = _credential(request)
    if not secret:
        return None, False
    cache: AccountCache = request.app.state.accounts
    account = cache.get(key)
    if account is not None:
        return account, via_token
    with case.reader(SYSTEM) as s:  # signing in: the credential tables, before anyone is known
        user = user_for_token(s, secret) if via_token else user_for_session(s, secret)
        if user is None:
            if via_token:
                raise AuthRequired()
            return None, False
        account = Account(user.id, user.name, user.display_name or user.name, user.role, user.lang,
                          user.calendar, tuple(user.grants or ()))
    cache.put(key, account)
    return account, via_token


async def get_ctx(request: Request) -> Ctx:
    """The FastAPI dependency: resolve caller, language, calendar and CSRF token for this request.

    Run on the event loop when the caller is anonymous or already in the account cache (no database
    round trip: most requests), in a worker thread otherwise — saving most requests a thread hand-off."""
    if getattr(request.state, "ctx", None) is None:
        _secret, _via_token, key = _credential(request)
        if key is not None and request.app.state.accounts.get(key) is None:
            from starlette.concurrency import run_in_threadpool

            return await run_in_threadpool(resolve_ctx, request)
    return resolve_ctx(request)


def resolve_ctx(request: Request) -> Ctx:
    """:func:`get_ctx` for synchronous callers (error pages)."""
    cached = getattr(request.state, "ctx", None)
    if cached is not None:
        return cached
    case = request.app.state.case
    account, via_token = _resolve_account(case, request)
    if account is None:
        principal = Principal()
    else:
        principal = account.principal()
    q = request.query_params
    lang = i18n.pick_lang(q.get("lang"), request.cookies.get("dk_lang"), account.lang if account else None,
                          request.headers.get("accept-language"))
    calendar = i18n.pick_calendar(q.get("cal"), request.cookies.get("dk_cal"),
                                  account.calendar if account else None, lang)
    session_secret = request.cookies.get(SESSION_COOKIE)
    csrf = csrf_for_session(session_secret) if session_secret else (request.cookies.get(CSRF_COOKIE) or "")
    ctx = Ctx(request=request, principal=principal, account=account, lang=lang, calendar=calendar,
              csrf=csrf, via_token=via_token)
    if not csrf:
        ctx.csrf = new_secret()
    if ctx.csrf != request.cookies.get(CSRF_COOKIE):
        ctx.cookies[CSRF_COOKIE] = ctx.csrf
    if q.get("lang") in i18n.LANGS:
        ctx.cookies["dk_lang"] = lang
    if q.get("cal") in i18n.CALENDARS:
        ctx.cookies["dk_cal"] = calendar
    request.state.ctx = ctx
    return ctx


async def check_csrf(request: Request) -> None:
    """Dependency for unsafe requests: the session-cookie caller must echo the CSRF cookie."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return
    if not request.cookies.get(SESSION_COOKIE) and request.url.path != "/login":
        return  # no ambient credentials to abuse; the route itself will refuse an anonymous write
    submitted = request.headers.get(CSRF_HEADER)
    if not submitted:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            submitted = value if isinstance(value, str) else None
    session_secret = request.cookies.get(SESSION_COOKIE)
    expected = csrf_for_session(session_secret) if session_secret else request.cookies.get(CSRF_COOKIE)
    if not csrf_matches(expected, submitted):  # bound to the session: another session's token is refused
        raise CsrfFailed()
