"""Score a `dadkhah link export` CSV against the simulator's truth.csv (pairwise and B-cubed).

    .venv/bin/python bench/linkage/score_export.py export.csv lists/truth.csv

Both files have the columns ``list,row,…``: the export's third column is the cluster, the truth's the
person. Records are matched on (list, row); a record missing from either file is reported.
"""

from __future__ import annotations

import csv
import sys


def read(path: str, column: str) -> dict[tuple[str, int], str]:
    with open(path, newline="", encoding="utf-8") as f:
        return {(r["list"], int(r["row"])): r[column] for r in csv.DictReader(f)}


def main(argv: list[str]) -> None:
    from dadkhah.linkage.evaluate import score

    if len(argv) != 2:
        sys.exit(__doc__)
    exported, truth = read(argv[0], "cluster"), read(argv[1], "person")
    missing = set(truth) - set(exported)
    extra = set(exported) - set(truth)
    if missing or extra:
        print(f"{len(missing)} record(s) of the truth not exported (e.g. bad rows), {len(extra)} exported record(s) "
              "not in the truth; scoring the records in both")
    common = set(truth) & set(exported)
    s = score({k: exported[k] for k in common}, {k: truth[k] for k in common})
    print(s.line(f"export ({len(common):,} records)"))


if __name__ == "__main__":
    main(sys.argv[1:])
