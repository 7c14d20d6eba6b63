"""Capture-history tables: the input to every multiple systems estimator.

A capture-history table counts documented victims by the combination of lists that recorded
them. With ``t`` lists there are ``2**t - 1`` observable patterns; the all-zero pattern (on no
list) is the unknown the estimators infer.

Two ways in:

- ``read_table_csv(path)``: a CSV with a header ``pattern,count`` and optional stratum columns::

      # lists: EXH,ABA,OSCE,HRW        (optional comment naming the lists, in pattern order)
      pattern,count,province
      1000,1131,North
      1010,228,North

  ``pattern`` is one 0/1 digit per list, in the same order on every row.
- ``table_from_records(df)``: a per-victim DataFrame with one 0/1 column per list (as
  ``dadkhah.linkage.capture.capture_history`` returns), optional stratum columns and a ``cluster``
  column, which is ignored.

Cells are indexed by reading the pattern as a binary number: ``"1010"`` is cell ``0b1010 = 10``,
so cell 0 is the unobserved cell and list 1 is the most significant bit.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from dadkhah.errors import DadkhahError

__all__ = [
    "CaptureTable",
    "StratifiedTables",
    "TableError",
    "read_table_csv",
    "parse_table_text",
    "table_from_records",
    "table_from_counts",
    "pattern_string",
    "example_path",
]

MAX_LISTS = 15


class TableError(DadkhahError, ValueError):
    """A capture-history table is malformed; the message names the file, row and field."""


def pattern_string(cell: int, t: int) -> str:
    """The 0/1 pattern of ``cell`` for ``t`` lists (list 1 first)."""
    return format(cell, f"0{t}b")


@dataclass(frozen=True)
class CaptureTable:
    """Counts per capture pattern for ``t`` lists.

    ``counts`` has length ``2**t``; ``counts[0]`` (the unobserved cell) is always 0.
    """

    lists: tuple[str, ...]
    counts: np.ndarray

    def __post_init__(self) -> None:
        counts = np.asarray(self.counts, dtype=np.int64)
        t = len(self.lists)
        if t < 1:
            raise TableError("a capture-history table needs at least one list")
        if t > MAX_LISTS:
            raise TableError(f"{t} lists is more than this tool handles ({MAX_LISTS})")
        if counts.shape != (2**t,):
            raise TableError(f"expected {2**t} cells for {t} lists, got shape {counts.shape}")
        if (counts < 0).any():
            raise TableError("counts must not be negative")
        if counts[0] != 0:
            raise TableError("the all-zero pattern (on no list) cannot have a documented count")
        if len(set(self.lists)) != t:
            raise TableError(f"list names must be distinct: {list(self.lists)}")
        counts.setflags(write=False)
        object.__setattr__(self, "counts", counts)

    @property
    def t(self) -> int:
        """Number of lists."""
        return len(self.lists)

    @property
    def documented(self) -> int:
        """Number of distinct documented victims (sum over observed patterns)."""
        return int(self.counts.sum())

    @property
    def bits(self) -> np.ndarray:
        """``(2**t, t)`` 0/1 matrix: row ``c`` is the pattern of cell ``c``."""
        cells = np.arange(2**self.t)[:, None]
        shifts = np.arange(self.t - 1, -1, -1)[None, :]
        return ((cells >> shifts) & 1).astype(np.int64)

    @property
    def list_sizes(self) -> dict[str, int]:
        """Number of victims on each list."""
        sizes = self.bits.T @ self.counts
        return {name: int(s) for name, s in zip(self.lists, sizes, strict=True)}

    def patterns(self) -> Iterator[tuple[str, int]]:
        """``(pattern, count)`` for every observable pattern, in cell order."""
        for cell in range(1, 2**self.t):
            yield pattern_string(cell, self.t), int(self.counts[cell])

    def without_lists(self, names: Sequence[str]) -> CaptureTable:
        """The table over the remaining lists (victims only on dropped lists are removed)."""
        keep = [j for j, name in enumerate(self.lists) if name not in set(names)]
        if not keep:
            raise TableError("cannot drop every list")
        bits = self.bits[:, keep]
        cells = bits @ (1 << np.arange(len(keep) - 1, -1, -1))
        counts = np.bincount(cells, weights=self.counts, minlength=2 ** len(keep)).astype(np.int64)
        counts[0] = 0
        return CaptureTable(tuple(self.lists[j] for j in keep), counts)

    def to_dict(self) -> dict:
        return {"lists": list(self.lists), "documented": self.documented, "cells": dict(self.patterns())}

    def __add__(self, other: CaptureTable) -> CaptureTable:
        if other.lists != self.lists:
            raise TableError(f"cannot add tables over different lists: {self.lists} vs {other.lists}")
        return CaptureTable(self.lists, self.counts + other.counts)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, CaptureTable)
            and other.lists == self.lists
            and bool(np.array_equal(other.counts, self.counts))
        )

    def __hash__(self) -> int:
        return hash((self.lists, self.counts.tobytes()))


def table_from_counts(counts: Mapping[str, int], lists: Sequence[str] | None = None) -> CaptureTable:
    """Build a table from ``{"1010": 228, ...}``; missing patterns count 0."""
    if not counts:
        raise TableError("no patterns given")
    t = len(next(iter(counts)))
    names = tuple(lists) if lists is not None else default_list_names(t)
    if len(names) != t:
        raise TableError(f"{len(names)} list names for patterns of length {t}")
    cells = np.zeros(2**t, dtype=np.int64)
    for pattern, count in counts.items():
        cells[_parse_pattern(pattern, t, where=f"pattern {pattern!r}")] += int(count)
    return CaptureTable(names, cells)


def default_list_names(t: int) -> tuple[str, ...]:
    """``("1", "2", ...)``: the list numbers used in model names."""
    return tuple(str(j + 1) for j in range(t))


@dataclass(frozen=True)
class StratifiedTables:
    """One capture-history table per stratum (or a single table when there are no strata).

    ``fields`` names the stratum columns; ``tables`` maps each stratum's values (a tuple in
    ``fields`` order) to its table. With no strata, ``fields == ()`` and the single key is ``()``.
    """

    lists: tuple[str, ...]
    fields: tuple[str, ...]
    tables: dict[tuple[str, ...], CaptureTable] = field(default_factory=dict)

    @property
    def total(self) -> CaptureTable:
        """All strata summed."""
        tables = iter(self.tables.values())
        acc = next(tables)
        for tab in tables:
            acc = acc + tab
        return acc

    @property
    def is_stratified(self) -> bool:
        return bool(self.fields)

    def label(self, key: tuple[str, ...]) -> dict[str, str]:
        return dict(zip(self.fields, key, strict=True))


def _parse_pattern(text: str, t: int, *, where: str) -> int:
    text = text.strip()
    if len(text) != t or any(ch not in "01" for ch in text):
        raise TableError(f"{where}: pattern {text!r} must be {t} digits of 0 or 1 (one per list)")
    cell = int(text, 2)
    if cell == 0:
        raise TableError(f"{where}: pattern {text!r} is on no list; it cannot be documented")
    return cell


def _parse_count(text: str, *, where: str) -> int:
    text = text.strip()
    try:
        value = float(text)
    except ValueError:
        raise TableError(f"{where}: count {text!r} is not a number") from None
    if not value.is_integer() or value < 0:
        raise TableError(f"{where}: count {text!r} must be a whole number, 0 or more")
    return int(value)


def read_table_csv(path: str | Path, strata: Sequence[str] = ()) -> StratifiedTables:
    """Read a ``pattern,count[,stratum…]`` CSV.

    With ``strata`` the table is split by those columns; other stratum columns are summed over.
    Errors name the file, the row (1-based line number) and the field.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise TableError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise TableError(f"{path}: not UTF-8 text ({exc.reason})") from None
    return parse_table_text(text, strata=strata, source=str(path))


