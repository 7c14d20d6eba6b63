"""The web-capture table: one row per attempt to capture a URL (captured or failed).

A captured row points at its evidence item (the WACZ) and, for a URL that is not a web page, at the item
holding the document itself; ``previous_id`` links a re-capture to the capture of the same URL before it,
and ``changes`` says what differs (text diff, perceptual distance of the screenshots). ``record`` is the
signed capture record (see :mod:`dadkhah.capture.service`); ``signature`` is its Ed25519 signature with
the case's signing key and ``timestamp_token`` an RFC 3161 token over it, when a TSA is configured.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dadkhah.model.base import Base, Sensitivity, sensitivity_check, utcnow

CAPTURE_STATUSES = ("captured", "failed")


class WebCapture(Base):
    __tablename__ = "web_capture"
    __table_args__ = (sensitivity_check("web_capture"),)

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    url_key: Mapped[str] = mapped_column(String(64), index=True)  # SHA-256 of the normalised URL
    final_url: Mapped[str | None] = mapped_column(Text)
    batch: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(12), index=True)  # CAPTURE_STATUSES
    failure_kind: Mapped[str | None] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text)
    http_status: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str | None] = mapped_column(String(20))  # html | document
    item_id: Mapped[str | None] = mapped_column(ForeignKey("evidence_item.id"), index=True)
    content_item_id: Mapped[str | None] = mapped_column(ForeignKey("evidence_item.id"))
    previous_id: Mapped[str | None] = mapped_column(ForeignKey("web_capture.id"))
    captured_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(200), default="")
    sensitivity: Mapped[str] = mapped_column(String(12), default=Sensitivity.restricted.value, index=True)
    record: Mapped[dict] = mapped_column(default=dict)
    record_sha256: Mapped[str | None] = mapped_column(String(64))
    signature: Mapped[str | None] = mapped_column(String(128))  # Ed25519, hex
    signing_key: Mapped[str | None] = mapped_column(String(64))  # fingerprint of the public key
    timestamp_token: Mapped[bytes | None] = mapped_column(LargeBinary)
    changes: Mapped[dict] = mapped_column(default=dict)
    problems: Mapped[list] = mapped_column(default=list)
