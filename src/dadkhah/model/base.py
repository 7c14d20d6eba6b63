"""Declarative base, identifiers and column helpers shared by every table.

Every capability defines its tables on this one ``Base`` so that both storage backends (SQLite and
PostgreSQL) get one schema from one metadata, and the JSONL export can walk every table.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, DateTime, MetaData, String, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict: JSON, list: JSON}


class Sensitivity(StrEnum):
    """Who may see a record or a name form (see ``dadkhah.access``)."""

    public = "public"
    restricted = "restricted"
    confidential = "confidential"


SENSITIVITY_VALUES = tuple(s.value for s in Sensitivity)


def new_id(prefix: str) -> str:
    """A short random identifier such as ``person-3f9a2c1d0b7e``."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def sensitivity_column() -> Mapped[str]:
    return mapped_column(String(12), default=Sensitivity.public.value, nullable=False, index=True)


def sensitivity_check(table: str) -> CheckConstraint:
    values = ", ".join(f"'{v}'" for v in SENSITIVITY_VALUES)
    return CheckConstraint(f"sensitivity IN ({values})", name="sensitivity")


class Timestamps:
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime, default=utcnow, onupdate=utcnow, server_default=func.now()
    )
