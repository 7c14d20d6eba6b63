"""Tables of the web capability: users, their login sessions and their API tokens.

Secrets are never stored: a password is kept as an argon2 hash, a session or API token as the
SHA-256 of the random token the browser or script holds. (Every ORM write lands in the audit
chain, so whatever a row holds is copied there: hashes only, by design.)
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dadkhah.model.base import Base, utcnow

ROLES = ("admin", "investigator", "reviewer", "analyst", "viewer")
# Credentials: never exported below the ``internal`` audience (see dadkhah.access.export),
# and never through the web export at all.


class WebUser(Base):
    """A person who logs in to the web application, with one role."""

    __tablename__ = "web_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20), default="viewer")
    password_hash: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    grants: Mapped[list] = mapped_column(JSON, default=list)  # extra actions, e.g. ["unmask_witness"]
    lang: Mapped[str | None] = mapped_column(String(5))  # preferred UI language: en | fa
    calendar: Mapped[str | None] = mapped_column(String(10))  # preferred calendar: jalali | gregorian
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    sessions: Mapped[list[WebSession]] = relationship(back_populates="user", cascade="all, delete-orphan")
    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", cascade="all, delete-orphan")


class WebSession(Base):
    """A browser login. ``id`` is the SHA-256 of the cookie value, never the value itself."""

    __tablename__ = "web_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)

    user: Mapped[WebUser] = relationship(back_populates="sessions")


class ApiToken(Base):
    """A token for scripts (``Authorization: Bearer …``); ``token_hash`` is its SHA-256."""

    __tablename__ = "web_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12), default="")  # first characters, to recognise it
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[WebUser] = relationship(back_populates="tokens")


WORK_KINDS = ("review_pair", "record", "evidence")
WORK_STATUSES = ("open", "in_progress", "done")


class WorkItem(Base):
    """A piece of work given to someone: a linkage pair to review, a record to check, a document to annotate.

    ``target`` is the pair id, record id or evidence item id; the work is shown in the assignee's queue.
    """

    __tablename__ = "web_work_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))  # WORK_KINDS
    target: Mapped[str] = mapped_column(String(80), index=True)
    assignee: Mapped[str] = mapped_column(String(100), index=True)  # a web user's name
    status: Mapped[str] = mapped_column(String(20), default="open")  # WORK_STATUSES
    note: Mapped[str | None] = mapped_column(String(2000))
    assigned_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Annotation(Base):
    """A note on a region of a document image; ``redact`` hides the region from readers below ``sensitivity``
    (the image is served to them with the region blacked out)."""

    __tablename__ = "web_annotation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("evidence_item.id", ondelete="CASCADE"), index=True)
    x: Mapped[float] = mapped_column()  # the region, as fractions of the image's width and height
    y: Mapped[float] = mapped_column()
    w: Mapped[float] = mapped_column()
    h: Mapped[float] = mapped_column()
    note: Mapped[str] = mapped_column(String(2000), default="")
    redact: Mapped[bool] = mapped_column(Boolean, default=False)
    sensitivity: Mapped[str] = mapped_column(String(12), default="restricted")  # who may see under the redaction
    author: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
