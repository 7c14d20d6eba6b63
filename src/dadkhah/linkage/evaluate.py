"""How good a clustering is against the truth: pairwise and B-cubed precision, recall and F1.

Pairwise: every pair of records put in one cluster is a predicted link; it is right when both records
are about the same person. B-cubed (Bagga & Baldwin 1998): per record, the share of its cluster that is
truly its person (precision) and the share of its person's records that are in its cluster (recall),
averaged over records. Both take dicts ``record → cluster`` and ``record → person`` over the same records.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass


@dataclass
class Scores:
    precision: float
    recall: float
    f1: float
    b3_precision: float
    b3_recall: float
    b3_f1: float
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int
    records: int
    clusters: int
    persons: int

    def to_dict(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in self.__dict__.items()}

    def line(self, label: str = "") -> str:
        return (f"{label:<28} pairwise P={self.precision:.4f} R={self.recall:.4f} F1={self.f1:.4f} | "
                f"B3 P={self.b3_precision:.4f} R={self.b3_recall:.4f} F1={self.b3_f1:.4f} | "
                f"clusters={self.clusters} persons={self.persons}")


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _pairs(counts) -> int:
    return sum(n * (n - 1) // 2 for n in counts)


def score(predicted: Mapping[Hashable, Hashable], truth: Mapping[Hashable, Hashable]) -> Scores:
    """Scores of ``predicted`` (record → cluster) against ``truth`` (record → person)."""
    missing = set(truth) ^ set(predicted)
    if missing:
        raise ValueError(f"predicted and truth must cover the same records ({len(missing)} differ, "
                         f"e.g. {next(iter(missing))!r})")
    cluster_sizes = Counter(predicted.values())
    person_sizes = Counter(truth.values())
    both = Counter((predicted[r], truth[r]) for r in truth)
    correct = _pairs(both.values())
    predicted_pairs = _pairs(cluster_sizes.values())
    true_pairs = _pairs(person_sizes.values())
    precision = correct / predicted_pairs if predicted_pairs else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    n = len(truth)
    # B-cubed: for records in cell (cluster c, person p) of size k: precision k/|c|, recall k/|p|.
    b3p = sum(k * k / cluster_sizes[c] for (c, _), k in both.items()) / n if n else 1.0
    b3r = sum(k * k / person_sizes[p] for (_, p), k in both.items()) / n if n else 1.0
    return Scores(precision=precision, recall=recall, f1=_f1(precision, recall), b3_precision=b3p, b3_recall=b3r,
                  b3_f1=_f1(b3p, b3r), true_pairs=true_pairs, predicted_pairs=predicted_pairs,
                  correct_pairs=correct, records=n, clusters=len(cluster_sizes), persons=len(person_sizes))
