"""Merged victims: one canonical :class:`~dadkhah.model.Person` per cluster of list records.

The person carries every written form of the name (each a :class:`~dadkhah.model.NameForm` pointing at
its list's Source, keyed by :func:`dadkhah.records.service.add_name`), the most precise dates, the
majority gender and father's name, and in ``extra["linkage"]`` its provenance: which list, which row,
which record. Persons are ``restricted`` unless every record behind them is public. Source list records
are never touched.

Every merged person is a victim of the case: :mod:`dadkhah.linkage.victims` gives it its roles in the
case's events (execution, detention, burial), each citing the lists, and moves or removes them when
the person's records change.

:func:`sync_persons` keeps persons in step with clusters and keeps their identifiers stable: a cluster
keeps the person that already stands for most of its records, so claims made about a victim survive
re-runs. A person is rebuilt only when its records or their contents changed (a digest of them is kept
in ``extra["linkage"]["digest"]``), so a re-run changes nothing. Each change is a
:class:`~dadkhah.linkage.tables.LinkMerge` row recording the groups it joined; undoing one is
:func:`dadkhah.linkage.review.undo_merge`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dadkhah.access import stricter
from dadkhah.linkage.cluster import Clustering
from dadkhah.linkage.gazetteer import DEFAULT_PREFERENCE, ORIGIN_PREFERENCE, resolve
from dadkhah.linkage.tables import LinkMerge, cluster_key
from dadkhah.linkage.victims import Sync
from dadkhah.lists.tables import ListRecord, VictimList
from dadkhah.model import Person, new_id
from dadkhah.model.base import utcnow
from dadkhah.records.service import add_name, refresh_label
from dadkhah.store.audit import canonical


def _strictest(levels: Iterable[str]) -> str:
    return stricter(*(list(levels) or ["restricted"]))


def active_merges(session: Session) -> list[LinkMerge]:
    return list(session.scalars(select(LinkMerge).where(LinkMerge.status == "active").order_by(LinkMerge.id)))


def person_of_records(session: Session, record_ids: list[int]) -> str | None:
    wanted = set(record_ids)
    for m in active_merges(session):
        if wanted & set(m.records):
            return m.person_id
    return None


def _records_info(session: Session, ids: set[int]) -> dict[int, dict]:
    t = ListRecord.__table__
    out: dict[int, dict] = {}
    id_list = sorted(ids)
    for i in range(0, len(id_list), 5000):
        chunk = id_list[i:i + 5000]
        stmt = (select(t.c.id, t.c.file_row, t.c.fields, t.c.original, t.c.sensitivity, VictimList.name,
                       VictimList.source_id)
                .join(VictimList, VictimList.id == t.c.list_id).where(t.c.id.in_(chunk)))
        for rid, row, fields, original, sens, name, source in session.execute(stmt):
            out[rid] = {"id": rid, "row": row, "fields": fields, "original": original, "sensitivity": sens,
                        "list": name, "source_id": source}
    return out


def records_digest(ids: list[int], info: dict[int, dict]) -> str:
    """What a person is built from: its records' rows, fields, original values and sensitivity."""
    rows = [{k: info[i][k] for k in ("id", "row", "fields", "original", "sensitivity", "source_id")} for i in ids]
    return hashlib.sha256(canonical(rows).encode("utf-8")).hexdigest()[:24]


def _narrowest(dates: list[dict]) -> dict | None:
    dates = [d for d in dates if d and d.get("low") and d.get("high")]
    if not dates:
        return None
    return min(dates, key=lambda d: (d["high"] > "9000" or d["low"] < "0100", _width(d)))


def _width(d: dict) -> int:
    return (dt.date.fromisoformat(d["high"]) - dt.date.fromisoformat(d["low"])).days


def _majority(values: Iterable) -> object | None:
    counts = Counter(v for v in values if v)
    return counts.most_common(1)[0][0] if counts else None


