"""CSV export: one file per entity type plus ``claims.csv``, readable in a spreadsheet.

Only what the given principal may see is written (names, records, claims, citations).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from dadkhah.access import Principal
from dadkhah.claims.service import claim_to_dict, list_claims
from dadkhah.model import KIND_CLASSES
from dadkhah.records.service import entity_to_dict, list_entities


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dict) and "text" in value and "edtf" in value:
        return value["text"]
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def export_csv(case, folder: Path | str, principal: Principal) -> dict[str, int]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    with case.reader(principal) as s:
        for kind in KIND_CLASSES:
            rows = [entity_to_dict(s, e, principal, with_claims=False) for e in list_entities(s, kind, principal)]
            for r in rows:
                r["names"] = " | ".join(f"{n['text']} [{n['kind']}]" for n in r["names"])
                for key in ("roles", "positions"):
                    r.pop(key, None)
            _write(folder / f"{kind}.csv", rows)
            counts[kind] = len(rows)
        claims = []
        for c in list_claims(s, principal=principal):
            d = claim_to_dict(c, principal)
            d["subject"] = d["subject"]["id"]
            d["object"] = d["object"]["id"] if d["object"] else ""
            d["sources"] = " | ".join(f"{x['source_id']} ({x['grade']}, {x['stance']}): {x['quotation'] or ''}"
                                      for x in d["sources"])
            claims.append(d)
        _write(folder / "claims.csv", claims)
        counts["claims"] = len(claims)
    return counts


def _write(path: Path, rows: list[dict]) -> None:
    keys: list[str] = []
    for r in rows:
        for k in r:
            if k not in keys:
                keys.append(k)
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.DictWriter(f, fieldnames=keys or ["id"])
        w.writeheader()
        for r in rows:
            w.writerow({k: _cell(r.get(k)) for k in keys})
