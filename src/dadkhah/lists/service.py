"""Reading imported lists and their records (always through the caller's :class:`~dadkhah.access.Principal`)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dadkhah.access import Principal, allowed_sensitivities
from dadkhah.errors import NotFound
from dadkhah.lists.tables import ListImport, ListRecord, VictimList


def lists(session: Session, principal: Principal) -> list[VictimList]:
    """The lists the principal may see, in import order."""
    stmt = select(VictimList).order_by(VictimList.position)
    stmt = stmt.where(VictimList.sensitivity.in_(allowed_sensitivities(principal)))
    return list(session.scalars(stmt))


def get_list(session: Session, name: str, principal: Principal) -> VictimList:
    for vl in lists(session, principal):
        if vl.name == name:
            return vl
    raise NotFound(f"no list named {name!r}")


def list_summary(session: Session, vl: VictimList) -> dict:
    counts = dict(session.execute(
        select(ListRecord.status, func.count()).where(ListRecord.list_id == vl.id).group_by(ListRecord.status)).all())
    imports = session.scalars(select(ListImport).where(ListImport.list_id == vl.id).order_by(ListImport.version))
    return {
        "name": vl.name, "position": vl.position, "source_id": vl.source_id, "version": vl.version,
        "sensitivity": vl.sensitivity, "records": counts.get("active", 0), "withdrawn": counts.get("withdrawn", 0),
        "imports": [{"version": i.version, "file": i.file_name, "sha256": i.file_sha256, "format": i.file_format,
                     "imported_at": i.imported_at, "actor": i.actor, "counts": i.counts, "bad_rows": len(i.errors)}
                    for i in imports],
    }


def list_errors(session: Session, vl: VictimList, version: int | None = None) -> list[dict]:
    """The bad rows reported by one import (the latest by default)."""
    stmt = select(ListImport).where(ListImport.list_id == vl.id)
    stmt = stmt.where(ListImport.version == version) if version else stmt.order_by(ListImport.version.desc())
    imp = session.scalars(stmt.limit(1)).first()
    if imp is None:
        raise NotFound(f"list {vl.name!r} has no import version {version}")
    return list(imp.errors)


def records(session: Session, principal: Principal, *, active: bool = True,
            list_ids: list[int] | None = None) -> list[tuple]:
    """(record id, list name, row, fields, sensitivity) for every record the principal may see."""
    t = ListRecord.__table__
    stmt = (select(t.c.id, VictimList.name, t.c.file_row, t.c.fields, t.c.sensitivity)
            .join(VictimList, VictimList.id == t.c.list_id).order_by(t.c.id))
    if active:
        stmt = stmt.where(t.c.status == "active")
    if list_ids is not None:
        stmt = stmt.where(t.c.list_id.in_(list_ids))
    stmt = stmt.where(t.c.sensitivity.in_(allowed_sensitivities(principal)))
    from dadkhah.access.screen import mask_row, masking

    screen = masking(session)
    if screen:  # a reader who may not read witness identities: names in the rows read as pseudonyms
        return [(r[0], r[1], r[2], mask_row(t, {"fields": r[3]}, screen)["fields"], r[4])
                for r in session.execute(stmt)]
    return [tuple(r) for r in session.execute(stmt)]


def record_to_dict(session: Session, rec: ListRecord, principal: Principal) -> dict:
    """One record with its original values (as imported, in their own script) and parsed fields."""
    if rec.sensitivity not in allowed_sensitivities(principal):
        raise NotFound(f"no list record {rec.id}")
    vl = session.get(VictimList, rec.list_id)
    return {"id": rec.id, "list": vl.name, "row": rec.file_row, "line": rec.file_line, "status": rec.status,
            "record_key": rec.record_key, "original": rec.original, "fields": rec.fields,
            "sensitivity": rec.sensitivity, "history": rec.history, "source_id": vl.source_id}


def get_record(session: Session, record_id: int, principal: Principal) -> ListRecord:
    rec = session.get(ListRecord, int(record_id))
    if rec is None or rec.sensitivity not in allowed_sensitivities(principal):
        raise NotFound(f"no list record {record_id}")
    return rec