def parse_table_text(text: str, strata: Sequence[str] = (), source: str = "<table>") -> StratifiedTables:
    """Parse CSV text in the ``pattern,count[,stratum…]`` format (see ``read_table_csv``)."""
    lines = text.splitlines()
    list_names: tuple[str, ...] | None = None
    body_start = 0
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            comment = stripped.lstrip("#").strip()
            if comment.lower().startswith("lists:"):
                names = [n.strip() for n in comment.split(":", 1)[1].split(",") if n.strip()]
                list_names = tuple(names)
            continue
        body_start = i
        break
    else:
        raise TableError(f"{source}: empty table (expected a header 'pattern,count')")

    reader = csv.reader(io.StringIO("\n".join(lines[body_start:])))
    header = [h.strip() for h in next(reader)]
    lowered = [h.lower() for h in header]
    for required in ("pattern", "count"):
        if required not in lowered:
            raise TableError(
                f"{source}, line {body_start + 1}: header must have a '{required}' column "
                f"(found {', '.join(header) or 'nothing'})"
            )
    if len(set(lowered)) != len(lowered):
        raise TableError(f"{source}, line {body_start + 1}: duplicate column names in header {header}")
    i_pat, i_cnt = lowered.index("pattern"), lowered.index("count")
    extra = [h for k, h in enumerate(header) if k not in (i_pat, i_cnt)]
    missing = [s for s in strata if s not in extra]
    if missing:
        raise TableError(
            f"{source}: stratum field(s) {', '.join(missing)} not in the table "
            f"(stratum columns present: {', '.join(extra) or 'none'})"
        )
    strata_idx = [header.index(s) for s in strata]
    extra_idx = [header.index(h) for h in extra]

    t: int | None = None
    seen: dict[tuple[int, tuple[str, ...]], int] = {}
    rows: list[tuple[int, int, tuple[str, ...]]] = []
    for offset, row in enumerate(reader):
        lineno = body_start + 2 + offset
        if not row or all(not c.strip() for c in row) or row[0].lstrip().startswith("#"):
            continue
        if len(row) != len(header):
            raise TableError(f"{source}, line {lineno}: {len(row)} fields, expected {len(header)} ({header})")
        pat = row[i_pat].strip()
        if t is None:
            t = len(pat)
            if t < 1:
                raise TableError(f"{source}, line {lineno}, field 'pattern': empty pattern")
        cell = _parse_pattern(pat, t, where=f"{source}, line {lineno}, field 'pattern'")
        count = _parse_count(row[i_cnt], where=f"{source}, line {lineno}, field 'count'")
        full_key = tuple(row[k].strip() for k in extra_idx)
        dup = seen.get((cell, full_key))
        if dup is not None:
            where = f" in stratum {dict(zip(extra, full_key, strict=True))}" if extra else ""
            raise TableError(f"{source}, line {lineno}: pattern {pat} repeats line {dup}{where}")
        seen[(cell, full_key)] = lineno
        rows.append((cell, count, tuple(row[k].strip() for k in strata_idx)))
    if t is None:
        raise TableError(f"{source}: the table has a header but no rows")
    if t > MAX_LISTS:
        raise TableError(f"{source}: {t} lists is more than this tool handles ({MAX_LISTS})")
    if list_names is None:
        list_names = default_list_names(t)
    elif len(list_names) != t:
        raise TableError(f"{source}: the '# lists:' comment names {len(list_names)} lists but patterns have {t} digits")
    return _group(rows, t, list_names, tuple(strata))


