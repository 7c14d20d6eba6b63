"""Tables of the linkage capability (they share the ``lists`` migration branch; no schema change).

:class:`LinkRun` — one run of the linkage model (its parameters and a summary);
:class:`LinkPair` — scored candidate pairs of a run (above a floor probability);
:class:`LinkAssignment` — the current cluster of every active record;
:class:`LinkDecision` — clerical review decisions (same / different / unsure), append-only;
:class:`LinkMerge` — which records a canonical merged :class:`~dadkhah.model.Person` stands for,
and which groups that merge joined (so a merge can be undone).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dadkhah.errors import InputError
from dadkhah.model.base import Base, utcnow

DECISIONS = ("same", "different", "unsure")


def cluster_key(record_id: int) -> str:
    """The id of the cluster whose smallest record is ``record_id`` (``c42``)."""
    return f"c{record_id}"


def cluster_record(key: str) -> int:
    """The smallest record of cluster ``key`` (the inverse of :func:`cluster_key`)."""
    if not key or key[0] != "c" or not key[1:].isdigit():
        raise InputError(f"not a cluster id: {key!r} (cluster ids look like c42)", field="cluster")
    return int(key[1:])


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
