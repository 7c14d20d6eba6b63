"""Read a list file (CSV, XLSX, JSON or JSON Lines) into headers and rows of text.

Every row keeps where it came from: ``row`` is the 1-based data row (the first record after the
header is row 1) and ``line`` what a person opening the file would look for — the CSV line the record
starts on (the header being line 1), the worksheet row number, or the JSON item / JSON Lines line.
Values are kept as the text written in the file (numbers and dates from spreadsheets are turned into
text the way they display), so the original can always be shown as it was.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from dadkhah.errors import InputError

EXTRA_CELLS = "__extra_cells__"
FORMATS = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".json": "json",
           ".jsonl": "jsonl", ".ndjson": "jsonl"}


@dataclass
class RawRow:
    row: int
    line: int
    values: dict[str, str]


@dataclass
class Table:
    path: Path
    format: str
    headers: list[str]
    rows: list[RawRow]


def file_format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"cannot read {path.suffix or 'a file without extension'}: use CSV, XLSX, JSON or "
                         "JSON Lines (.csv, .tsv, .xlsx, .json, .jsonl)", file=str(path))
    return fmt


def read_table(path: str | Path, *, sheet: str | None = None) -> Table:
    """Read a whole list file. Raises :class:`InputError` naming the file (and line) when unreadable."""
    path = Path(path)
    if not path.is_file():
        raise InputError("file not found", file=str(path))
    fmt = file_format(path)
    reader = {"csv": _read_csv, "xlsx": _read_xlsx, "json": _read_json, "jsonl": _read_jsonl}[fmt]
    headers, rows = reader(path, sheet) if fmt == "xlsx" else reader(path)
    if not headers:
        raise InputError("the file has no header row / no fields", file=str(path))
    return Table(path=path, format=fmt, headers=headers, rows=rows)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value).strip()


def _decode(path: Path) -> str:
    data = path.read_bytes()
    for enc in ("utf-8-sig", "utf-16"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    try:
        return data.decode("cp1256")  # Windows Arabic/Persian code page, common for older lists
    except UnicodeDecodeError:
        raise InputError("cannot decode the file: save it as UTF-8", file=str(path)) from None


def _read_csv(path: Path) -> tuple[list[str], list[RawRow]]:
    text = _decode(path)
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel_tab if path.suffix.lower() == ".tsv" else csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = next(reader)
    except StopIteration:
        return [], []
    headers = _unique_headers([h.strip() for h in header], path)
    rows: list[RawRow] = []
    line = reader.line_num + 1
    try:
        for cells in reader:
            start = line
            line = reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            values = {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(headers)}
            extra = [c for c in cells[len(headers):] if c.strip()]
            if extra:  # more cells than headers: kept, and reported as a bad row by the importer
                values[EXTRA_CELLS] = " | ".join(extra)
            rows.append(RawRow(row=len(rows) + 1, line=start, values=values))
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", file=str(path), line=reader.line_num) from None
    return headers, rows


def _unique_headers(headers: list[str], path: Path) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, h in enumerate(headers):
        h = h or f"column {i + 1}"
        if h in seen:
            seen[h] += 1
            h = f"{h} ({seen[h]})"
        else:
            seen[h] = 1
        out.append(h)
    return out


def _read_xlsx(path: Path, sheet: str | None) -> tuple[list[str], list[RawRow]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds
        raise InputError(f"not a readable XLSX workbook: {exc}", file=str(path)) from None
    try:
        if sheet is not None:
            if sheet not in wb.sheetnames:
                raise InputError(f"no worksheet {sheet!r} (the workbook has {', '.join(wb.sheetnames)})",
                                 file=str(path))
            ws = wb[sheet]
        else:
            ws = wb.worksheets[0]
        it: Iterator = ws.iter_rows(values_only=True)
        headers: list[str] = []
        header_line = 0
        for cells in it:  # the first non-empty row is the header
            header_line += 1
            if any(c not in (None, "") for c in cells):
                headers = _unique_headers([_text(c) for c in cells], path)
                break
        while headers and headers[-1].startswith("column "):
            headers.pop()
        rows: list[RawRow] = []
        for line, cells in enumerate(it, start=header_line + 1):
            if not any(c not in (None, "") for c in cells):
                continue
            values = {h: _text(cells[i]) if i < len(cells) else "" for i, h in enumerate(headers)}
            rows.append(RawRow(row=len(rows) + 1, line=line, values=values))
        return headers, rows
    finally:
        wb.close()


def _records_headers(records: list[dict]) -> list[str]:
    headers: dict[str, None] = {}
    for r in records:
        for k in r:
            headers.setdefault(str(k), None)
    return list(headers)


def _read_json(path: Path) -> tuple[list[str], list[RawRow]]:
    try:
        data = json.loads(_decode(path))
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", file=str(path), line=exc.lineno) from None
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list)]
        if len(lists) != 1:
            raise InputError("a JSON list file must be an array of objects, or an object holding one such array",
                             file=str(path))
        data = lists[0]
    if not isinstance(data, list):
        raise InputError("a JSON list file must be an array of objects", file=str(path))
    items = []
    for i, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise InputError(f"item {i} is not an object", file=str(path), line=i)
        items.append(item)
    headers = _records_headers(items)
    rows = [RawRow(row=i, line=i, values={h: _text(item.get(h)) for h in headers}) for i, item in
            enumerate(items, start=1)]
    return headers, rows


def _read_jsonl(path: Path) -> tuple[list[str], list[RawRow]]:
    items: list[tuple[int, dict]] = []
    for line, text in enumerate(_decode(path).splitlines(), start=1):
        if not text.strip():
            continue
        try:
            item = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"not valid JSON: {exc.msg}", file=str(path), line=line) from None
        if not isinstance(item, dict):
            raise InputError("each line must be a JSON object", file=str(path), line=line)
        items.append((line, item))
    headers = _records_headers([i for _, i in items])
    rows = [RawRow(row=n, line=line, values={h: _text(item.get(h)) for h in headers})
            for n, (line, item) in enumerate(items, start=1)]
    return headers, rows
