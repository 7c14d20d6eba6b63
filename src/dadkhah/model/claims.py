"""Claims: every fact in a case is a statement some source makes, never the tool's own assertion.

A :class:`Claim` says something about an entity (``subject``): an attribute (``predicate`` + value,
numbers with an optional range), or a relation to another entity (``object``). It cites one or more
sources through :class:`Citation` rows, each with the quotation and where to find it. Conflicting
claims coexist; their status is computed by :mod:`dadkhah.claims.status`.
"""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dadkhah.model.base import Base, Sensitivity, Timestamps, sensitivity_check
from dadkhah.model.entities import Entity, Source
from dadkhah.model.fuzzydate_columns import fuzzy_date

CLAIM_STATUSES = ("alleged", "corroborated", "contested", "refuted")


class Claim(fuzzy_date("valid"), Timestamps, Base):  # type: ignore[misc]  # a mixin made per prefix
    __tablename__ = "claim"
    __table_args__ = (sensitivity_check("claim"),)

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    subject_id: Mapped[str] = mapped_column(ForeignKey("entity.id", ondelete="CASCADE"), index=True)
    predicate: Mapped[str] = mapped_column(String(60), index=True)  # vocab claim_predicate
    object_id: Mapped[str | None] = mapped_column(ForeignKey("entity.id", ondelete="CASCADE"), index=True)
    statement: Mapped[str] = mapped_column(Text, default="")  # the claim in plain words
    value_text: Mapped[str | None] = mapped_column(String(500))
    value_low: Mapped[float | None] = mapped_column(Float)
    value_high: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="alleged", index=True)
    asserted_status: Mapped[str | None] = mapped_column(String(20))  # set by an analyst (contested/refuted)
    status_note: Mapped[str | None] = mapped_column(Text)
    sensitivity: Mapped[str] = mapped_column(String(12), default=Sensitivity.public.value, index=True)

    subject: Mapped[Entity] = relationship(foreign_keys=[subject_id])
    object: Mapped[Entity | None] = relationship(foreign_keys=[object_id])
    citations: Mapped[list[Citation]] = relationship(
        back_populates="claim", cascade="all, delete-orphan", order_by="Citation.id"
    )

    def value_display(self) -> str:
        if self.value_low is not None and self.value_high is not None and self.value_low != self.value_high:
            rng = f"{self.value_low:,.0f}–{self.value_high:,.0f}"
        elif self.value_low is not None:
            rng = f"{self.value_low:,.0f}"
        else:
            rng = ""
        if self.value_text and rng and self.value_text.replace(",", "") != rng.replace(",", ""):
            return f"{self.value_text} ({rng})"
        return self.value_text or rng


class Citation(Base):
    """A claim's citation of a source: the quotation, where it is, and whether it supports the claim."""

    __tablename__ = "citation"
    __table_args__ = (UniqueConstraint("claim_id", "source_id", "locator"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claim.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("source.id"), index=True)
    quotation: Mapped[str | None] = mapped_column(Text)
    locator: Mapped[str] = mapped_column(String(500), default="")  # page, paragraph, timestamp
    stance: Mapped[str] = mapped_column(String(12), default="supports")  # supports | contradicts
    language: Mapped[str | None] = mapped_column(String(10))

    claim: Mapped[Claim] = relationship(back_populates="citations")
    source: Mapped[Source] = relationship()
