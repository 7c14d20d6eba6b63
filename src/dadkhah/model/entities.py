"""The things a case is about: persons, organisations, places, events, sources, and the relations
between them (positions held, participation in events).

All of them share the ``entity`` table (joined-table inheritance), so a claim, a name form, a
piece of evidence or an audit entry can point at any of them with one identifier.
"""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dadkhah.model.base import Base, Sensitivity, Timestamps, sensitivity_check
from dadkhah.model.fuzzydate_columns import fuzzy_date

ENTITY_KINDS = ("person", "organization", "place", "event", "source", "membership", "participation")


class Entity(Timestamps, Base):
    __tablename__ = "entity"
    __table_args__ = (sensitivity_check("entity"),)

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    label: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str | None] = mapped_column(Text)
    sensitivity: Mapped[str] = mapped_column(String(12), default=Sensitivity.public.value, index=True)
    extra: Mapped[dict] = mapped_column(default=dict)

    names: Mapped[list[NameForm]] = relationship(
        back_populates="entity", cascade="all, delete-orphan", order_by="NameForm.position"
    )

    __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_identity": "entity"}

    def __repr__(self) -> str:
        return f"<{self.kind} {self.id} {self.label!r}>"


class NameForm(Base):
    """One way a name is written: script, language, and what part of a name it is."""

    __tablename__ = "name_form"
    __table_args__ = (sensitivity_check("name_form"), Index("ix_name_form_key", "name_key"))

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    entity_id: Mapped[str] = mapped_column(ForeignKey("entity.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(20), default="full")  # vocab name_kind
    script: Mapped[str] = mapped_column(String(10), default="")  # fa | latin | mixed
    lang: Mapped[str | None] = mapped_column(String(10))
    normalized: Mapped[str] = mapped_column(String(500), default="")
    name_key: Mapped[str] = mapped_column(String(500), default="")
    sensitivity: Mapped[str] = mapped_column(String(12), default=Sensitivity.public.value)
    is_primary: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    source_id: Mapped[str | None] = mapped_column(ForeignKey("source.id", ondelete="SET NULL"))

    entity: Mapped[Entity] = relationship(back_populates="names", foreign_keys=[entity_id])


class Person(fuzzy_date("birth"), fuzzy_date("death"), Entity):  # type: ignore[misc]  # a mixin made per prefix
    __tablename__ = "person"
    id: Mapped[str] = mapped_column(ForeignKey("entity.id", ondelete="CASCADE"), primary_key=True)
    gender: Mapped[str | None] = mapped_column(String(20))
    father_name: Mapped[str | None] = mapped_column(String(200))
    nationality: Mapped[str | None] = mapped_column(String(100))
    __mapper_args__ = {"polymorphic_identity": "person"}


class Organization(Entity):
    __tablename__ = "organization"
    id: Mapped[str] = mapped_column(ForeignKey("entity.id", ondelete="CASCADE"), primary_key=True)
    org_type: Mapped[str] = mapped_column(String(40))  # vocab organization_type
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("organization.id"), index=True)
    place_id: Mapped[str | None] = mapped_column(ForeignKey("place.id"), index=True)
    __mapper_args__ = {"polymorphic_identity": "organization", "inherit_condition": id == Entity.id}


class Place(Entity):
    __tablename__ = "place"
    id: Mapped[str] = mapped_column(ForeignKey("entity.id", ondelete="CASCADE"), primary_key=True)
    place_type: Mapped[str] = mapped_column(String(40))  # vocab place_type
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("place.id"), index=True)
    country: Mapped[str | None] = mapped_column(String(2))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    geometry: Mapped[dict | None] = mapped_column()  # GeoJSON geometry object
    __mapper_args__ = {"polymorphic_identity": "place", "inherit_condition": id == Entity.id}


class Event(fuzzy_date("date"), Entity):  # type: ignore[misc]  # a mixin made per prefix
    __tablename__ = "event"
    id: Mapped[str] = mapped_column(ForeignKey("entity.id", ondelete="CASCADE"), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(40), index=True)  # vocab event_type
    place_id: Mapped[str | None] = mapped_column(ForeignKey("place.id"), index=True)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("event.id"), index=True)
    __mapper_args__ = {"polymorphic_identity": "event", "inherit_condition": id == Entity.id}


class Source(fuzzy_date("date"), Entity):  # type: ignore[misc]  # a mixin made per prefix
    """Where information comes from, graded on the Admiralty scale.

    ``reliability`` A–F grades the source; ``credibility`` 1–6 grades the information.
    ``origin`` names who the information originally comes from: two sources of one origin are not
    independent for corroboration.
    """

    __tablename__ = "source"
    id: Mapped[str] = mapped_column(ForeignKey("entity.id", ondelete="CASCADE"), primary_key=True)
    source_type: Mapped[str] = mapped_column(String(40))  # vocab source_type
    title: Mapped[str] = mapped_column(String(1000), default="")
    author: Mapped[str | None] = mapped_column(String(500))  # author or speaker
    publisher: Mapped[str | None] = mapped_column(String(500))
    language: Mapped[str | None] = mapped_column(String(10))
    locator: Mapped[str | None] = mapped_column(String(2000))  # URL, archive reference, file
    reliability: Mapped[str] = mapped_column(String(1), default="F")
    credibility: Mapped[int] = mapped_column(default=6)
    origin: Mapped[str | None] = mapped_column(String(200))
    __mapper_args__ = {"polymorphic_identity": "source", "inherit_condition": id == Entity.id}

    @property
    def grade(self) -> str:
        return f"{self.reliability}{self.credibility}"


class Membership(fuzzy_date("start"), fuzzy_date("end"), Entity):  # type: ignore[misc]  # a mixin made per prefix
    """A person (or organisation) holding a position in, or belonging to, an organisation for a time."""

    __tablename__ = "membership"
    id: Mapped[str] = mapped_column(ForeignKey("entity.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("entity.id"), index=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organization.id"), index=True)
    role: Mapped[str] = mapped_column(String(40), default="member")  # vocab position_role
    title: Mapped[str | None] = mapped_column(String(500))
    __mapper_args__ = {"polymorphic_identity": "membership", "inherit_condition": id == Entity.id}


class Participation(Entity):
    """Who did what to whom: a person or organisation taking part in an event in a role."""

    __tablename__ = "participation"
    id: Mapped[str] = mapped_column(ForeignKey("entity.id", ondelete="CASCADE"), primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("event.id"), index=True)
    participant_id: Mapped[str] = mapped_column(ForeignKey("entity.id"), index=True)
    role: Mapped[str] = mapped_column(String(40))  # vocab participation_role
    __mapper_args__ = {"polymorphic_identity": "participation", "inherit_condition": id == Entity.id}


KIND_CLASSES: dict[str, type[Entity]] = {
    "person": Person,
    "organization": Organization,
    "place": Place,
    "event": Event,
    "source": Source,
    "membership": Membership,
    "participation": Participation,
}
