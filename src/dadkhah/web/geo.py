"""Map and timeline data: the places with coordinates and the dated events the caller may see."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dadkhah.access import Principal, visible
from dadkhah.model import Event, Place
from dadkhah.web import readmodel

MAP_TYPES = ("prison", "mass_grave")


def map_features(s: Session, principal: Principal, *, lang: str = "en", all_places: bool = False) -> dict:
    """A GeoJSON FeatureCollection of visible places with coordinates (prisons and grave sites first)."""
    from dadkhah.model.vocab import label

    stmt = visible(select(Place), Place, principal).where(Place.latitude.is_not(None), Place.longitude.is_not(None))
    if not all_places:
        stmt = stmt.where(Place.place_type.in_(MAP_TYPES))
    from sqlalchemy import func

    places = list(s.scalars(stmt.order_by(Place.label)))
    counts = dict(s.execute(visible(select(Event.place_id, func.count()), Event, principal)
                            .where(Event.place_id.in_([p.id for p in places])).group_by(Event.place_id)).all())
    features = []
    for p in places:
        n_events = counts.get(p.id, 0)
        features.append({
            "type": "Feature",
            "id": p.id,
            "geometry": {"type": "Point", "coordinates": [p.longitude, p.latitude]},
            "properties": {"id": p.id, "label": p.label, "place_type": p.place_type,
                           "type_label": label("place_type", p.place_type, lang), "url": f"/places/{p.id}",
                           "events": n_events, "sensitivity": p.sensitivity},
        })
    return {"type": "FeatureCollection", "features": features}


def _year(d, calendar: str) -> int:
    if calendar == "jalali":
        import jdatetime

        return jdatetime.date.fromgregorian(date=d).year
    return d.year


def timeline(s: Session, principal: Principal, *, calendar: str = "gregorian", event_type: str | None = None) -> dict:
    """Visible events in date order, grouped by year in the chosen calendar; undated ones last."""
    stmt = visible(select(Event), Event, principal)
    if event_type:
        stmt = stmt.where(Event.event_type == event_type)
    events = list(s.scalars(stmt))
    dated = sorted((e for e in events if e.date_low is not None), key=lambda e: (e.date_low, e.date_high, e.label))
    places = readmodel.refs(s, [e.place_id for e in events], principal)
    groups: list[dict] = []
    for e in dated:
        year = _year(e.date_low, calendar)
        if not groups or groups[-1]["year"] != year:
            groups.append({"year": year, "events": []})
        groups[-1]["events"].append(_event_row(e, places))
    undated = [_event_row(e, places) for e in sorted(events, key=lambda e: e.label) if e.date_low is None]
    return {"groups": groups, "undated": undated}


def _event_row(e: Event, places: dict[str, dict]) -> dict:
    return {"id": e.id, "label": e.label, "event_type": e.event_type, "date": e.date.to_dict() if e.date else None,
            "place": places.get(e.place_id), "sensitivity": e.sensitivity}
