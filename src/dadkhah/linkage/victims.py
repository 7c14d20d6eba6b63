"""Every listed victim is a victim of the case: the roles a merged person plays in the case's events.

For each merged person (:mod:`dadkhah.linkage.merge`) the lists behind it say what happened to them.
From every list record the person gets, in the case's own events:

- **execution** — a victim participation in an execution event at the place of execution or detention
  the record names (through the gazetteer), in the year of death it gives;
- **detention** — a victim participation in a detention event at the prison it names;
- **burial** — a victim participation in a burial event at the burial site it names.

An event is *matched* when the case already holds one of that type at that place whose date overlaps the
year; otherwise one is *created* per type, place and year (``link-event-…``), under the case event of
that type that encloses it (same type, a place that contains it, an overlapping date — e.g. the 1988
massacre), with its Latin and Persian names. A gazetteer place the case does not hold yet is created
too (``link-place-…``, with its city and province as parents).

Each role is sourced: a claim (``fate`` for the execution, with the event as object; ``participated``
for detention and burial) cites the list Source of every record that says so, with the row as locator
and the row's original values — in the list's own script — as quotation. The year and the place a
record leaves empty are taken from the other records when those agree. Records that disagree give
rival claims: two execution events make two ``fate`` claims, and differing death dates two
``death_date`` claims; both predicates are functional, so the claims are *contested* side by side
(:mod:`dadkhah.claims.status`). A role and its claims are as sensitive as the strictest record behind
them; a created event as the least strict record behind any of its roles.

Everything made here has a stable id derived from the person and what it stands for, so re-running
the linkage changes nothing that did not change, and :func:`sync_victim` moves or removes roles when
a merge is undone or the clusters change (:func:`remove_victim` when a person stands for no cluster).
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dadkhah.access import Principal, allowed_sensitivities, rank, stricter
from dadkhah.claims.service import cite
from dadkhah.linkage.gazetteer import DEFAULT_PREFERENCE, gazetteer, resolve
from dadkhah.linkage.gazetteer import Place as GazPlace
from dadkhah.lists.tables import ListRecord, VictimList
from dadkhah.model import Claim, Event, Participation, Person, Place
from dadkhah.model.vocab import label as vocab_label
from dadkhah.names import detect_script, to_persian_digits
from dadkhah.records.population import VICTIM_ROLE
from dadkhah.records.service import add_name

PREFIX = "link-"
BURIAL_PREFERENCE = ("burial_site", "city", "prison", "province")
PLACE_TYPES = {"prison": "prison", "burial_site": "cemetery", "city": "city", "province": "province"}
GAZ_KINDS = {"prison": ("prison",), "mass_grave": ("burial_site",), "cemetery": ("burial_site",),
             "city": ("city",), "province": ("province",), "country": ()}
ROLE_EVENTS = ("execution", "detention", "burial")


def _strictest(levels) -> str:
    levels = list(levels)
    return stricter(*levels) if levels else "restricted"


def _loosest(levels) -> str:
    return min(levels, key=rank, default="restricted")


def _digest(*parts: object) -> str:
    return hashlib.sha1("|".join(map(str, parts)).encode("utf-8")).hexdigest()[:10]


def _year(date: dict | None) -> int | None:
    low, high = (date or {}).get("low"), (date or {}).get("high")
    if not low or not high or low[:4] != high[:4]:
        return None
    return int(low[:4])


def quotation(original: dict) -> str:
    """A list row's own values (header: value), as written."""
    return "; ".join(f"{k}: {v}" for k, v in (original or {}).items() if str(v or "").strip())


@dataclass
class Role:
    """One role the lists give a person: the event it is in and the records that say so."""

    event_type: str
    place: GazPlace | None
    year: int | None
    records: list[dict] = field(default_factory=list)


def roles_from_records(recs: list[dict]) -> list[Role]:
    """The roles the records of one person give (see module docstring); records are ``_records_info`` dicts."""
    per: list[dict] = []
    for r in recs:
        f = r["fields"]
        per.append({"rec": r, "year": _year(f.get("death")),
                    "exec": resolve(f.get("detention_site"), DEFAULT_PREFERENCE),
                    "burial": resolve(f.get("burial_site"), BURIAL_PREFERENCE)})
    for key in ("year", "exec", "burial"):  # an empty value takes the others' when they agree
        values = {p[key] for p in per if p[key] is not None}
        if len(values) == 1:
            only = values.pop()
            for p in per:
                if p[key] is None:
                    p[key] = only
    # a record that names no place of execution, beside records that disagree on the place, adds no rival
    # execution of its own (its death date is still claimed, citing it)
    placed = {p["year"] for p in per if p["exec"] is not None}
    for p in per:
        p["exec_dropped"] = p["exec"] is None and (p["year"] in placed or (p["year"] is None and bool(placed)))
    roles: dict[tuple, Role] = {}
    for p in per:
        wanted = [] if p["exec_dropped"] else [("execution", p["exec"])]
        if p["exec"] is not None and p["exec"].kind == "prison":
            wanted.append(("detention", p["exec"]))
        if p["burial"] is not None:
            wanted.append(("burial", p["burial"]))
        for etype, place in wanted:
            key = (etype, place.kind if place else None, place.id if place else None, p["year"])
            roles.setdefault(key, Role(etype, place, p["year"])).records.append(p["rec"])
    return sorted(roles.values(), key=lambda r: (ROLE_EVENTS.index(r.event_type), r.place.id if r.place else "",
                                                 r.year or 0))