def _group(
    rows: Iterable[tuple[int, int, tuple[str, ...]]], t: int, lists: tuple[str, ...], fields: tuple[str, ...]
) -> StratifiedTables:
    acc: dict[tuple[str, ...], np.ndarray] = {}
    for cell, count, key in rows:
        acc.setdefault(key, np.zeros(2**t, dtype=np.int64))[cell] += count
    if not acc:
        raise TableError("no documented victims in the table")
    tables = {key: CaptureTable(lists, acc[key]) for key in sorted(acc)}
    return StratifiedTables(lists=lists, fields=fields, tables=tables)


def table_from_records(
    records, lists: Sequence[str] | None = None, strata: Sequence[str] = (), source: str = "capture history"
) -> StratifiedTables:
    """Aggregate a per-victim DataFrame into capture-history tables.

    ``records`` has one row per documented victim (a linked cluster), one 0/1 column per list,
    optional stratum columns and optional ``cluster`` and ``person`` columns. ``lists`` defaults to the
    frame's ``attrs["lists"]`` (as :func:`~dadkhah.linkage.capture.capture_history` sets it), else to every
    column that is neither ``cluster``, ``person`` nor a stratum, in column order.
    """
    import pandas as pd

    if not isinstance(records, pd.DataFrame):
        raise TableError(f"{source}: expected a pandas DataFrame, got {type(records).__name__}")
    missing = [s for s in strata if s not in records.columns]
    if missing:
        raise TableError(f"{source}: stratum field(s) {', '.join(missing)} are not columns of the capture history")
    if lists is None:
        lists = records.attrs.get("lists") or [str(c) for c in records.columns
                                                 if c not in ("cluster", "person") and c not in strata]
    else:
        absent = [name for name in lists if name not in records.columns]
        if absent:
            raise TableError(f"{source}: list column(s) {', '.join(absent)} are missing")
    lists = tuple(lists)
    if not lists:
        raise TableError(f"{source}: no list columns")
    if records.empty:
        raise TableError(f"{source}: no records (no documented victims)")
    t = len(lists)
    if t > MAX_LISTS:
        raise TableError(f"{source}: {t} lists is more than this tool handles ({MAX_LISTS})")
    flags = records[list(lists)]
    for name in lists:
        col = flags[name]
        bad = ~col.isin([0, 1, True, False])
        if bad.any():
            row = bad.idxmax()
            raise TableError(
                f"{source}: column {name!r} must hold 0/1, found {col.loc[row]!r} at row {row}"
                + (f" (cluster {records.loc[row, 'cluster']})" if "cluster" in records.columns else "")
            )
    bits = flags.to_numpy(dtype=np.int64)
    cells = bits @ (1 << np.arange(t - 1, -1, -1))
    if (cells == 0).any():
        row = records.index[int(np.argmax(cells == 0))]
        who = f" (cluster {records.loc[row, 'cluster']})" if "cluster" in records.columns else ""
        raise TableError(f"{source}: row {row}{who} is on no list; every documented victim must be on one")
    if strata:
        keys = [tuple(str(v) for v in vals) for vals in records[list(strata)].itertuples(index=False)]
    else:
        keys = [()] * len(records)
    rows = ((int(c), 1, k) for c, k in zip(cells, keys, strict=True))
    return _group(rows, t, lists, tuple(strata))


EXAMPLES = {"kosovo": "kosovo.csv", "madigan-york-3": "madigan-york-3.csv", "uk-2013": "uk-2013.csv"}


def example_path(name: str) -> Path:
    """Path of a bundled example table: ``kosovo`` (4 lists), ``madigan-york-3`` (3 lists) or ``uk-2013``
    (six lists: the UK 2013 modern-slavery lists of Silverman 2014)."""
    try:
        filename = EXAMPLES[name]
    except KeyError:
        raise TableError(f"no example table {name!r}; choose one of {', '.join(EXAMPLES)}") from None
    return Path(__file__).with_name("data") / filename
