"""Tables of the lists and linkage capabilities (one migration branch: ``lists``).

Lists of the dead
    :class:`VictimList` — one imported list (a family network's list, an NGO's list, a cemetery
    register…), tied to a core :class:`~dadkhah.model.Source` of type ``list``;
    :class:`ListImport` — every import of a version of a list (file hash, mapping, counts, bad rows);
    :class:`ListRecord` — one row of a list: its original values exactly as imported, the file row it
    came from, and its parsed canonical fields. Records are never deleted: a row missing from a revised
    list is marked ``withdrawn``, a changed row keeps its previous versions in ``history``.

Linkage (written by :mod:`dadkhah.linkage`)
    :class:`LinkRun` — one run of the linkage model (its parameters and a summary);
    :class:`LinkPair` — scored candidate pairs of a run (above a floor probability);
    :class:`LinkAssignment` — the current cluster of every active record;
    :class:`LinkDecision` — clerical review decisions (same / different / unsure), append-only;
    :class:`LinkMerge` — which records a canonical merged :class:`~dadkhah.model.Person` stands for,
    and which groups that merge joined (so a merge can be undone).

Both capabilities share this module because ``dadkhah.model.TABLE_MODULES`` names it, and because
linkage rows point at list records.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dadkhah.model.base import Base, Sensitivity, sensitivity_check, utcnow

RECORD_STATUSES = ("active", "withdrawn")
DECISIONS = ("same", "different", "unsure")


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


class LinkRun(Base):
    __tablename__ = "link_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(200), default="")
    backend: Mapped[str] = mapped_column(String(20), default="duckdb")
    threshold: Mapped[float] = mapped_column(Float)
    model: Mapped[dict] = mapped_column(JSON, default=dict)  # the trained Splink settings (m, u, λ)
    summary: Mapped[dict] = mapped_column(JSON, default=dict)


class LinkPair(Base):
    """A scored candidate pair (``record_l`` < ``record_r``) with the comparison levels that scored it."""

    __tablename__ = "link_pair"
    __table_args__ = (
        Index("ix_link_pair_run_prob", "run_id", "match_probability"),
        Index("ix_link_pair_records", "record_l", "record_r"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("link_run.id", ondelete="CASCADE"))
    record_l: Mapped[int] = mapped_column(ForeignKey("list_record.id", ondelete="CASCADE"))
    record_r: Mapped[int] = mapped_column(ForeignKey("list_record.id", ondelete="CASCADE"))
    match_probability: Mapped[float] = mapped_column(Float)
    match_weight: Mapped[float] = mapped_column(Float)
    levels: Mapped[dict] = mapped_column(JSON, default=dict)  # comparison → [level label, weight]


class LinkAssignment(Base):
    """The current cluster of each active record (replaced whenever clusters are recomputed)."""

    __tablename__ = "link_assignment"

    record_id: Mapped[int] = mapped_column(ForeignKey("list_record.id", ondelete="CASCADE"), primary_key=True)
    cluster: Mapped[str] = mapped_column(String(40), index=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("link_run.id", ondelete="CASCADE"), index=True)


class LinkDecision(Base):
    """A reviewer's decision about a pair of records. Append-only: the latest decision on a pair counts."""

    __tablename__ = "link_decision"
    __table_args__ = (Index("ix_link_decision_pair", "record_l", "record_r"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_l: Mapped[int] = mapped_column(ForeignKey("list_record.id", ondelete="CASCADE"))
    record_r: Mapped[int] = mapped_column(ForeignKey("list_record.id", ondelete="CASCADE"))
    decision: Mapped[str] = mapped_column(String(12))
    reviewer: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(20), default="review")  # review | undo-merge
    match_probability: Mapped[float | None] = mapped_column(Float)  # the model's view when decided
    run_id: Mapped[int | None] = mapped_column(Integer)


class LinkMerge(Base):
    """A canonical person standing for a cluster of records.

    ``records`` are the list records it stands for; ``parts`` the groups this merge joined (earlier
    persons' records, or single records), which undoing the merge separates again.
    """

    __tablename__ = "link_merge"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(String(80), index=True)
    run_id: Mapped[int | None] = mapped_column(Integer)
    records: Mapped[list] = mapped_column(JSON, default=list)
    parts: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(12), default="active", index=True)  # active|superseded|undone
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(200), default="")
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    ended_by: Mapped[str | None] = mapped_column(String(200))
