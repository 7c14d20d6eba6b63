"""Checks on a capture-history table, with warnings in plain language.

Multiple systems estimation extrapolates from overlaps between lists. When the overlaps are few,
absent or too sparse, the estimate rests on assumptions the data cannot test, and a reader must
be told. Each check returns ``EstimateWarning`` records (a stable ``code`` for programs, a ``message``
for people, and a ``key`` with ``params`` from which a reader's interface writes the warning in its own
language: the web's Persian pages translate ``estimates.warn.<key>`` with the params, never the English
message).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from dadkhah.estimate.table import CaptureTable

__all__ = ["EstimateWarning", "Note", "check_table", "SPARSE_CELL"]

SPARSE_CELL = 5  # cells below this count are "sparse"


class Note(str):
    """A warning's English text that also carries a message ``key`` and its ``params``.

    The estimators (``lcmcr``, ``loglinear``, ``bma``) return their warnings as strings; a ``Note`` is
    such a string, so callers that read the text go on working, while the service turns it into an
    ``EstimateWarning`` whose key and params a translated interface can use.
    """

    key: str
    params: dict[str, Any]

    def __new__(cls, text: str, key: str, **params: Any) -> Note:
        note = super().__new__(cls, text)
        note.key = key
        note.params = params
        return note


@dataclass(frozen=True)
class EstimateWarning:
    code: str
    message: str
    stratum: str | None = None
    # ``key`` names the message (``estimates.warn.<key>`` in the web catalogues; the code when None) and
    # ``params`` are the values it is written with (numbers, list names, method names).
    key: str | None = None
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def of(cls, code: str, text: str, stratum: str | None = None) -> EstimateWarning:
        """A warning from an estimator's text: its key and params when the text is a ``Note``."""
        if isinstance(text, Note):
            return cls(code, str(text), stratum, text.key, dict(text.params))
        return cls(code, str(text), stratum)

    def to_dict(self) -> dict:
        d: dict[str, Any] = {"code": self.code, "message": self.message, "key": self.key or self.code}
        if self.params:
            d["params"] = self.params
        if self.stratum:
            d["stratum"] = self.stratum
        return d

    def in_stratum(self, label: str) -> EstimateWarning:
        return EstimateWarning(self.code, self.message, label, self.key, self.params)


def check_table(table: CaptureTable) -> list[EstimateWarning]:
    """All data checks on one table (before any model is fitted)."""
    out: list[EstimateWarning] = []
    t, n = table.t, table.documented
    names = table.lists
    if n == 0:
        return [EstimateWarning("empty", "No documented victims: nothing to estimate from.")]
    if t < 3:
        out.append(
            EstimateWarning(
                "few_lists",
                f"Only {t} list{'s' if t != 1 else ''}. With fewer than 3 lists the overlap cannot reveal "
                "dependence between lists, so any estimate assumes the lists recorded victims independently "
                "of each other, an assumption that rarely holds for lists of the dead.",
                params={"lists": t},
            )
        )
    bits = table.bits
    sizes = table.list_sizes
    for name, size in sizes.items():
        if size == 0:
            out.append(EstimateWarning("empty_list", f"List {name} records no victims in this table.",
                                       params={"list": name}))
    for j, name in enumerate(names):
        if sizes[name] == 0:
            continue
        shared = sum(int(table.counts[c]) for c in range(1, 2**t) if bits[c, j] and bits[c].sum() > 1)
        if shared == 0 and t > 1:
            out.append(
                EstimateWarning(
                    "isolated_list",
                    f"List {name} shares no victims with any other list. Overlaps are what MSE learns from, so "
                    f"nothing in the data says how many victims {name} missed; the estimate for its victims rests "
                    "entirely on the model's assumptions.",
                    params={"list": name},
                )
            )
    for i, k in combinations(range(t), 2):
        both = sum(int(table.counts[c]) for c in range(1, 2**t) if bits[c, i] and bits[c, k])
        if both == 0 and sizes[names[i]] > 0 and sizes[names[k]] > 0:
            out.append(
                EstimateWarning(
                    "no_pair_overlap",
                    f"Lists {names[i]} and {names[k]} have no victim in common; models with an interaction "
                    "between them cannot be estimated.",
                    params={"list_a": names[i], "list_b": names[k]},
                )
            )
    cells = table.counts[1:]
    zeros = int((cells == 0).sum())
    sparse = int(((cells > 0) & (cells < SPARSE_CELL)).sum())
    if zeros:
        out.append(
            EstimateWarning(
                "zero_cells",
                f"{zeros} of the {len(cells)} possible list combinations have no victims. Models that include "
                "interactions touching those combinations may not be identifiable and are flagged.",
                params={"zeros": zeros, "cells": len(cells)},
            )
        )
    if sparse:
        out.append(
            EstimateWarning(
                "sparse_cells",
                f"{sparse} list combination{'s have' if sparse != 1 else ' has'} fewer than {SPARSE_CELL} victims; "
                "estimates that depend on high-order interactions will be unstable.",
                params={"sparse": sparse, "limit": SPARSE_CELL},
            )
        )
    if n < 30:
        out.append(
            EstimateWarning(
                "small_sample",
                f"Only {n} documented victims: every method here relies on large-sample behaviour, so "
                "intervals are rough.",
                params={"documented": n},
            )
        )
    return out
