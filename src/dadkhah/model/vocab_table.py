"""Case-specific additions to the controlled vocabularies shipped as YAML in ``model/vocab/``."""

from __future__ import annotations

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dadkhah.model.base import Base


class VocabTerm(Base):
    __tablename__ = "vocab_term"
    __table_args__ = (UniqueConstraint("vocabulary", "term"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    vocabulary: Mapped[str] = mapped_column(String(60))
    term: Mapped[str] = mapped_column(String(60))
    label_en: Mapped[str] = mapped_column(String(200))
    label_fa: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str | None] = mapped_column(String(1000))
