"""Logging in and out, one's own preferences and password, and (for admins) managing users and tokens."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse

from dadkhah.errors import InputError
from dadkhah.web import i18n
from dadkhah.web.context import Ctx, get_ctx
from dadkhah.web.pages.forms import form_data, text
from dadkhah.web.render import page
from dadkhah.web.security import CSRF_COOKIE, SESSION_COOKIE, csrf_for_session, new_secret
from dadkhah.web.tables import ROLES

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only same-site paths are followed after login (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.get("/login")
def login_form(request: Request, ctx: Ctx = Depends(get_ctx), next: str = "/"):
    return page(ctx, "login.html", next=_safe_next(next), error=None, name="")


@router.post("/login")
def login(request: Request, ctx: Ctx = Depends(get_ctx), data: dict = Depends(form_data)):
    from dadkhah.web.users import authenticate, start_session

    name = text(data, "name", "") or ""
    password = text(data, "password", "") or ""
    target = _safe_next(text(data, "next"))
    limiter = request.app.state.limiter
    keys = limiter.login_keys(_client(request), name)
    wait = limiter.retry_after(*keys)
    if wait:
        resp = page(ctx, "login.html", status_code=429, next=target, name=name,
                    error=ctx.t("auth.too_many", seconds=wait))
        resp.headers["Retry-After"] = str(wait)
        return resp
    with ctx.case.session(actor=name or "anonymous") as s:
        user = authenticate(s, name, password)
        if user is None:
            secret = None
        else:
            secret = start_session(s, user)
            user_lang, user_cal = user.lang, user.calendar
    if secret is None:
        limiter.failed(*keys)
        return page(ctx, "login.html", status_code=401, next=target, name=name, error=ctx.t("auth.failed"))
    limiter.succeeded(*keys)
    ctx.cookies[SESSION_COOKIE] = secret
    ctx.cookies[CSRF_COOKIE] = csrf_for_session(secret)  # the new session's own CSRF token
    if user_lang:
        ctx.cookies["dk_lang"] = user_lang
    if user_cal:
        ctx.cookies["dk_cal"] = user_cal
    return RedirectResponse(target, status_code=303)


@router.post("/logout")
def logout(request: Request, ctx: Ctx = Depends(get_ctx)):
    from dadkhah.web.users import end_session

    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        with ctx.case.session(actor=ctx.principal.name) as s:
            end_session(s, secret)
        request.app.state.accounts.clear()
    ctx.cookies[SESSION_COOKIE] = ""
    ctx.cookies[CSRF_COOKIE] = new_secret()
    return RedirectResponse("/", status_code=303)


@router.get("/account")
def account(ctx: Ctx = Depends(get_ctx)):
    ctx.require_login()
    return page(ctx, "account.html", message=None, error=None)


@router.post("/account")
def update_account(ctx: Ctx = Depends(get_ctx), data: dict = Depends(form_data)):
    from dadkhah.web.tables import WebUser
    from dadkhah.web.users import authenticate, set_password

    ctx.require_login()
    lang, cal = text(data, "lang"), text(data, "calendar")
    new_password = text(data, "new_password")
    error = None
    try:
        with ctx.case.session(actor=ctx.account.name, principal=ctx.principal) as s:
            user = s.get(WebUser, ctx.account.id)
            if lang in i18n.LANGS:
                user.lang = lang
                ctx.cookies["dk_lang"] = lang
                ctx.lang = lang
            if cal in i18n.CALENDARS:
                user.calendar = cal
                ctx.cookies["dk_cal"] = cal
                ctx.calendar = cal
            if new_password:
                if authenticate(s, user.name, text(data, "password", "") or "") is None:
                    raise InputError(ctx.t("account.wrong_password"), field="password")
                set_password(s, user, new_password)
                ctx.cookies[SESSION_COOKIE] = ""
    except InputError as exc:
        error = exc.message
    ctx.request.app.state.accounts.clear()
    if new_password and error is None:
        return RedirectResponse("/login", status_code=303)
    return page(ctx, "account.html", message=None if error else ctx.t("account.saved"), error=error)


# --- administration ----------------------------------------------------------------------------------

def _users_page(ctx: Ctx, *, error: str | None = None, new_token: str | None = None, status: int = 200):
    from dadkhah.web.users import list_users

    with ctx.read() as s:
        users = [{"name": u.name, "display_name": u.display_name, "role": u.role, "active": u.active,
                  "tokens": [{"id": tk.id, "name": tk.name, "prefix": tk.prefix, "revoked": tk.revoked}
                             for tk in u.tokens]}
                 for u in list_users(s)]
    return page(ctx, "users.html", status_code=status, users=users, roles=ROLES, error=error, new_token=new_token)


@router.get("/admin/users")
def users_page(ctx: Ctx = Depends(get_ctx)):
    ctx.require("manage_users")
    return _users_page(ctx)


@router.post("/admin/users")
def users_action(ctx: Ctx = Depends(get_ctx), data: dict = Depends(form_data)):
    from dadkhah.web.users import create_user, get_user, issue_token, revoke_token, set_active, set_password, set_role

    action = text(data, "action", "")
    new_token = None
    try:
        with ctx.write("manage_users") as s:
            if action == "create":
                create_user(s, text(data, "name", "") or "", text(data, "role", "viewer") or "viewer",
                            text(data, "password", "") or "", display_name=text(data, "display_name", "") or "")
            else:
                user = get_user(s, text(data, "name", "") or "")
                if user is None:
                    raise InputError(ctx.t("users.no_such_user"), field="name")
                if action == "role":
                    set_role(s, user, text(data, "role", "") or "")
                elif action == "deactivate":
                    if user.name == ctx.principal.name:
                        raise InputError(ctx.t("users.not_yourself"), field="name")
                    set_active(s, user, False)
                elif action == "activate":
                    set_active(s, user, True)
                elif action == "password":
                    set_password(s, user, text(data, "password", "") or "")
                elif action == "token":
                    new_token = issue_token(s, user, text(data, "token_name", "") or "")
                elif action == "revoke":
                    try:
                        token_id = int(text(data, "token_id", "") or "")
                    except ValueError:
                        raise InputError("token id must be a number", field="token_id") from None
                    if not any(tk.id == token_id for tk in user.tokens):
                        raise InputError(f"no token with id {token_id}", field="token_id")
                    revoke_token(s, token_id)
                else:
                    raise InputError(f"unknown action {action!r}", field="action")
    except InputError as exc:
        return _users_page(ctx, error=exc.message, status=422)
    finally:
        ctx.request.app.state.accounts.clear()
    return _users_page(ctx, new_token=new_token)
