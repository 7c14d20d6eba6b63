"""Search by an area drawn on the map: the places with coordinates inside a polygon (or rectangle), the events
at them and the victims of those events — as far as the reader may see.

The test is a ray-casting point-in-polygon (even–odd rule) on longitude/latitude taken as plane
coordinates, which is what a rectangle or polygon drawn on the web map (a Mercator projection, where lines
of equal latitude are straight) means at the scale of a country; a point on the boundary counts as inside.
Places are first narrowed in the database to the polygon's bounding box.

An area travels in the address as ``lat,lng;lat,lng;…`` (at least three corners), so it can be shared.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dadkhah.access import Principal, visible
from dadkhah.errors import InputError
from dadkhah.model import Event, Participation, Person, Place

MAX_POINTS = 200
_EPS = 1e-12


class AreaError(InputError):
    """A malformed area: ``key`` is the message key for pages."""

    def __init__(self, message: str, key: str, **values):
        super().__init__(message, field="area")
        self.key, self.values = key, values


def parse_area(text: str) -> list[tuple[float, float]]:
    """``"lat,lng;lat,lng;…"`` → [(lng, lat), …] (x, y). Persian digits and the Persian decimal separator are
    accepted. Raises :class:`AreaError` for fewer than three corners, a non-number or a coordinate out of range."""
    from dadkhah.web.i18n import to_ascii_digits

    corners = [c for c in to_ascii_digits(text or "").replace("٫", ".").split(";") if c.strip()]
    if len(corners) < 3:
        raise AreaError("an area needs at least three corners", "area.error.corners")
    if len(corners) > MAX_POINTS:
        raise AreaError(f"an area has at most {MAX_POINTS} corners", "area.error.too_many", max=MAX_POINTS)
    points = []
    for n, corner in enumerate(corners, start=1):
        parts = corner.split(",")
        try:
            if len(parts) != 2:
                raise ValueError
            lat, lng = float(parts[0]), float(parts[1])
        except ValueError:
            raise AreaError(f"corner {n}: {corner.strip()!r} is not 'latitude,longitude'", "area.error.corner",
                            n=n) from None
        if not (-90 <= lat <= 90 and -180 <= lng <= 180) or lat != lat or lng != lng:
            raise AreaError(f"corner {n}: out of range", "area.error.range", n=n)
        points.append((lng, lat))
    return points


def _on_segment(x: float, y: float, a: tuple[float, float], b: tuple[float, float]) -> bool:
    (x1, y1), (x2, y2) = a, b
    cross = (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1)
    if abs(cross) > _EPS * max(1.0, abs(x2 - x1) + abs(y2 - y1)):
        return False
    return min(x1, x2) - _EPS <= x <= max(x1, x2) + _EPS and min(y1, y2) - _EPS <= y <= max(y1, y2) + _EPS


def point_in_polygon(x: float, y: float, polygon: list[tuple[float, float]]) -> bool:
    """Whether (x, y) lies inside the polygon (a list of corners, closed or not; any orientation; concave or
    self-crossing by the even–odd rule). Points on an edge or a corner are inside."""
    n = len(polygon)
    if n < 3:
        return False
    inside = False
    j = n - 1
    for i in range(n):
        a, b = polygon[j], polygon[i]
        if _on_segment(x, y, a, b):
            return True
        (xj, yj), (xi, yi) = a, b
        # does the edge cross the horizontal ray going right from (x, y)? (half-open in y: no double count
        # at a vertex)
        if (yi > y) != (yj > y):
            x_cross = xi + (y - yi) * (xj - xi) / (yj - yi)
            if x < x_cross:
                inside = not inside
        j = i
    return inside


def in_area(s: Session, polygon: list[tuple[float, float]], principal: Principal) -> dict:
    """The places inside ``polygon`` (with their events) and the victims of those events the principal may
    see: {"places": [...], "events": [...], "victims": [...]}, each a list of references."""
    from dadkhah.web import readmodel

    xs, ys = [p[0] for p in polygon], [p[1] for p in polygon]
    stmt = visible(select(Place.id, Place.label, Place.sensitivity, Place.place_type, Place.latitude,
                          Place.longitude), Place, principal).where(
        Place.latitude.is_not(None), Place.longitude.is_not(None),
        Place.longitude.between(min(xs), max(xs)), Place.latitude.between(min(ys), max(ys)))
    places = [r for r in s.execute(stmt) if point_in_polygon(r.longitude, r.latitude, polygon)]
    place_ids = [r.id for r in places]
    events = list(s.scalars(visible(select(Event), Event, principal).where(Event.place_id.in_(place_ids))
                            .order_by(Event.date_low.is_(None), Event.date_low, Event.label))) if place_ids else []
    event_ids = [e.id for e in events]
    victims: list[dict] = []
    if event_ids:
        parts = list(s.execute(visible(select(Participation.participant_id, Participation.event_id), Participation,
                                       principal).where(Participation.event_id.in_(event_ids),
                                                        Participation.role == "victim")))
        people = {p.id: p for p in s.scalars(visible(select(Person), Person, principal)
                                             .where(Person.id.in_([r.participant_id for r in parts])))}
        labels = {e.id: e.label for e in events}
        seen: dict[str, dict] = {}
        for r in parts:
            person = people.get(r.participant_id)
            if person is None:
                continue
            entry = seen.setdefault(person.id, dict(readmodel.summary(person), events=[]))
            entry["events"].append({"id": r.event_id, "label": labels[r.event_id], "kind": "event"})
        victims = sorted(seen.values(), key=lambda v: readmodel.sort_key(v["label"]))
    place_rows = [{"id": r.id, "label": r.label, "kind": "place", "sensitivity": r.sensitivity,
                   "place_type": r.place_type, "latitude": r.latitude, "longitude": r.longitude,
                   "events": sum(1 for e in events if e.place_id == r.id)} for r in places]
    place_refs = {r["id"]: r for r in place_rows}
    event_rows = [dict(readmodel.summary(e), place={"id": e.place_id, "label": place_refs[e.place_id]["label"],
                                                     "kind": "place"}) for e in events]
    return {"places": sorted(place_rows, key=lambda p: readmodel.sort_key(p["label"])), "events": event_rows,
            "victims": victims}