class Places:
    """Gazetteer places ↔ the case's places (matched by the gazetteer's own reading of their names)."""

    def __init__(self, session: Session):
        self.session = session
        self.known: dict[tuple[str, str], str] = {}
        for place in session.scalars(select(Place)):
            kinds = GAZ_KINDS.get(place.place_type, ())
            for text in [place.label, *(n.text for n in place.names)]:
                gz = resolve(text, kinds or DEFAULT_PREFERENCE) if kinds else None
                if gz is not None and gz.kind in kinds:
                    self.known.setdefault((gz.kind, gz.id), place.id)

    def case_place(self, gz: GazPlace | None) -> str | None:
        """The case place standing for ``gz``, created (with its parents) when the case has none."""
        if gz is None:
            return None
        key = (gz.kind, gz.id)
        if key in self.known:
            return self.known[key]
        g = gazetteer()
        parent = None
        if gz.kind in ("prison", "burial_site"):
            parent = self.case_place(g.city_of(gz))
        elif gz.kind == "city":
            parent = self.case_place(g.province_of(gz))
        elif gz.kind == "province":
            parent = self.country()
        pid = f"{PREFIX}place-{gz.kind}-{gz.id}"[:80]
        place = self.session.get(Place, pid)
        if place is None:
            place = Place(id=pid, label="", sensitivity="public", place_type=PLACE_TYPES[gz.kind], parent_id=parent,
                          country="IR", extra={"linkage": {"gazetteer": gz.to_dict()}})
            place.names = []
            self.session.add(place)
            with self.session.no_autoflush:
                add_name(self.session, place, gz.en, primary=True)
                add_name(self.session, place, gz.fa, lang="fa")
        self.known[key] = pid
        return pid

    def country(self) -> str:
        """The case's place for Iran (the gazetteer's provinces are in it), created when there is none."""
        found = self.session.scalars(select(Place.id).where(Place.place_type == "country", Place.country == "IR")
                                     .order_by(Place.id).limit(1)).first()
        if found:
            return found
        pid = f"{PREFIX}place-country-ir"
        if self.session.get(Place, pid) is None:
            place = Place(id=pid, label="", sensitivity="public", place_type="country", country="IR", extra={})
            place.names = []
            self.session.add(place)
            with self.session.no_autoflush:
                add_name(self.session, place, "Iran", primary=True)
                add_name(self.session, place, "ایران", lang="fa")
        return pid

    def ancestors(self, place_id: str | None) -> list[str]:
        out, seen = [], set()
        while place_id and place_id not in seen:
            seen.add(place_id)
            out.append(place_id)
            place = self.session.get(Place, place_id)
            place_id = place.parent_id if place is not None else None
        return out


