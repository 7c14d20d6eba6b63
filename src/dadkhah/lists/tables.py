"""Tables of the lists capability (migration branch ``lists``).

:class:`VictimList` — one imported list (a family network's list, an NGO's list, a cemetery
register…), tied to a core :class:`~dadkhah.model.Source` of type ``list``;
:class:`ListImport` — every import of a version of a list (file hash, mapping, counts, bad rows);
:class:`ListRecord` — one row of a list: its original values exactly as imported, the file row it
came from, and its parsed canonical fields. Records are never deleted: a row missing from a revised
list is marked ``withdrawn``, a changed row keeps its previous versions in ``history``.

The linkage tables that point at list records live in :mod:`dadkhah.linkage.tables`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from dadkhah.model.base import Base, Sensitivity, sensitivity_check, utcnow

RECORD_STATUSES = ("active", "withdrawn")


class VictimList(Base):
    """One list of victims as a whole; ``position`` is its import order (capture-history column order)."""

    __tablename__ = "victim_list"
    __table_args__ = (sensitivity_check("victim_list"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("source.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    sensitivity: Mapped[str] = mapped_column(String(12), default=Sensitivity.restricted.value)
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # The list's holder allows its aggregates (its name, size and overlaps with other lists, as in an
    # estimate) to be shown to readers below its sensitivity; its records stay hidden from them.
    aggregate_publication: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class ListImport(Base):
    """One import of one version of a list (kept for every version: the history of the list)."""

    __tablename__ = "list_import"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("victim_list.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(String(500))
    file_sha256: Mapped[str] = mapped_column(String(64))
    file_format: Mapped[str] = mapped_column(String(10))
    mapping: Mapped[dict] = mapped_column(JSON, default=dict)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(200), default="")
    counts: Mapped[dict] = mapped_column(JSON, default=dict)  # rows, good, bad, added, updated, unchanged…
    errors: Mapped[list] = mapped_column(JSON, default=list)  # [{line, row, field, message}]


class ListRecord(Base):
    """One row of a list: original values as imported (header → text) and parsed canonical fields."""

    __tablename__ = "list_record"
    __table_args__ = (
        UniqueConstraint("list_id", "record_key", name="uq_list_record_key"),
        sensitivity_check("list_record"),
        Index("ix_list_record_list_status", "list_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("victim_list.id", ondelete="CASCADE"))
    record_key: Mapped[str] = mapped_column(String(200))  # the list's own id, or a content digest
    file_row: Mapped[int] = mapped_column(Integer)  # 1-based data row in the latest imported file
    file_line: Mapped[int] = mapped_column(Integer)  # line (CSV) / sheet row (XLSX) / item (JSON) of that row
    original: Mapped[dict] = mapped_column(JSON, default=dict)
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    digest: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12), default="active")
    first_version: Mapped[int] = mapped_column(Integer, default=1)
    history: Mapped[list] = mapped_column(JSON, default=list)  # earlier versions [{version, row, original}]
    sensitivity: Mapped[str] = mapped_column(String(12), default=Sensitivity.restricted.value)
