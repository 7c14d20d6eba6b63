"""What an estimate may count, for whom: the capture history read through :mod:`dadkhah.access`.

An estimate is an aggregate of records: its documented count, the names and sizes of the lists and
every overlap between them say something about the records counted. So an estimate made for a reader
counts only what that reader may see:

- a list above the reader's level (its own ``sensitivity``) is left out entirely — its name, its size
  and every overlap it has — unless the list's holder allowed **aggregate publication**
  (``VictimList.aggregate_publication``, set with ``dadkhah list-aggregate``); then the list is counted
  whole (all its active records), and only its aggregates appear;
- on a list the reader may see, records above the reader's level are left out (again, unless the list
  allows aggregate publication);
- there is no default reader: every call names its principal (``operator()`` for the case owner at the
  command line, ``audience("public")`` for a public dossier, the signed-in user on the web).

Linked clusters come from the linkage run of the whole case; a cluster is counted through its records
the reader may count (a victim whose every record is hidden does not appear).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from dadkhah.access import SYSTEM, Principal, allowed_sensitivities

__all__ = [
    "ListAccess", "CaptureInputs", "UNKNOWN", "require_principal", "counted_lists", "read_inputs", "build_history",
    "capture_history_for", "screen_document",
]

UNKNOWN = "unknown"  # the stratum of victims whose records do not say


def require_principal(principal: Principal | None) -> Principal:
    if not isinstance(principal, Principal):
        raise PermissionError(
            "an estimate needs an explicit principal (who it is for): nothing is counted on behalf of nobody"
        )
    return principal


@dataclass(frozen=True)
class ListAccess:
    """One list as an estimate for a given reader may use it."""

    id: int
    name: str
    sensitivity: str
    aggregate_publication: bool
    visible: bool  # the reader may read the list itself
    position: int
    source_id: str
    source_title: str
    provenance: dict

    @property
    def counted(self) -> bool:
        return self.visible or self.aggregate_publication

    @property
    def whole(self) -> bool:
        """Counted with every active record (aggregate publication), not only those the reader may see."""
        return self.aggregate_publication

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "sensitivity": self.sensitivity,
            "aggregate_publication": self.aggregate_publication,
            "counted_as": "aggregate publication" if not self.visible else "visible to the reader",
            "source": self.source_title,
            **self.provenance,
        }


def counted_lists(session, principal: Principal) -> list[ListAccess]:
    """The lists an estimate for ``principal`` counts, in capture-history order (import order)."""
    from sqlalchemy import select

    from dadkhah.lists.tables import ListImport, VictimList
    from dadkhah.model import Source

    principal = require_principal(principal)
    allowed = set(allowed_sensitivities(principal))
    out = []
    for vl in session.scalars(select(VictimList).order_by(VictimList.position, VictimList.id)):
        visible = vl.sensitivity in allowed
        if not (visible or vl.aggregate_publication):
            continue
        src = session.get(Source, vl.source_id)
        imp = session.scalars(
            select(ListImport).where(ListImport.list_id == vl.id).order_by(ListImport.version.desc()).limit(1)
        ).first()
        provenance = {}
        if imp is not None:
            provenance = {
                "version": imp.version,
                "file_name": imp.file_name,
                "file_sha256": imp.file_sha256,
                "imported_at": imp.imported_at.isoformat(timespec="seconds") if imp.imported_at else None,
                "imported_by": imp.actor,
            }
        if src is not None and (src.sensitivity in allowed or vl.aggregate_publication):
            title = src.title or ""
        else:
            title = ""
        out.append(
            ListAccess(vl.id, vl.name, vl.sensitivity, bool(vl.aggregate_publication), visible, vl.position,
                       vl.source_id, title, provenance)
        )
    return out


@dataclass
class CaptureInputs:
    """What an estimate for one reader counts, read once: the lists, the records (id, list, fields) and the
    stored clusters (record id → cluster key)."""

    lists: list[ListAccess]
    records: list[tuple[int, str, dict]]
    assignment: dict[int, str]


def read_inputs(case, principal: Principal, threshold: float | None = None) -> CaptureInputs:
    """Read the counted lists and records for ``principal`` (and the clusters, at ``threshold`` if given)."""
    from dadkhah.errors import InputError, NotFound
    from dadkhah.linkage.service import clusters_at, require_run
    from dadkhah.lists.service import records

    principal = require_principal(principal)
    allowed = set(allowed_sensitivities(principal))
    # The whole case is read by the system (the case owner) and filtered here, list by list, because a
    # list that allows aggregate publication is counted whole for readers who may not read it.
    system = SYSTEM
    with case.reader(system) as s:
        try:
            require_run(s)
        except NotFound as exc:
            raise InputError(str(exc)) from None
        lists = counted_lists(s, principal)
        by_id = {vl.id: vl for vl in lists}
        recs = records(s, system, list_ids=list(by_id))
        assigned = clusters_at(s, threshold, principal=system)
    by_name = {vl.name: vl for vl in lists}
    kept = [(rid, name, fields) for rid, name, _row, fields, sens in recs
            if by_name[name].whole or sens in allowed]
    return CaptureInputs(lists, kept, assigned)


def build_history(inputs: CaptureInputs, strata: Sequence[str] = (), assignment: dict[int, str] | None = None
                  ) -> tuple[pd.DataFrame, dict[str, int]]:
    """One row per linked cluster of the counted records (see ``capture_history_for``)."""
    from dadkhah.linkage.capture import STRATA

    assigned = inputs.assignment if assignment is None else assignment
    members: dict[str, list[tuple[str, dict]]] = {}
    for rid, name, fields in inputs.records:
        members.setdefault(assigned.get(rid, f"c{rid}"), []).append((name, fields))
    names = [vl.name for vl in inputs.lists]
    rows = []
    missing: Counter = Counter()
    for key in sorted(members, key=lambda k: (len(k), k)):
        recs_of = members[key]
        on = {name for name, _ in recs_of}
        row: dict = {name: int(name in on) for name in names}
        for stratum in strata:
            values = Counter(v for v in (STRATA[stratum](f) for _, f in recs_of) if v is not None).most_common(1)
            if values:
                row[stratum] = str(values[0][0])
            else:
                row[stratum] = UNKNOWN
                missing[stratum] += 1
        row["cluster"] = key
        rows.append(row)
    df = pd.DataFrame(rows, columns=[*names, *strata, "cluster"])
    for name in names:
        df[name] = df[name].astype("int64")
    return df, dict(missing)


def check_strata(strata: Sequence[str]) -> list[str]:
    from dadkhah.errors import InputError
    from dadkhah.linkage.capture import STRATA

    strata = [strata] if isinstance(strata, str) else list(strata)
    unknown = [s for s in strata if s not in STRATA]
    if unknown:
        raise InputError(f"unknown stratum {', '.join(map(repr, unknown))}: use {', '.join(STRATA)}", field="strata")
    return strata


def capture_history_for(
    case, principal: Principal, strata: Sequence[str] = (), threshold: float | None = None,
    *, assignment: dict[int, str] | None = None,
) -> tuple[pd.DataFrame, list[ListAccess], dict[str, int]]:
    """The capture history an estimate for ``principal`` may count.

    Returns (one row per linked cluster with a 0/1 column per counted list, the strata and ``cluster``;
    the counted lists; {stratum field: victims whose records do not say, now ``"unknown"``}).
    ``assignment`` (record id → cluster) replaces the stored clusters (linkage-uncertainty draws).
    """
    strata = check_strata(strata)
    inputs = read_inputs(case, principal, threshold)
    df, missing = build_history(inputs, strata, assignment)
    return df, inputs.lists, missing


def screen_document(case, doc: dict, principal: Principal) -> tuple[dict | None, str | None]:
    """An estimate document (``dadkhah estimate --json``) as ``principal`` may read it.

    Returns (the document, None) when every list it names is one the reader may see or that allows
    aggregate publication, else (None, a note saying the estimate is withheld). A document naming lists
    this case does not hold is not screened by list (it came from a table, not the case), but its
    ``access`` block, when present, must not be above the reader.
    """
    principal = require_principal(principal)
    with case.reader(SYSTEM) as s:
        from sqlalchemy import select

        from dadkhah.lists.tables import VictimList

        known = {vl.name: vl for vl in s.scalars(select(VictimList))}
        countable = {vl.name for vl in counted_lists(s, principal)}
    named = [str(n) for n in doc.get("lists") or []]
    hidden = [n for n in named if n in known and n not in countable]
    level = (doc.get("access") or {}).get("ceiling")
    if hidden or (level is not None and level not in allowed_sensitivities(principal)):
        return None, ("No estimate is shown: it counts lists this audience may not see. Re-run the estimate "
                      "for this audience (it then counts only what the audience may see).")
    return doc, None


def unknown_messages(missing: dict[str, int]) -> list[str]:
    """One plain message per stratum field with victims whose records do not say."""
    return [
        f"{n:,} victim(s) have no recorded {stratum}; they are estimated together in the stratum '{UNKNOWN}'"
        for stratum, n in missing.items()
    ]
