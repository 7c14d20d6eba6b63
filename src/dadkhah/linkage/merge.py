"""Merged victims: one canonical :class:`~dadkhah.model.Person` per cluster of list records.

The person carries every written form of the name (each a :class:`~dadkhah.model.NameForm` pointing at
its list's Source), the most precise dates, the majority gender and father's name, and in
``extra["linkage"]`` its provenance: which list, which row, which record. Source list records are never
touched. Persons are ``restricted`` unless every record behind them is public.

:func:`sync_persons` keeps persons in step with clusters and keeps their identifiers stable: a cluster
keeps the person that already stands for most of its records, so claims made about a victim survive
re-runs. Each change is a :class:`~dadkhah.linkage.tables.LinkMerge` row recording the groups it joined.

:func:`undo_merge` separates those groups again, and records "different" decisions between them (with
who undid it and when) so that re-running the linkage does not merge them back.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dadkhah.errors import InputError, NotFound
from dadkhah.linkage.cluster import Clustering
from dadkhah.linkage.gazetteer import DEFAULT_PREFERENCE, ORIGIN_PREFERENCE, resolve
from dadkhah.linkage.tables import LinkDecision, LinkMerge
from dadkhah.lists.tables import ListRecord, VictimList
from dadkhah.model import NameForm, Person, new_id
from dadkhah.model.base import utcnow

RANK = {"public": 0, "restricted": 1, "confidential": 2}


def _strictest(levels: Iterable[str]) -> str:
    levels = list(levels) or ["restricted"]
    return max(levels, key=lambda v: RANK.get(v, 1))


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
        stmt = (select(t.c.id, t.c.file_row, t.c.fields, t.c.sensitivity, VictimList.name, VictimList.source_id)
                .join(VictimList, VictimList.id == t.c.list_id).where(t.c.id.in_(chunk)))
        for rid, row, fields, sens, name, source in session.execute(stmt):
            out[rid] = {"id": rid, "row": row, "fields": fields, "sensitivity": sens, "list": name, "source_id": source}
    return out


def _name_form(text: str, *, kind: str, source_id: str, sensitivity: str, position: int, primary: bool) -> NameForm:
    from dadkhah.names import detect_script, name_key, normalize

    script = detect_script(text)
    return NameForm(text=text, kind=kind, script=script, lang="fa" if script == "fa" else None,
                    normalized=normalize(text), name_key=name_key(text), sensitivity=sensitivity,
                    is_primary=primary, position=position, source_id=source_id)


def _narrowest(dates: list[dict]) -> dict | None:
    dates = [d for d in dates if d and d.get("low") and d.get("high")]
    if not dates:
        return None
    return min(dates, key=lambda d: (d["high"] > "9000" or d["low"] < "0100", _width(d)))


def _width(d: dict) -> int:
    import datetime as dt

    return (dt.date.fromisoformat(d["high"]) - dt.date.fromisoformat(d["low"])).days


def _majority(values: Iterable) -> object | None:
    counts = Counter(v for v in values if v)
    return counts.most_common(1)[0][0] if counts else None


def _fill_person(person: Person, key: str, run_id: int, ids: list[int], info: dict[int, dict]) -> None:
    from dadkhah.records.service import refresh_label

    recs = [info[i] for i in ids]
    person.sensitivity = _strictest(r["sensitivity"] for r in recs)
    person.names.clear()
    seen: set[str] = set()
    for r in recs:
        text = (r["fields"].get("full_name") or "").strip()
        if not text or text in seen:
            continue
        seen.add(text)
        person.names.append(_name_form(text, kind="full", source_id=r["source_id"], sensitivity=r["sensitivity"],
                                       position=len(person.names), primary=not person.names))
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
        "cluster": key, "run": run_id, "status": "active",
        "records": [{"record": r["id"], "list": r["list"], "row": r["row"], "source_id": r["source_id"]}
                    for r in recs],
        "lists": sorted({r["list"] for r in recs}),
        "place_of_origin": origin.to_dict() if origin else None,
        "detention_site": prison.to_dict() if prison else None,
        "burial_site": burial.to_dict() if burial else None,
    }
    person.extra = extra


def sync_persons(session: Session, run_id: int, result: Clustering, *, actor: str) -> dict[str, int]:
    """Make the persons match the clusters: create, update, keep or retire (see module docstring)."""
    from dadkhah.linkage.service import cluster_key

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
    changed = [root for root, ids in members.items()
               if root not in owner or sorted(by_person[owner[root]].records) != ids]
    info = _records_info(session, {r for root in changed for r in members[root]})
    counts = {"created": 0, "updated": 0, "unchanged": len(members) - len(changed), "retired": 0, "deleted": 0}
    now = utcnow()
    with session.no_autoflush:
        for root in changed:
            ids = members[root]
            key = cluster_key(root)
            parts: dict[str, list[int]] = {}
            for r in ids:
                parts.setdefault(rec_person.get(r) or f"record {r}", []).append(r)
            pid = owner.get(root)
            if pid is None:
                person = Person(id=new_id("person"), label="", sensitivity="restricted", extra={})
                session.add(person)
                counts["created"] += 1
            else:
                person = session.get(Person, pid)
                old = by_person[pid]
                old.status, old.ended_at, old.ended_by = "superseded", now, actor
                counts["updated"] += 1
            _fill_person(person, key, run_id, ids, info)
            session.add(LinkMerge(person_id=person.id, run_id=run_id, records=ids, parts=sorted(parts.values()),
                                  actor=actor))
    for pid in set(by_person) - taken:
        old = by_person[pid]
        old.status, old.ended_at, old.ended_by = "superseded", now, actor
        counts["deleted" if _retire(session, pid) else "retired"] += 1
    session.flush()
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


def undo_merge(case, person_id: str, *, actor: str | None = None, principal=None, note: str | None = None) -> dict:
    """Separate again the groups the latest merge of ``person_id`` joined; keep them apart in re-runs."""
    from dadkhah.access import operator, require
    from dadkhah.linkage.service import recluster

    actor = actor or case.actor
    principal = principal or operator(actor)
    require(principal, "review")
    with case.session(actor=actor, principal=principal) as s:
        merge = s.scalars(select(LinkMerge).where(LinkMerge.person_id == person_id, LinkMerge.status == "active")
                          ).first()
        if merge is None:
            raise NotFound(f"no merged person {person_id!r} (or it stands for no cluster any more)")
        parts = [list(p) for p in merge.parts]
        if len(parts) < 2:
            raise InputError(f"{person_id} was not formed by joining records or persons: nothing to undo "
                             "(to take one record out of a cluster, decide 'different' on a pair)")
        added = 0
        for i in range(len(parts)):
            for j in range(i + 1, len(parts)):
                for a in parts[i]:
                    for b in parts[j]:
                        s.add(LinkDecision(record_l=min(a, b), record_r=max(a, b), decision="different",
                                           reviewer=actor, origin="undo-merge",
                                           note=note or f"undo of merge {merge.id} ({person_id})"))
                        added += 1
        s.flush()
        result = recluster(case, actor=actor, session=s)  # the person keeps its largest part
        merge.status, merge.ended_at, merge.ended_by = "undone", utcnow(), actor
        persons = sorted({m.person_id for m in active_merges(s) if set(m.records) & set(merge.records)})
    return {"person": person_id, "merge": merge.id, "parts": parts, "decisions": added,
            "clusters": sorted({result.clusters[r] for r in merge.records if r in result.clusters}),
            "persons": persons}
