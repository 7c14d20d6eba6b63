"""The capture-history table for estimation (multiple systems estimation).

    from dadkhah.linkage.capture import capture_history
    table = capture_history(case, strata=("province", "gender", "period"))

One row per linked cluster (one documented victim): a 0/1 ``int`` column per list (named after the
list, in import order) saying whether the victim is on it, one column per requested stratum, a
``cluster`` column and a ``person`` column — the merged person standing for the cluster, who is a
documented victim of the case (:mod:`dadkhah.records.population`), so the estimate's documented count
and the case's count are of the same people. ``person`` is empty only where no person stands for
exactly the cluster's records (before persons are merged, or at another ``threshold``). Rows are in the
order of each cluster's smallest record. ``threshold`` re-clusters at another match probability (from the latest run's
scored pairs and the current decisions) to see how much an estimate depends on linkage.

Strata (each the majority value over the cluster's records; ``None`` when no record says):

- ``province`` — province of ``place_of_origin`` through the gazetteer (a city, prison or burial site
  named as origin gives its province);
- ``gender`` — ``male`` / ``female``;
- ``period`` — the year of death (when a record's death date falls within one year);
- ``prison`` — the gazetteer id of the detention site; ``prison_province`` — its province;
- ``city`` — the gazetteer id of the city of origin.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

import pandas as pd

from dadkhah.access import Principal, need
from dadkhah.errors import InputError, NotFound
from dadkhah.linkage.gazetteer import DEFAULT_PREFERENCE, ORIGIN_PREFERENCE, resolve
from dadkhah.linkage.merge import active_merges
from dadkhah.linkage.service import clusters_at, require_run
from dadkhah.lists.service import lists, records


def _province(f: dict) -> str | None:
    place = resolve(f.get("place_of_origin"), ORIGIN_PREFERENCE)
    return place.province if place else None


def _city(f: dict) -> str | None:
    place = resolve(f.get("place_of_origin"), ORIGIN_PREFERENCE)
    return place.city if place else None


def _prison(f: dict) -> str | None:
    place = resolve(f.get("detention_site"), DEFAULT_PREFERENCE)
    return place.id if place and place.kind == "prison" else None


def _prison_province(f: dict) -> str | None:
    place = resolve(f.get("detention_site"), DEFAULT_PREFERENCE)
    return place.province if place else None


def _period(f: dict) -> int | None:
    death = f.get("death") or {}
    low, high = death.get("low"), death.get("high")
    if not low or not high or low[:4] != high[:4]:
        return None
    return int(low[:4])


STRATA: dict[str, Callable[[dict], object]] = {
    "province": _province,
    "gender": lambda f: f.get("gender"),
    "period": _period,
    "prison": _prison,
    "prison_province": _prison_province,
    "city": _city,
}


def capture_history(case, strata: Sequence[str] = (), threshold: float | None = None, *,
                    principal: Principal) -> pd.DataFrame:
    """The capture history of the linked clusters (see module docstring)."""
    if isinstance(strata, str):
        strata = [strata]
    unknown = [s for s in strata if s not in STRATA]
    if unknown:
        raise InputError(f"unknown stratum {', '.join(map(repr, unknown))}: use {', '.join(STRATA)}",
                         field="strata")
    principal = need(principal, "a capture history")
    with case.reader(principal) as s:
        try:
            require_run(s)
        except NotFound as exc:
            raise InputError(str(exc)) from None
        names = [vl.name for vl in lists(s, principal)]
        recs = records(s, principal)
        assigned = clusters_at(s, threshold, principal=principal)
        persons = {tuple(sorted(m.records)): m.person_id for m in active_merges(s)}
    members: dict[str, list[tuple[int, str, dict]]] = {}
    for rid, name, _row, fields, _sens in recs:
        members.setdefault(assigned[rid], []).append((rid, name, fields))
    rows = []
    for key, recs_of in sorted(members.items(), key=lambda kv: min(r[0] for r in kv[1])):
        on = {name for _, name, _ in recs_of}
        row: dict = {name: int(name in on) for name in names}
        for stratum in strata:
            common = Counter(v for v in (STRATA[stratum](f) for _, _, f in recs_of) if v is not None).most_common(1)
            row[stratum] = common[0][0] if common else None
        row["cluster"] = key
        row["person"] = persons.get(tuple(sorted(r[0] for r in recs_of)))
        rows.append(row)
    df = pd.DataFrame(rows, columns=[*names, *strata, "cluster", "person"])
    for name in names:
        df[name] = df[name].astype("int64")
    df.attrs["lists"] = names
    return df
