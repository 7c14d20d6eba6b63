"""Measure the name rules on labelled pairs: precision and recall of "same name" decisions.

A pair is predicted *same* when the two name keys are equal, or when :func:`name_similarity` reaches
the threshold. The pairs file is a CSV with columns ``a, b, label, note`` (label 1: two writings of one
name; 0: different names).

Run: ``python -m dadkhah.names.evaluate tests/names/name_pairs.csv [--threshold 0.9] [--errors]``
"""

from __future__ import annotations

import argparse
import csv
from dataclasses import dataclass, field
from pathlib import Path

from dadkhah.errors import InputError

DEFAULT_THRESHOLD = 0.9


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    label: int
    note: str = ""


@dataclass
class Metrics:
    threshold: float
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    misses: list[tuple[Pair, float]] = field(default_factory=list)
    false_matches: list[tuple[Pair, float]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def line(self, label: str = "") -> str:
        return (f"{label}pairs={self.tp + self.fp + self.fn + self.tn} (same={self.tp + self.fn}, "
                f"different={self.fp + self.tn}) threshold={self.threshold:g} precision={self.precision:.3f} "
                f"recall={self.recall:.3f} (tp={self.tp} fp={self.fp} fn={self.fn})")


def read_pairs(path: str | Path) -> list[Pair]:
    """Read a pairs CSV (``a, b, label, note``); a bad row raises :class:`InputError` naming it."""
    path = Path(path)
    pairs: list[Pair] = []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {"a", "b", "label"} - set(reader.fieldnames or [])
        if missing:
            raise InputError(f"missing columns {sorted(missing)}", file=str(path))
        for line, row in enumerate(reader, start=2):
            if row["label"] not in ("0", "1"):
                raise InputError(f"label must be 0 or 1, not {row['label']!r}", file=str(path), line=line,
                                 field="label")
            pairs.append(Pair(row["a"], row["b"], int(row["label"]), row.get("note") or ""))
    return pairs


def evaluate(pairs: list[Pair], threshold: float = DEFAULT_THRESHOLD, *, keys_only: bool = False) -> Metrics:
    """Precision/recall of "keys equal, or similarity ≥ threshold" (``keys_only``: keys equal)."""
    from dadkhah.names import name_key, name_similarity

    m = Metrics(threshold=threshold)
    for p in pairs:
        score = name_similarity(p.a, p.b)
        same = name_key(p.a) == name_key(p.b) or (not keys_only and score >= threshold)
        if same and p.label:
            m.tp += 1
        elif same:
            m.fp += 1
            m.false_matches.append((p, score))
        elif p.label:
            m.fn += 1
            m.misses.append((p, score))
        else:
            m.tn += 1
    return m


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dadkhah.names.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("pairs", nargs="+", help="CSV files with columns a, b, label, note")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--errors", action="store_true", help="list the misses and false matches")
    args = parser.parse_args(argv)
    for path in args.pairs:
        pairs = read_pairs(path)
        print(path)
        print("  " + evaluate(pairs, keys_only=True, threshold=args.threshold).line("keys only:      "))
        m = evaluate(pairs, args.threshold)
        print("  " + m.line("keys or score:  "))
        if args.errors:
            for title, items in (("missed", m.misses), ("false match", m.false_matches)):
                for p, s in items:
                    print(f"    {title}: {p.a} | {p.b}  score={s:.3f}  ({p.note})")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
