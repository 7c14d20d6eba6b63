"""Users of the web application: creating them, logging in, sessions, API tokens, and the
:class:`dadkhah.access.Principal` each one acts as.

All functions take a SQLAlchemy session from :meth:`dadkhah.case.Case.session`, so every change is
in the audit chain.
"""

from __future__ import annotations

import datetime as dt
import re
import sys

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from dadkhah.access import Principal, Role
from dadkhah.errors import InputError
from dadkhah.model.base import utcnow
from dadkhah.web.security import (
    TOKEN_PREFIX,
    digest,
    generate_password,
    hash_password,
    new_secret,
    verify_password,
)
from dadkhah.web.tables import ROLES, ApiToken, WebSession, WebUser

SESSION_LIFETIME = dt.timedelta(hours=12)
MIN_PASSWORD = 8
_NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,100}$")


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise InputError(f"unknown role {role!r} (use one of {', '.join(ROLES)})", field="role")
    return role


def _check_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD:
        raise InputError(f"a password needs at least {MIN_PASSWORD} characters", field="password")
    return password


def get_user(session: Session, name: str) -> WebUser | None:
    return session.scalar(select(WebUser).where(WebUser.name == name))


def list_users(session: Session) -> list[WebUser]:
    return list(session.scalars(select(WebUser).order_by(WebUser.name)))


def create_user(session: Session, name: str, role: str, password: str, *, display_name: str = "",
                grants: list[str] | None = None) -> WebUser:
    """Add a user with an argon2-hashed password."""
    if not _NAME.match(name or ""):
        raise InputError("a user name is 1–100 letters, digits or . _ @ -", field="name")
    _check_role(role)
    _check_password(password)
    if get_user(session, name) is not None:
        raise InputError(f"a user named {name!r} already exists", field="name")
    user = WebUser(name=name, role=role, password_hash=hash_password(password), display_name=display_name or name,
                   grants=list(grants or []), active=True)
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: WebUser, password: str) -> None:
    user.password_hash = hash_password(_check_password(password))
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))


def set_role(session: Session, user: WebUser, role: str) -> None:
    user.role = _check_role(role)


def set_active(session: Session, user: WebUser, active: bool) -> None:
    user.active = active
    if not active:
        session.execute(delete(WebSession).where(WebSession.user_id == user.id))


def authenticate(session: Session, name: str, password: str) -> WebUser | None:
    """The active user with this name and password, or None (the same answer for every failure)."""
    user = get_user(session, name or "")
    if user is None or not user.active:
        verify_password("", password)  # spend comparable time either way
        return None
    return user if verify_password(user.password_hash, password or "") else None


def principal_for(user: WebUser | None) -> Principal:
    if user is None or not user.active:
        return Principal()
    return Principal(name=user.name, role=Role(user.role), user_id=user.id, grants=frozenset(user.grants or ()))


# --- sessions ---------------------------------------------------------------------------------------

def start_session(session: Session, user: WebUser, *, lifetime: dt.timedelta = SESSION_LIFETIME) -> str:
    """Open a browser session; returns the cookie value (stored only as its SHA-256)."""
    secret = new_secret()
    now = utcnow()
    session.execute(delete(WebSession).where(WebSession.user_id == user.id, WebSession.expires_at < now))
    session.add(WebSession(id=digest(secret), user_id=user.id, created_at=now, expires_at=now + lifetime))
    session.flush()
    return secret


def end_session(session: Session, secret: str) -> None:
    obj = session.get(WebSession, digest(secret))
    if obj is not None:
        session.delete(obj)


def user_for_session(session: Session, secret: str | None) -> WebUser | None:
    if not secret:
        return None
    row = session.execute(
        select(WebUser).join(WebSession, WebSession.user_id == WebUser.id)
        .where(WebSession.id == digest(secret), WebSession.expires_at > utcnow(), WebUser.active.is_(True))
    ).scalar_one_or_none()
    return row


# --- API tokens -------------------------------------------------------------------------------------

def issue_token(session: Session, user: WebUser, name: str = "") -> str:
    """A new API token for ``user``; the token is returned once and stored only as its SHA-256."""
    secret = new_secret(TOKEN_PREFIX)
    session.add(ApiToken(user_id=user.id, name=name[:100], token_hash=digest(secret), prefix=secret[:10]))
    session.flush()
    return secret


def revoke_token(session: Session, token_id: int) -> None:
    tok = session.get(ApiToken, token_id)
    if tok is None:
        raise InputError(f"no token with id {token_id}", field="token")
    tok.revoked = True


def user_for_token(session: Session, secret: str | None) -> WebUser | None:
    if not secret:
        return None
    return session.execute(
        select(WebUser).join(ApiToken, ApiToken.user_id == WebUser.id)
        .where(ApiToken.token_hash == digest(secret), ApiToken.revoked.is_(False), WebUser.active.is_(True))
    ).scalar_one_or_none()


# --- first run --------------------------------------------------------------------------------------

def ensure_first_admin(case, *, env_password: str | None = None, out=sys.stderr) -> str | None:
    """With no users yet, create ``admin``: its password from ``DADKHAH_ADMIN_PASSWORD``, or a generated
    one-time password printed to ``out``. Returns the password when one was generated."""
    with case.session(actor="dadkhah-web") as s:
        if s.scalar(select(func.count()).select_from(WebUser)):
            return None
        generated = None
        password = env_password
        if not password:
            password = generated = generate_password()
        create_user(s, "admin", "admin", password, display_name="Administrator")
    if generated:
        print(f"dadkhah: created the first user 'admin' with the one-time password: {generated}\n"
              "         log in and change it (Account page), or set DADKHAH_ADMIN_PASSWORD next time.",
              file=out, flush=True)
    else:
        print("dadkhah: created the first user 'admin' (password from DADKHAH_ADMIN_PASSWORD)", file=out, flush=True)
    return generated
