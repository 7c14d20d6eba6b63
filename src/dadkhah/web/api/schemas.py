"""Request bodies of the REST API (Pydantic), with the limits the database columns impose, so bad input
is refused with 422 naming the field instead of failing in the database."""

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints


def _clean(value: str) -> str:
    if "\x00" in value:
        raise ValueError("NUL characters are not allowed")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("not valid Unicode text (lone surrogate)") from None
    return value


def Text(max_length: int, min_length: int = 0):  # noqa: N802 - a type factory
    return Annotated[str, StringConstraints(max_length=max_length, min_length=min_length),
                     AfterValidator(_clean)]


Sensitivity = Literal["public", "restricted", "confidential"]
Id = Text(80, 1)
DateText = Text(200)
Coordinate = Annotated[float, Field(allow_inf_nan=False)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", ser_json_inf_nan="null")


class NameIn(Strict):
    text: Text(500, 1)
    kind: Text(20) = "full"
    lang: Text(10) | None = None
    sensitivity: Sensitivity | None = None
    primary: bool = False


class EntityIn(Strict):
    id: Id | None = Field(None, description="Give your own identifier (a slug), or leave it out for a new one")
    sensitivity: Sensitivity = "public"
    description: Text(20000) | None = None


class PersonIn(EntityIn):
    names: list[NameIn] = Field(min_length=1, max_length=50)
    gender: Text(20) | None = None
    birth: DateText | None = Field(None, description="A date in either calendar, e.g. '1367/05/08' or 'July 1988'")
    death: DateText | None = None
    father_name: Text(200) | None = None
    nationality: Text(100) | None = None


class OrganizationIn(EntityIn):
    names: list[NameIn] = Field(min_length=1, max_length=50)
    org_type: Text(40, 1)
    parent_id: Id | None = None
    place_id: Id | None = None


class PlaceIn(EntityIn):
    names: list[NameIn] = Field(min_length=1, max_length=50)
    place_type: Text(40, 1)
    parent_id: Id | None = None
    country: Text(2) | None = None
    latitude: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)] | None = None
    longitude: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)] | None = None


class EventIn(EntityIn):
    label: Text(500, 1)
    event_type: Text(40, 1)
    date: DateText | None = None
    place_id: Id | None = None
    parent_id: Id | None = None


class SourceIn(EntityIn):
    title: Text(1000, 1)
    source_type: Text(40, 1)
    author: Text(500) | None = None
    publisher: Text(500) | None = None
    date: DateText | None = None
    language: Text(10) | None = None
    locator: Text(2000) | None = None
    reliability: Literal["A", "B", "C", "D", "E", "F"] = "F"
    credibility: Annotated[int, Field(ge=1, le=6)] = 6
    origin: Text(200) | None = None


class EntityPatch(Strict):
    """Fields to change; leave a field out to keep it, send null or "" to clear an optional one."""

    sensitivity: Sensitivity | None = None
    description: Text(20000) | None = None
    label: Text(500) | None = None
    gender: Text(20) | None = None
    birth: DateText | None = None
    death: DateText | None = None
    father_name: Text(200) | None = None
    nationality: Text(100) | None = None
    org_type: Text(40) | None = None
    place_type: Text(40) | None = None
    event_type: Text(40) | None = None
    source_type: Text(40) | None = None
    parent_id: Text(80) | None = None
    place_id: Text(80) | None = None
    country: Text(2) | None = None
    latitude: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)] | None = None
    longitude: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)] | None = None
    date: DateText | None = None
    title: Text(1000) | None = None
    author: Text(500) | None = None
    publisher: Text(500) | None = None
    language: Text(10) | None = None
    locator: Text(2000) | None = None
    reliability: Literal["A", "B", "C", "D", "E", "F"] | None = None
    credibility: Annotated[int, Field(ge=1, le=6)] | None = None
    origin: Text(200) | None = None


class CitationIn(Strict):
    source_id: Id
    quotation: Text(20000) | None = None
    locator: Text(500) = ""
    stance: Literal["supports", "contradicts"] = "supports"
    language: Text(10) | None = None


class ClaimIn(Strict):
    id: Id | None = None
    subject_id: Id
    predicate: Text(60, 1)
    citations: list[CitationIn] = Field(min_length=1, max_length=100,
                                        description="At least one source: a claim without a source is refused")
    statement: Text(20000) = ""
    object_id: Id | None = None
    value_text: Text(500) | None = None
    value_low: Coordinate | None = None
    value_high: Coordinate | None = None
    unit: Text(40) | None = None
    valid: DateText | None = None
    sensitivity: Sensitivity = "public"
    asserted_status: Literal["contested", "refuted"] | None = None
    status_note: Text(5000) | None = None