def _fill_person(session: Session, person: Person, key: str, run_id: int, ids: list[int],
                 info: dict[int, dict]) -> None:
    recs = [info[i] for i in ids]
    person.sensitivity = _strictest(r["sensitivity"] for r in recs)
    person.names.clear()
    seen: set[str] = set()
    for r in recs:
        text = (r["fields"].get("full_name") or "").strip()
        if not text or text in seen:
            continue
        seen.add(text)
        add_name(session, person, text, kind="full", source_id=r["source_id"], sensitivity=r["sensitivity"],
                 primary=not person.names)
    person.label = ""
    refresh_label(person)
    if not person.label:
        person.label = f"victim {key}"
    fields = [r["fields"] for r in recs]
    person.gender = _majority(f.get("gender") for f in fields)
    person.father_name = _majority(f.get("father") for f in fields)
    births = [f.get("birth") for f in fields if not f.get("birth_from_age")] or [f.get("birth") for f in fields]
    person.birth = _narrowest(births)
    person.death = _narrowest([f.get("death") for f in fields])
    origin = resolve(_majority(f.get("place_of_origin") for f in fields), ORIGIN_PREFERENCE)
    prison = resolve(_majority(f.get("detention_site") for f in fields), DEFAULT_PREFERENCE)
    burial = resolve(_majority(f.get("burial_site") for f in fields), ("burial_site", "city", "prison", "province"))
    extra = dict(person.extra or {})
    extra["linkage"] = {
        "cluster": key, "run": run_id, "status": "active", "digest": records_digest(ids, info),
        "records": [{"record": r["id"], "list": r["list"], "row": r["row"], "source_id": r["source_id"]}
                    for r in recs],
        "lists": sorted({r["list"] for r in recs}),
        "place_of_origin": origin.to_dict() if origin else None,
        "detention_site": prison.to_dict() if prison else None,
        "burial_site": burial.to_dict() if burial else None,
    }
    person.extra = extra


def sync_persons(session: Session, run_id: int, result: Clustering, *, actor: str) -> dict[str, int]:
    """Make the persons match the clusters: create, update, refresh, keep or retire them, and their roles
    as victims of the case (see module docstring)."""
    members = result.members()
    active = active_merges(session)
    by_person = {m.person_id: m for m in active}
    rec_person = {rid: m.person_id for m in active for rid in m.records}
    claims = []
    for root, ids in members.items():
        for pid, n in Counter(rec_person[r] for r in ids if r in rec_person).items():
            claims.append((n, -by_person[pid].id, root, pid))
    claims.sort(reverse=True)
    owner: dict[int, str] = {}
    taken: set[str] = set()
    for _n, _age, root, pid in claims:
        if root not in owner and pid not in taken:
            owner[root] = pid
            taken.add(pid)
    regrouped = {root for root, ids in members.items()
                 if root not in owner or sorted(by_person[owner[root]].records) != ids}
    info = _records_info(session, {r for ids in members.values() for r in ids})
    stored = dict(session.execute(select(Person.id, Person.extra).where(Person.id.in_(list(taken)))).all())
    refreshed = {root for root in members if root not in regrouped
                 and ((stored.get(owner[root]) or {}).get("linkage") or {}).get("digest")
                 != records_digest(members[root], info)}
    counts = {"created": 0, "updated": 0, "refreshed": len(refreshed),
              "unchanged": len(members) - len(regrouped) - len(refreshed), "retired": 0, "deleted": 0}
    roles: Counter = Counter()
    victims = Sync(session)
    now = utcnow()
    built: dict[int, Person] = {}
    with session.no_autoflush:
        for root in sorted(regrouped | refreshed):
            ids = members[root]
            pid = owner.get(root)
            if pid is None:
                person = Person(id=new_id("person"), label="", sensitivity="restricted", extra={})
                person.names = []
                session.add(person)
                counts["created"] += 1
            else:
                person = session.get(Person, pid)
            _fill_person(session, person, cluster_key(root), run_id, ids, info)
            built[root] = person
            if root in regrouped:
                if pid is not None:
                    old = by_person[pid]
                    old.status, old.ended_at, old.ended_by = "superseded", now, actor
                    counts["updated"] += 1
                parts: dict[str, list[int]] = {}
                for r in ids:
                    parts.setdefault(rec_person.get(r) or f"record {r}", []).append(r)
                session.add(LinkMerge(person_id=person.id, run_id=run_id, records=ids,
                                      parts=sorted(parts.values()), actor=actor))
    session.flush()
    for root, person in built.items():
        roles.update(victims.person(person, [info[i] for i in members[root]]))
    for pid in set(by_person) - taken:
        old = by_person[pid]
        old.status, old.ended_at, old.ended_by = "superseded", now, actor
        victims.remove(pid)
        counts["deleted" if _retire(session, pid) else "retired"] += 1
    victims.finish()
    session.flush()
    counts.update({k.replace(" ", "_"): v for k, v in roles.items()})
    return counts


def _retire(session: Session, person_id: str) -> bool:
    """Delete a person no cluster stands for any more — unless something refers to it (a claim, a role…);
    then keep it, marked retired. Returns whether it was deleted."""
    person = session.get(Person, person_id)
    if person is None:
        return True
    try:
        with session.begin_nested():
            session.delete(person)
            session.flush()
        return True
    except IntegrityError:
        person = session.get(Person, person_id)
        extra = dict(person.extra or {})
        extra["linkage"] = {**extra.get("linkage", {}), "status": "retired"}
        person.extra = extra
        return False
