"""The evidence vault's tables: items, derived files, custody logs, links, testimony, protected witnesses.

- :class:`EvidenceItem` — one original, addressed by the SHA-256 of its exact bytes (stored once in the
  blob store, see :mod:`dadkhah.vault.blobs`), with its file metadata and extraction status.
- :class:`DerivedFile` — extracted text, OCR, thumbnails, transcripts, working copies: stored apart in
  the ``derived`` blob namespace and linked to their original.
- :class:`CustodyEvent` — the item's chain of custody, one hash-linked entry per action (ingest, supply,
  transfer, view, export, annotate…). Every entry is also an entry of the case's audit chain.
- :class:`EvidenceLink` — an item linked to an entity (source, person, event, place…) or a claim.
- :class:`Testimony`, :class:`TestimonyItem`, :class:`TestimonyMention` — a witness statement, its
  audio/video/transcript items, and the mentions of known entities a person confirmed or rejected.
- :class:`WitnessIdentity`, :class:`WitnessKey` — the encrypted identity of a protected witness and
  the wrapped key that opens it (never exported below the ``internal`` audience: see ``dadkhah.access.export``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dadkhah.model.base import Base, Sensitivity, Timestamps, sensitivity_check, utcnow
from dadkhah.model.fuzzydate_columns import fuzzy_date

# Tables never exported to an audience below ``internal`` (see dadkhah.access.export).

DERIVED_KINDS = ("text", "ocr", "thumbnail", "transcript", "working_copy", "translation", "screenshot", "print",
                 "capture_record")
CUSTODY_ACTIONS = ("ingest", "supply", "duplicate", "transfer", "view", "export", "annotate", "derive", "link",
                   "unlink", "reclassify", "seal", "capture")
MENTION_STATUSES = ("suggested", "confirmed", "rejected")
PROTECTION_LEVELS = ("none", "pseudonymised", "protected")
CONSENT_SCOPES = ("internal", "prosecution", "publication", "unspecified")
TESTIMONY_ITEM_ROLES = ("audio", "video", "transcript", "consent", "other")


class EvidenceItem(Timestamps, Base):
    """One original file, stored once under the SHA-256 of its bytes."""

    __tablename__ = "evidence_item"
    __table_args__ = (sensitivity_check("evidence_item"),)
    kind = "evidence"  # the search-index kind (see dadkhah.store.search.reindex)

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), index=True)
    media_type: Mapped[str] = mapped_column(String(120), default="application/octet-stream")
    filename: Mapped[str] = mapped_column(String(1000), default="")  # name when first ingested
    title: Mapped[str] = mapped_column(String(1000), default="")
    description: Mapped[str | None] = mapped_column(Text)
    sensitivity: Mapped[str] = mapped_column(String(12), default=Sensitivity.restricted.value, index=True)
    source_id: Mapped[str | None] = mapped_column(ForeignKey("source.id", ondelete="SET NULL"), index=True)
    supplied_by: Mapped[str | None] = mapped_column(String(500))  # a person id (pseudonym shown) or a name
    captured_at: Mapped[str | None] = mapped_column(String(40))  # EXIF capture time, as recorded
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    meta: Mapped[dict] = mapped_column(default=dict)  # EXIF, PDF info, DOCX properties, archive listing
    text_method: Mapped[str] = mapped_column(String(40), default="none")  # text-layer, ocr, html, docx, plain…
    text_chars: Mapped[int] = mapped_column(default=0)
    problems: Mapped[list] = mapped_column(default=list)  # extraction problems, each a sentence
    ingested_by: Mapped[str] = mapped_column(String(200), default="")

    derived: Mapped[list[DerivedFile]] = relationship(back_populates="item", order_by="DerivedFile.id")


class DerivedFile(Base):
    """A file made from an original (text, OCR, thumbnail…), stored in the ``derived`` namespace."""

    __tablename__ = "evidence_derived"
    __table_args__ = (UniqueConstraint("item_id", "kind", "sha256", name="uq_evidence_derived"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("evidence_item.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # DERIVED_KINDS
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    media_type: Mapped[str] = mapped_column(String(120), default="text/plain; charset=utf-8")
    generator: Mapped[str] = mapped_column(String(200), default="")  # tool and version that made it
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    item: Mapped[EvidenceItem] = relationship(back_populates="derived")


class CustodyEvent(Base):
    """One action on an item. ``hash`` covers the entry and the previous entry's hash (per item)."""

    __tablename__ = "custody_event"
    __table_args__ = (UniqueConstraint("item_id", "seq", name="uq_custody_event"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("evidence_item.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    ts: Mapped[dt.datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))  # CUSTODY_ACTIONS
    details: Mapped[dict] = mapped_column(default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    item: Mapped[EvidenceItem] = relationship()  # orders inserts: the item row before its entries


class EvidenceLink(Base):
    """An item linked to an entity (source, person, organisation, event, place) or to a claim."""

    __tablename__ = "evidence_link"
    __table_args__ = (
        CheckConstraint("(entity_id IS NULL) <> (claim_id IS NULL)", name="one_target"),
        UniqueConstraint("item_id", "entity_id", "claim_id", "relation", name="uq_evidence_link"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("evidence_item.id"), index=True)
    entity_id: Mapped[str | None] = mapped_column(ForeignKey("entity.id", ondelete="CASCADE"), index=True)
    claim_id: Mapped[str | None] = mapped_column(ForeignKey("claim.id", ondelete="CASCADE"), index=True)
    relation: Mapped[str] = mapped_column(String(40), default="about")  # about, supports, depicts, from…
    locator: Mapped[str] = mapped_column(String(500), default="")  # page, timestamp, region
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    item: Mapped[EvidenceItem] = relationship()


class Testimony(fuzzy_date("date"), Timestamps, Base):
    """A witness statement: who, to whom, when, where, in what language, under what consent."""

    __tablename__ = "testimony"
    __table_args__ = (sensitivity_check("testimony"),)
    kind = "testimony"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    witness_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    interviewer: Mapped[str | None] = mapped_column(String(500))
    place_id: Mapped[str | None] = mapped_column(ForeignKey("place.id"), index=True)
    language: Mapped[str | None] = mapped_column(String(10))
    consent_scope: Mapped[str] = mapped_column(String(40), default="unspecified")  # CONSENT_SCOPES
    protection_level: Mapped[str] = mapped_column(String(20), default="none")  # PROTECTION_LEVELS
    transcript: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str | None] = mapped_column(Text)
    sensitivity: Mapped[str] = mapped_column(String(12), default=Sensitivity.restricted.value, index=True)


class TestimonyItem(Base):
    """An evidence item (audio, video, transcript, consent form) belonging to a testimony."""

    __tablename__ = "testimony_item"

    testimony_id: Mapped[str] = mapped_column(ForeignKey("testimony.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("evidence_item.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), default="other")  # TESTIMONY_ITEM_ROLES

    item: Mapped[EvidenceItem] = relationship()
    testimony: Mapped[Testimony] = relationship()


class TestimonyMention(Base):
    """A mention of a known entity in a transcript: suggested by dadkhah, confirmed or rejected by a person."""

    __tablename__ = "testimony_mention"
    __table_args__ = (UniqueConstraint("testimony_id", "entity_id", "start", name="uq_testimony_mention"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    testimony_id: Mapped[str] = mapped_column(ForeignKey("testimony.id", ondelete="CASCADE"), index=True)
    entity_id: Mapped[str] = mapped_column(ForeignKey("entity.id", ondelete="CASCADE"), index=True)
    name_form_id: Mapped[int | None] = mapped_column(ForeignKey("name_form.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(String(500))  # the words of the transcript that matched
    start: Mapped[int] = mapped_column(Integer)  # character offsets in the transcript
    end: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float, default=1.0)
    status: Mapped[str] = mapped_column(String(12), default="suggested", index=True)  # MENTION_STATUSES
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    testimony: Mapped[Testimony] = relationship()


class WitnessKey(Base):
    """A data key for witness identities, wrapped by a key from a passphrase (Argon2id) or a key file.

    ``kdf`` holds only public parameters (salt, costs). ``recovery_wrapped`` is the same data key wrapped by
    the one-time recovery key printed when the key was made (see docs/vault.md, "Recovery").
    """

    __tablename__ = "witness_key"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # k1, k2…
    kdf: Mapped[dict] = mapped_column(default=dict)
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    recovery_wrapped: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    retired_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class WitnessIdentity(Timestamps, Base):
    """The identifying fields of a protected witness, AES-256-GCM encrypted (ciphertext only at rest)."""

    __tablename__ = "witness_identity"

    person_id: Mapped[str] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), primary_key=True)
    key_id: Mapped[str] = mapped_column(ForeignKey("witness_key.id"), index=True)
    nonce: Mapped[bytes] = mapped_column(LargeBinary)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    pseudonym: Mapped[str] = mapped_column(String(40), unique=True)  # W-7F3K, shown everywhere else
