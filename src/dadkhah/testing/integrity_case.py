"""A small case touching every kind of table, and the tampering an examiner would try on it.

Used by the tamper suite (tests/integrity/) and ``bench/integrity/tamper.py``. ``build(case, folder)``
writes persons, places, an organisation, an event with participations, sources, claims with numbers
and citations, evidence items (ingested files with custody), a victim list (bulk-written records,
re-imported once so that some are bulk-updated), a protected witness and an edited record — all
through the product's own services. The ``tamper_*`` functions then change the database or the blob
store behind the tool's back, the way ``sqlite3``/``psql`` would, and return what they changed.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

from sqlalchemy import text

FAST_KDF = {"memory_cost": 8, "time_cost": 1, "parallelism": 1}

FIRST = ["حمید", "مریم", "رضا", "زهرا", "علی", "فاطمه", "مهدی", "نرگس", "پرویز", "شیرین"]
LAST = ["نوری", "احمدی", "کریمی", "رضایی", "حسینی", "محمدی", "جعفری", "موسوی", "صادقی", "کاظمی"]


def _list_csv(path: Path, n: int, seed: int, *, drop: int = 0) -> Path:
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "father", "prison", "year"])
        for i in range(n):
            if i < drop:
                continue
            w.writerow([f"L{i:04d}", f"{rng.choice(FIRST)} {rng.choice(LAST)}", rng.choice(FIRST),
                        rng.choice(["اوین", "گوهردشت", "وکیل‌آباد"]), str(1367 - (i % 3 == 0))])
    return path


def build(case, folder: Path, *, list_rows: int = 40, seed: int = 7) -> dict:
    """Populate ``case`` (empty) with a bit of everything; returns counts of what was written."""
    from dadkhah.claims.service import add_claim
    from dadkhah.ingest.pipeline import IngestOptions, ingest_paths
    from dadkhah.lists.importer import import_list
    from dadkhah.lists.mapping import Mapping
    from dadkhah.model import Person
    from dadkhah.records.service import (
        add_event,
        add_organization,
        add_participation,
        add_person,
        add_place,
        add_source,
    )

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with case.session(actor="alice") as s:
        evin = add_place(s, place_type="prison", names=["Evin Prison", "زندان اوین"], id="place-evin",
                         latitude=35.79, longitude=51.39)
        add_organization(s, org_type="commission", names=["Death Commission", "هیئت مرگ"], id="org-commission",
                         place_id=evin.id)
        src = add_source(s, source_type="report", title="Report on the 1988 prison massacre", id="src-report",
                         reliability="B", credibility=2, origin="amnesty")
        src2 = add_source(s, source_type="article", title="Survivors speak", id="src-article", reliability="C",
                          credibility=3, origin="press", date="1367/05/08")
        ev = add_event(s, event_type="execution", label="Executions at Evin", id="event-exec", place_id=evin.id,
                       date="summer 1988")
        for i in range(6):
            p = add_person(s, names=[f"{FIRST[i]} {LAST[i]}"], id=f"person-{i}", gender="male" if i % 2 else "female",
                           birth=f"13{30 + i}", father_name=FIRST[i + 1])
            add_participation(s, event_id=ev.id, participant_id=p.id, role="victim" if i else "perpetrator_ordering")
        cite = [{"source_id": src.id, "quotation": "thousands were executed", "locator": "p. 4"}]
        add_claim(s, subject_id=ev.id, predicate="death_toll", citations=cite, value_low=2800, value_high=5000,
                  statement="Between 2,800 and 5,000 prisoners were executed", id="claim-toll")
        add_claim(s, subject_id="person-1", predicate="death_toll", citations=[{"source_id": src2.id}],
                  value_low=1, value_high=1, statement="one", id="claim-p1")
    with case.session(actor="bob") as s:  # an update through the ORM
        s.get(Person, "person-2").description = "edited later"
    # evidence: two files, one linked to a person
    docs = folder / "docs"
    docs.mkdir(exist_ok=True)
    (docs / "letter.txt").write_text("نامه‌ای از زندان اوین، مرداد ۱۳۶۷\nA letter from Evin prison.\n", encoding="utf-8")
    (docs / "notes.txt").write_text("Interview notes: the commission met on 1988-07-30.\n" * 20, encoding="utf-8")
    ingest_paths(case, [docs], options=IngestOptions(ocr=False, link_entities=["person-1"], sensitivity="restricted"))
    # a victim list, imported then revised (bulk inserts, then bulk updates and withdrawals)
    mapping = Mapping(columns={"record_id": "id", "full_name": "name", "father_name": "father", "prison": "prison"})
    import_list(case, _list_csv(folder / "list-v1.csv", list_rows, seed), "families", mapping=mapping)
    import_list(case, _list_csv(folder / "list-v2.csv", list_rows + 5, seed + 1, drop=3), "families", mapping=mapping)
    # a protected witness
    from dadkhah.vault import witness as w

    with case.session(actor="alice") as s:
        keyring, _ = w.init_key(s, w.Secret.passphrase("correct horse battery"), kdf_params=FAST_KDF)
        w.add_protected_witness(s, keyring, identity={"names": ["Real Name Of Witness"], "birth": "1340"},
                                pseudonym="W-0001")
    return table_counts(case)


def table_counts(case) -> dict[str, int]:
    from dadkhah.model import Base
    from dadkhah.store.audit import UNAUDITED

    out = {}
    with case.engine.connect() as conn:
        for t in Base.metadata.sorted_tables:
            if t.name in UNAUDITED:
                continue
            out[t.name] = conn.execute(text(f'SELECT count(*) FROM "{t.name}"')).scalar()
    return out


# --- tampering -----------------------------------------------------------------------------------

def _q(name: str) -> str:
    return f'"{name}"'


def _other_value(col, value, rng: random.Random):
    """A different value of the same type (what an examiner's UPDATE would write)."""
    from sqlalchemy import JSON, Boolean, Date, DateTime, Float, Integer, LargeBinary

    t = col.type
    if isinstance(t, Boolean):
        return (not value) if value is not None else True
    if isinstance(t, Integer):
        return (value or 0) * 10 + 1
    if isinstance(t, Float):
        return (value or 0.0) * 10 + 0.5
    if isinstance(t, DateTime):
        return "1999-01-01 00:00:00.000000"
    if isinstance(t, Date):
        return "1999-01-01"
    if isinstance(t, LargeBinary):
        b = bytearray(value or b"\0")
        b[rng.randrange(len(b))] ^= 0x01
        return bytes(b)
    if isinstance(t, JSON):
        return '{"tampered": true}'
    s = value if isinstance(value, str) else ""
    if s and col.name in ("sensitivity",):
        return "public" if s != "public" else "restricted"
    length = getattr(t, "length", None) or 10_000
    return (s[:-1] + ("x" if not s.endswith("x") else "y"))[:length] if s else "x"


def audited_tables(case) -> list:
    from dadkhah.model import Base
    from dadkhah.store.audit import UNAUDITED

    return [t for t in Base.metadata.sorted_tables if t.name not in UNAUDITED]


def tamper_edit(case, table, rng: random.Random) -> dict | None:
    """Change one value of one random row of ``table`` (not its key). None when the table is empty."""
    pk = [c.name for c in table.primary_key.columns]
    cols = [c for c in table.columns if c.name not in pk and not c.foreign_keys]
    with case.engine.begin() as conn:
        rows = conn.execute(text(f"SELECT * FROM {_q(table.name)}")).mappings().all()
        if not rows or not cols:
            return None
        row = rng.choice(rows)
        col = rng.choice(cols)
        new = _other_value(col, row[col.name], rng)
        where = " AND ".join(f"{_q(c)} = :k_{c}" for c in pk)
        try:
            with conn.begin_nested():
                conn.execute(text(f"UPDATE {_q(table.name)} SET {_q(col.name)} = :v WHERE {where}"),
                             {"v": new, **{f"k_{c}": row[c] for c in pk}})
        except Exception:  # noqa: BLE001 - a constraint refused it: try the row's text another way
            return None
    return {"table": table.name, "record": "/".join(str(row[c]) for c in pk), "column": col.name}


def tamper_delete(case, table, rng: random.Random) -> dict | None:
    pk = [c.name for c in table.primary_key.columns]
    with case.engine.begin() as conn:
        rows = conn.execute(text(f"SELECT {', '.join(_q(c) for c in pk)} FROM {_q(table.name)}")).mappings().all()
        if not rows:
            return None
        row = rng.choice(rows)
        where = " AND ".join(f"{_q(c)} = :k_{c}" for c in pk)
        try:
            with conn.begin_nested():
                conn.execute(text(f"DELETE FROM {_q(table.name)} WHERE {where}"), {f"k_{c}": row[c] for c in pk})
        except Exception:  # noqa: BLE001 - other rows refer to it (no cascade): not possible unseen
            return None
    return {"table": table.name, "record": "/".join(str(row[c]) for c in pk)}


def named(result: dict, target: dict) -> bool:
    """Whether ``verify``'s result names the changed item (its table and record, or entry)."""
    for check in result["checks"]:
        for p in check["problems"]:
            if p.get("table") == target.get("table") and str(p.get("record")) == str(target.get("record")):
                return True
            if target.get("item") and p.get("item") == target["item"]:
                return True
            if target.get("entry") is not None and p.get("entry") == target["entry"]:
                return True
            span = p.get("entries")
            if target.get("entry") is not None and span and span[0] <= target["entry"] <= span[1]:
                return True
    return False


def _entries(conn) -> list[dict]:
    from dadkhah.store.audit import AuditEntry

    return [dict(r) for r in conn.execute(AuditEntry.__table__.select().order_by(AuditEntry.seq)).mappings()]


def _rehash_from(conn, entries: list[dict], start: int) -> None:
    """Recompute every hash from position ``start`` on and write them back (what a careful forger does)."""
    from dadkhah.store.audit import AuditEntry, _ts, entry_hash

    t = AuditEntry.__table__
    prev = entries[start - 1]["hash"] if start else "0" * 64
    for e in entries[start:]:
        e["prev_hash"] = prev
        e["hash"] = entry_hash(e["seq"], _ts(e["ts"]), e["actor"], e["action"], e["table_name"], e["record_id"],
                               e["before"], e["after"], prev)
        conn.execute(t.update().where(t.c.seq == e["seq"]).values(before=e["before"], after=e["after"],
                                                                   prev_hash=e["prev_hash"], hash=e["hash"]))
        prev = e["hash"]


def forge_chain(case, kind: str, rng: random.Random) -> dict | None:
    """Attack the audit chain itself. Kinds: edit-entry, delete-entry, reorder, truncate (the last entry),
    forge-append (edit a claim and append a correctly hashed entry for it), forge-rewrite (edit a claim,
    rewrite the entry that wrote it and recompute every hash after it)."""
    from dadkhah.store.audit import AuditEntry, append

    t = AuditEntry.__table__
    with case.engine.begin() as conn:
        entries = _entries(conn)
        n = len(entries)
        if kind == "edit-entry":
            e = rng.choice(entries)
            conn.execute(t.update().where(t.c.seq == e["seq"]).values(actor="mallory"))
            return {"entry": e["seq"]}
        if kind == "delete-entry":
            e = entries[rng.randrange(1, n - 1)]
            conn.execute(t.delete().where(t.c.seq == e["seq"]))
            return {"entry": e["seq"]}
        if kind == "reorder":
            i = rng.randrange(1, n - 1)
            a, b = entries[i], entries[i + 1]
            conn.execute(t.update().where(t.c.seq == a["seq"]).values(seq=-1))
            conn.execute(t.update().where(t.c.seq == b["seq"]).values(seq=a["seq"]))
            conn.execute(t.update().where(t.c.seq == -1).values(seq=b["seq"]))
            return {"entry": a["seq"]}
        if kind == "truncate":
            conn.execute(t.delete().where(t.c.seq == entries[-1]["seq"]))
            return {"entry": entries[-1]["seq"]}
        claim = conn.execute(text("SELECT id, value_low, value_high FROM claim WHERE id = 'claim-toll'")).first()
        low, high = claim[1] * 10, claim[2] * 10
        conn.execute(text("UPDATE claim SET value_low = :l, value_high = :h WHERE id = 'claim-toll'"),
                     {"l": low, "h": high})
        if kind == "forge-append":
            append(conn, actor="alice", action="update", table="claim", record_id="claim-toll",
                   before={"value_low": claim[1], "value_high": claim[2]},
                   after={"value_low": low, "value_high": high})
            return {"entry": n + 1, "table": "claim", "record": "claim-toll"}
        if kind == "forge-rewrite":
            pos = next(i for i, e in enumerate(entries) if e["table_name"] == "claim" and e["record_id"] == "claim-toll"
                       and e["action"] == "insert")
            after = dict(entries[pos]["after"])
            after.update(value_low=low, value_high=high)
            entries[pos]["after"] = after
            _rehash_from(conn, entries, pos)
            return {"entry": entries[pos]["seq"], "table": "claim", "record": "claim-toll"}
    raise ValueError(f"unknown attack {kind!r}")