class Events:
    """The case's events a role goes into: matched, or created per type, place and year."""

    def __init__(self, session: Session, places: Places):
        self.session = session
        self.places = places
        self.case_events = [e for e in session.scalars(select(Event).where(Event.event_type.in_(ROLE_EVENTS)))
                            if not e.id.startswith(PREFIX)]
        self.touched: set[str] = set()

    @staticmethod
    def _overlaps(event: Event, year: int | None) -> bool:
        if year is None or event.date_low is None:
            return year is None and event.date_low is None
        high = event.date_high or event.date_low
        return event.date_low.year <= year <= high.year

    def event_for(self, role: Role) -> str:
        place_id = self.places.case_place(role.place)
        for e in self.case_events:
            if e.event_type == role.event_type and place_id and e.place_id == place_id and self._overlaps(e, role.year):
                return e.id
        eid = f"{PREFIX}event-{role.event_type}-{role.place.id if role.place else 'unplaced'}-{role.year or 'undated'}"
        eid = eid[:80]
        if self.session.get(Event, eid) is None:
            self._create(eid, role, place_id)
        self.touched.add(eid)
        return eid

    def _parent(self, role: Role, place_id: str | None) -> str | None:
        within = self.places.ancestors(place_id)
        best: tuple[int, str] | None = None
        for e in self.case_events:
            if e.event_type != role.event_type or e.date_low is None or role.year is None:
                continue
            if not self._overlaps(e, role.year):
                continue
            if e.place_id not in within:
                continue
            depth = within.index(e.place_id)
            if best is None or depth < best[0]:
                best = (depth, e.id)
        return best[1] if best else None

    def _create(self, eid: str, role: Role, place_id: str | None) -> None:
        type_en = vocab_label("event_type", role.event_type)
        type_fa = vocab_label("event_type", role.event_type, "fa")
        where_en = f" at {role.place.en}" if role.place else " (place not recorded)"
        where_fa = f" در {role.place.fa}" if role.place else " (محل ثبت نشده)"
        when_en = f", {role.year}" if role.year else " (date not recorded)"
        when_fa = f"، {to_persian_digits(str(role.year))} میلادی" if role.year else " (تاریخ ثبت نشده)"
        event = Event(id=eid, label=f"{type_en}{where_en}{when_en}", sensitivity="restricted",
                      event_type=role.event_type, place_id=place_id, parent_id=self._parent(role, place_id),
                      extra={"linkage": {"generated": True}},
                      description="Made from the victim lists: the persons the lists place here.")
        event.names = []
        if role.year:
            event.date = str(role.year)
        self.session.add(event)
        with self.session.no_autoflush:
            add_name(self.session, event, f"{type_fa}{where_fa}{when_fa}", lang="fa")

    def settle(self) -> None:
        """A created event is as sensitive as the least strict role in it; one with no role left goes."""
        self.session.flush()
        for eid in sorted(self.touched):
            event = self.session.get(Event, eid)
            if event is None:
                continue
            levels = list(self.session.scalars(select(Participation.sensitivity)
                                               .where(Participation.event_id == eid)))
            if not levels:
                _try_delete(self.session, event)
                continue
            level = _loosest(levels)
            if event.sensitivity != level:
                event.sensitivity = level
        self.touched.clear()


def _try_delete(session: Session, obj) -> bool:
    try:
        with session.begin_nested():
            session.delete(obj)
            session.flush()
        return True
    except IntegrityError:
        return False


