"""Which recorded fields explain differences in how likely victims were to be recorded?

Multiple systems estimates are biased when victims differ in their chances of being recorded in ways
the model does not capture. A field the lists recorded (prison, province, gender, period) can reveal
such differences: if list A holds 60% of the victims from one province and 10% from another, the
chance of being on A depends on the province, and estimating within provinces (strata) lets each
province have its own capture probabilities.

For each field this reports, among documented victims:

- per list, a chi-square test of independence between the field's value and being on the list, with
  Cramér's V (0: the list records every value alike; 1: the value decides it);
- how stratifying on the field moves the log-linear estimate: the lowest-BIC estimate on the whole
  table beside the sum of the lowest-BIC estimates within each value of the field (values with fewer
  than ``min_stratum`` victims pooled).

The test conditions on being documented, so it shows heterogeneity between values of the field, not
heterogeneity within them; a field with no effect can still hide heterogeneity of another kind.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["capture_heterogeneity"]


def _cramers_v(table: np.ndarray) -> tuple[float, float]:
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    if table.shape[0] < 2 or table.shape[1] < 2:
        return 0.0, 1.0
    chi2, p, _, _ = stats.chi2_contingency(table, correction=False)
    n = table.sum()
    v = math.sqrt(chi2 / (n * (min(table.shape) - 1)))
    return float(v), float(p)


def _loglinear_estimate(table) -> float | None:
    from dadkhah.estimate.loglinear import fit_loglinear

    try:
        res = fit_loglinear(table, max_order=min(2, table.t - 1), intervals=False)
    except ValueError:
        return None
    return float(res.best.abundance)


def capture_heterogeneity(records: pd.DataFrame, lists: Sequence[str], fields: Sequence[str],
                          min_stratum: int = 30) -> list[dict]:
    """One row per field, the most informative first (see module docstring)."""
    from dadkhah.estimate.table import table_from_records

    lists = list(lists)
    whole = table_from_records(records, lists=lists).total
    base = _loglinear_estimate(whole)
    rows = []
    for f in fields:
        if f not in records.columns:
            continue
        values = records[f].astype(str)
        per_list = []
        for name in lists:
            ct = pd.crosstab(values, records[name]).to_numpy()
            v, p = _cramers_v(ct)
            per_list.append({"list": name, "cramers_v": round(v, 3), "p_value": float(f"{p:.3g}")})
        counts = values.value_counts()
        small = set(counts[counts < min_stratum].index)
        grouped = values.where(~values.isin(small), "small strata")
        total = 0.0
        ok = True
        for val in sorted(set(grouped)):
            sub = records[grouped == val]
            try:
                tab = table_from_records(sub, lists=lists).total
            except ValueError:
                ok = False
                break
            empty = [n for n, s in tab.list_sizes.items() if s == 0]
            if len(empty) > tab.t - 2:
                ok = False
                break
            est = _loglinear_estimate(tab.without_lists(empty) if empty else tab)
            if est is None:
                ok = False
                break
            total += est
        strongest = max(per_list, key=lambda r: r["cramers_v"]) if per_list else None
        rows.append({
            "field": f,
            "values": int(counts.size),
            "unknown": int(counts.get("unknown", 0)),
            "lists": per_list,
            "strongest": strongest,
            "estimate_without_strata": None if base is None else round(base, 1),
            "estimate_stratified": round(total, 1) if ok else None,
            "shift_pct": round(100 * (total - base) / base, 1) if ok and base else None,
        })
    rows.sort(key=lambda r: -(r["strongest"]["cramers_v"] if r["strongest"] else 0))
    return rows