class Sync:
    """Brings the roles of many persons in step with their records, sharing places and events."""

    def __init__(self, session: Session):
        self.session = session
        self.places = Places(session)
        self.events = Events(session, self.places)

    def person(self, person: Person, recs: list[dict]) -> dict[str, int]:
        s = self.session
        counts = Counter()
        wanted_parts: dict[str, tuple[Role, str]] = {}
        for role in roles_from_records(recs):
            eid = self.events.event_for(role)
            pid = f"{PREFIX}{person.id}-{role.event_type}-{_digest(eid)}"[:80]
            if pid in wanted_parts:  # two gazetteer places that are one case place
                wanted_parts[pid][0].records.extend(role.records)
                continue
            wanted_parts[pid] = (role, eid)
        wanted_claims: dict[str, dict] = {}
        existing_parts = {p.id: p for p in s.scalars(select(Participation).where(
            Participation.participant_id == person.id, Participation.id.like(f"{PREFIX}%")))}
        for pid, (role, eid) in wanted_parts.items():
            # the label names the person, so the role is at least as sensitive as the person
            level = _strictest([person.sensitivity, *(r["sensitivity"] for r in role.records)])
            label = f"{person.label} — {VICTIM_ROLE} — {self._event_label(eid)}"
            part = existing_parts.get(pid)
            if part is None:
                part = Participation(id=pid, label=label, sensitivity=level, event_id=eid,
                                     participant_id=person.id, role=VICTIM_ROLE,
                                     extra={"linkage": {"person": person.id}})
                part.names = []
                s.add(part)
                counts["roles created"] += 1
            elif (part.label, part.sensitivity, part.event_id) != (label, level, eid):
                part.label, part.sensitivity, part.event_id = label, level, eid
                counts["roles updated"] += 1
            if role.event_type == "execution":
                wanted_claims[f"{PREFIX}{person.id}-fate-{_digest(eid)}"[:80]] = dict(
                    subject_id=person.id, predicate="fate", object_id=eid, records=role.records, sensitivity=level,
                    statement=f"{person.label}: {self._event_label(eid)} (the victim lists)")
            else:
                wanted_claims[f"{PREFIX}{pid[len(PREFIX):]}-claim"[:80]] = dict(
                    subject_id=pid, predicate="participated", object_id=eid, records=role.records,
                    sensitivity=level, statement=f"{person.label}: {self._event_label(eid)} (the victim lists)")
        by_death: dict[tuple, list[dict]] = defaultdict(list)
        for r in recs:
            death = r["fields"].get("death")
            if death and death.get("low") and death.get("high"):
                by_death[(death["low"], death["high"])].append(r)
        for (low, high), rs in by_death.items():
            wanted_claims[f"{PREFIX}{person.id}-death-{_digest(low, high)}"[:80]] = dict(
                subject_id=person.id, predicate="death_date", object_id=None, records=rs,
                sensitivity=_strictest([person.sensitivity, *(r["sensitivity"] for r in rs)]),
                valid=rs[0]["fields"]["death"],
                value_text=rs[0]["fields"]["death"].get("text"),
                statement=f"{person.label} died {rs[0]['fields']['death'].get('text')} (the victim lists)")
        s.flush()
        existing_claims = {c.id: c for c in s.scalars(select(Claim).where(
            Claim.subject_id.in_([person.id, *existing_parts, *wanted_parts]), Claim.id.like(f"{PREFIX}%")))}
        for cid, spec in wanted_claims.items():
            counts.update(self._claim(existing_claims.get(cid), cid, spec))
        for cid, claim in existing_claims.items():
            if cid not in wanted_claims:
                s.delete(claim)
                counts["claims removed"] += 1
        s.flush()
        for pid, part in existing_parts.items():
            if pid not in wanted_parts:
                self.events.touched.add(part.event_id)
                s.delete(part)
                counts["roles removed"] += 1
        return dict(counts)

    def _event_label(self, eid: str) -> str:
        event = self.session.get(Event, eid)
        return event.label if event is not None else eid

    def _claim(self, claim: Claim | None, cid: str, spec: dict) -> Counter:
        s = self.session
        out: Counter = Counter()
        cites = {}
        for r in spec["records"]:
            quote = quotation(r.get("original") or {})
            cites[(r["source_id"], f"row {r['row']}")] = (quote, "fa" if detect_script(quote) == "fa" else None)
        if claim is None:
            claim = Claim(id=cid, subject_id=spec["subject_id"], predicate=spec["predicate"],
                          object_id=spec["object_id"], statement=spec["statement"],
                          value_text=spec.get("value_text"), sensitivity=spec["sensitivity"])
            if spec.get("valid"):
                claim.valid = spec["valid"]
            s.add(claim)
            out["claims created"] += 1
        else:
            changed = False
            for attr in ("object_id", "statement", "sensitivity"):
                if getattr(claim, attr) != spec[attr]:
                    setattr(claim, attr, spec[attr])
                    changed = True
            if spec.get("value_text") != claim.value_text:
                claim.value_text = spec.get("value_text")
                changed = True
            out["claims updated"] += int(changed)
        have = {(c.source_id, c.locator): c for c in claim.citations}
        for key, c in have.items():
            if key not in cites:
                claim.citations.remove(c)
                out["citations removed"] += 1
            elif c.quotation != cites[key][0]:
                c.quotation = cites[key][0]
        for (source_id, locator), (quote, lang) in cites.items():
            if (source_id, locator) not in have:
                cite(s, claim, source_id, quotation=quote, locator=locator, language=lang)
                out["citations added"] += 1
        return out

    def remove(self, person_id: str) -> None:
        s = self.session
        parts = list(s.scalars(select(Participation).where(Participation.participant_id == person_id,
                                                           Participation.id.like(f"{PREFIX}%"))))
        ids = [person_id, *(p.id for p in parts)]
        for claim in s.scalars(select(Claim).where(Claim.subject_id.in_(ids), Claim.id.like(f"{PREFIX}%"))):
            s.delete(claim)
        s.flush()
        for p in parts:
            self.events.touched.add(p.event_id)
            s.delete(p)
        s.flush()

    def finish(self) -> None:
        self.events.settle()


def list_entries(session: Session, person: Person, principal: Principal) -> list[dict]:
    """Every list record behind a merged person that ``principal`` may see: the list, the row and the row's
    own values as written (in the list's script), in list order — for showing the lists side by side."""
    prov = ((person.extra or {}).get("linkage") or {}).get("records") or []
    ids = [p["record"] for p in prov]
    if not ids:
        return []
    allowed = allowed_sensitivities(principal)
    rows = session.execute(
        select(ListRecord.id, ListRecord.file_row, ListRecord.original, ListRecord.fields, ListRecord.status,
               VictimList.name, VictimList.position, VictimList.source_id)
        .join(VictimList, VictimList.id == ListRecord.list_id)
        .where(ListRecord.id.in_(ids), ListRecord.sensitivity.in_(allowed), VictimList.sensitivity.in_(allowed))
    ).all()
    out = []
    for rid, row, original, fields, status, name, _position, source_id in sorted(rows, key=lambda r: (r[6], r[1])):
        full = (fields or {}).get("full_name") or ""
        out.append({"record": rid, "list": name, "row": row, "status": status, "source_id": source_id,
                    "name": full, "script": detect_script(full) if full else "",
                    "dir": "rtl" if detect_script(full) == "fa" else "ltr",
                    "values": [{"header": k, "value": v} for k, v in (original or {}).items() if str(v or "").strip()]})
    return out
