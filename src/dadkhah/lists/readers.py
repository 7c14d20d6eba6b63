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
import re
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
    encoding: str | None = None  # text formats: the encoding the file was read in
    note: str | None = None      # how that encoding was chosen, when it is not plain UTF-8


MAX_ROWS = 200_000  # rows in one list file (a spreadsheet declaring more is refused before it is read)


def file_format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"cannot read {path.suffix or 'a file without extension'}: use CSV, XLSX, JSON or "
                         "JSON Lines (.csv, .tsv, .xlsx, .json, .jsonl)", file=str(path))
    return fmt


def read_table(path: str | Path, *, sheet: str | None = None, encoding: str | None = None) -> Table:
    """Read a whole list file. Raises :class:`InputError` naming the file (and line) when unreadable.
    ``encoding``: the text encoding of a CSV/JSON file, when it is not UTF-8 (see :func:`decode_text`)."""
    path = Path(path)
    if not path.is_file():
        raise InputError("file not found", file=str(path))
    fmt = file_format(path)
    decoded = None
    try:
        if fmt == "xlsx":
            headers, rows = _read_xlsx(path, sheet)
        else:
            decoded = _decode(path, encoding)
            headers, rows = {"csv": _read_csv, "json": _read_json, "jsonl": _read_jsonl}[fmt](path, decoded)
    except InputError:
        raise
    except (ValueError, RecursionError, MemoryError, OverflowError) as exc:  # a parser's own limit
        raise InputError(f"cannot be read: {_why(exc)}", file=str(path)) from None
    if not headers:
        raise InputError("the file has no header row / no fields", file=str(path))
    if len(rows) > MAX_ROWS:
        raise InputError(f"more than {MAX_ROWS:,} rows: split the list into several files", file=str(path))
    return Table(path=path, format=fmt, headers=headers, rows=rows, encoding=decoded.encoding if decoded else None,
                 note=decoded.note if decoded else None)


def _why(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return f"{type(exc).__name__}: {str(exc)[:200]}"


def _check_text(value: str, path: Path, line: int | None, field: str | None) -> str:
    """Text that can be stored: no lone surrogates (from JSON escapes), no NUL characters."""
    if "\x00" in value:
        raise InputError("contains a NUL character", file=str(path), line=line, field=field)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError("contains an unpaired surrogate escape (\\ud800–\\udfff), which is not text",
                         file=str(path), line=line, field=field) from None
    return value


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


BAD_TEXT = "__bad_text__"  # a row holding bytes that are not text in the file's encoding (reported as bad)
LEGACY = ("cp1256", "iso8859_6", "cp1252", "mac_roman", "cp437", "cp850")
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
         (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


@dataclass
class Decoded:
    text: str
    encoding: str
    note: str | None = None      # how the encoding was chosen, when it is not plain UTF-8
    bad_lines: dict[int, str] | None = None  # line number → what is wrong (bytes replaced by U+FFFD)


def _plausible(text: str, encoding: str) -> float:
    """How much the non-ASCII words of ``text`` look like real words in the script ``encoding`` is for
    (1.0: all of them). A Persian file read as a Latin code page gives accented capitals inside lower-case
    words and symbols; a Latin file read as Windows-1256 gives Arabic letters glued to Latin ones."""
    import unicodedata

    arabic = encoding in ("cp1256", "iso8859_6")
    words = [w for w in text.split() if any(ord(c) > 127 for c in w)]
    if not words:
        return 1.0
    good = 0
    for w in words:
        letters = [c for c in w if c.isalpha()]
        high = [c for c in w if ord(c) > 127]
        if arabic:
            # letters of the Arabic script (no harakat: names in lists are written without them, and a
            # Windows-1256 file read as ISO-8859-6 is full of them), never glued to Latin letters
            ok = all(("\u0600" <= c <= "\u06ff" and not "\u064b" <= c <= "\u065f") or "\ufb50" <= c <= "\ufdff"
                     or "\ufe70" <= c <= "\ufeff" or c in "\u200c\u200d«»" for c in high) \
                and not any(c.isascii() and c.isalpha() for c in letters)
        else:
            ok = all(unicodedata.category(c).startswith("L") and "LATIN" in unicodedata.name(c, "")
                     for c in high)
            prev = ""
            for c in w:  # an accented capital after a lower-case letter: not a real word
                if ord(c) > 127 and c.isupper() and prev.islower():
                    ok = False
                prev = c
        good += ok
    return good / len(words)


def decode_text(data: bytes, file: str, encoding: str | None = None) -> Decoded:
    """Decode a text file strictly.

    - A declared ``encoding`` is used, and every line that is not valid in it is reported.
    - A byte-order mark decides (UTF-8, UTF-16, UTF-32); UTF-16 is never guessed without one.
    - Otherwise the file is UTF-8. Lines that are not valid UTF-8 are reported (and kept with U+FFFD in
      place of the bad bytes, so the importer reports their rows as bad) — the rest of the file is not
      re-read in another encoding because of them.
    - Only when *no* line with non-ASCII bytes is valid UTF-8 is another encoding tried: the one among
      Windows-1256, ISO-8859-6, Windows-1252, Mac Roman, CP437 and CP850 in which the whole file is valid
      and reads as words; the choice is stated. When none or several fit, the file is refused with a
      request to declare its encoding.
    """
    if encoding:
        try:
            codec = __import__("codecs").lookup(encoding).name
        except LookupError:
            raise InputError(f"unknown text encoding {encoding!r}", file=file, field="encoding") from None
        return _strict_lines(data, codec, file, note=f"read as {codec}, as declared")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(codec), codec, note=f"read as {codec} (byte-order mark)"
                               if codec != "utf-8-sig" else None)
            except UnicodeDecodeError as exc:
                raise InputError(f"not valid {codec} although it starts with a {codec} byte-order mark "
                                 f"(byte {exc.start})", file=file) from None
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    non_ascii_ok = 0
    for raw in lines:
        if any(b > 127 for b in raw):
            try:
                raw.decode("utf-8")
                non_ascii_ok += 1
            except UnicodeDecodeError:
                pass
    if non_ascii_ok:
        return _strict_lines(data, "utf-8", file)
    fits = []
    for codec in LEGACY:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if _plausible(text, codec) >= 0.9:
            fits.append((codec, text))
    if len(fits) == 1:
        codec, text = fits[0]
        return Decoded(text, codec, note=f"not UTF-8: read as {codec}, the one encoding in which the whole file "
                                         "is valid and reads as words (declare another with --encoding)")
    names = ", ".join(c for c, _ in fits) if fits else "none of " + ", ".join(LEGACY)
    first_bad = next(i for i, raw in enumerate(lines, 1) if _bad_utf8(raw))
    raise InputError(f"the file is not UTF-8 (first at line {first_bad}) and its encoding cannot be told for sure "
                     f"(it could be: {names}); save it as UTF-8 or declare the encoding (--encoding)",
                     file=file, line=first_bad)


def _bad_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
        return False
    except UnicodeDecodeError:
        return True


_ESCAPED = re.compile("[\udc80-\udcff]")


def _strict_lines(data: bytes, codec: str, file: str, note: str | None = None) -> Decoded:
    """Bytes that are not valid in ``codec`` become lone surrogates (U+DC80–U+DCFF, which no decoded text
    holds), so the readers can tell exactly which rows hold them, whatever the line breaks."""
    try:
        return Decoded(data.decode(codec), codec, note=note)
    except UnicodeDecodeError:
        pass
    text = data.decode(codec, errors="surrogateescape")
    bad = {}
    for i, line in enumerate(text.split("\n"), 1):
        m = _ESCAPED.search(line)
        if m:
            bad[i] = f"not valid {codec} text (byte 0x{ord(m.group()) - 0xDC00:02x} at character {m.start() + 1})"
    return Decoded(text, codec, note=note, bad_lines=bad)


def _escaped(value: str) -> bool:
    return bool(_ESCAPED.search(value))


def _unescape(value: str) -> str:
    return _ESCAPED.sub("\ufffd", value)


def _decode(path: Path, encoding: str | None = None) -> Decoded:
    return decode_text(path.read_bytes(), str(path), encoding)


def _read_csv(path: Path, decoded: Decoded) -> tuple[list[str], list[RawRow]]:
    text = decoded.text
    bad = decoded.bad_lines or {}
    if "\x00" in text:
        line = text[:text.index("\x00")].count("\n") + 1
        raise InputError("contains NUL bytes: not a text (CSV) file, or saved as UTF-16 without a byte-order "
                         "mark — save it as UTF-8", file=str(path), line=line)
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
    if any(_escaped(h) for h in header):
        raise InputError(f"the header is {bad[min(bad)] if bad else 'not valid text'}", file=str(path),
                         line=min(bad) if bad else 1)
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
            broken = [h for h, v in values.items() if _escaped(v)]
            if broken:  # reported as a bad row by the importer; the rest of the file is read as it is
                values = {h: _unescape(v) for h, v in values.items()}
                values[BAD_TEXT] = (f"{', '.join(map(repr, broken))}: not valid {decoded.encoding} text "
                                    f"(the bytes shown as \ufffd)")
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
        raise InputError(f"not a readable XLSX workbook: {_why(exc)}", file=str(path)) from None
    try:
        return _xlsx_rows(path, wb, sheet)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - a malformed sheet (XML, cell references, styles…)
        raise InputError(f"malformed worksheet: {_why(exc)}", file=str(path)) from None
    finally:
        wb.close()


def _xlsx_rows(path: Path, wb, sheet: str | None) -> tuple[list[str], list[RawRow]]:
    if sheet is not None:
        if sheet not in wb.sheetnames:
            raise InputError(f"no worksheet {sheet!r} (the workbook has {', '.join(wb.sheetnames)})",
                             file=str(path))
        ws = wb[sheet]
    else:
        if not wb.worksheets:
            raise InputError("the workbook has no worksheet", file=str(path))
        ws = wb.worksheets[0]
    declared = ws.max_row or 0  # from the sheet's <dimension>, before reading it
    if declared > MAX_ROWS + 1:
        raise InputError(f"the worksheet declares {declared:,} rows, more than {MAX_ROWS:,}: split the list",
                         file=str(path))
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
        if line > MAX_ROWS + header_line + 1:
            raise InputError(f"more than {MAX_ROWS:,} rows: split the list", file=str(path), line=line)
        if not any(c not in (None, "") for c in cells):
            continue
        values = {h: _check_text(_text(cells[i]), path, line, h) if i < len(cells) else ""
                  for i, h in enumerate(headers)}
        rows.append(RawRow(row=len(rows) + 1, line=line, values=values))
    return headers, rows


def _records_headers(records: list[dict]) -> list[str]:
    headers: dict[str, None] = {}
    for r in records:
        for k in r:
            headers.setdefault(str(k), None)
    return list(headers)


def _read_json(path: Path, decoded: Decoded) -> tuple[list[str], list[RawRow]]:
    if decoded.bad_lines:
        n = min(decoded.bad_lines)
        raise InputError(decoded.bad_lines[n], file=str(path), line=n)
    try:
        data = json.loads(decoded.text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", file=str(path), line=exc.lineno) from None
    except (ValueError, RecursionError) as exc:
        raise InputError(f"not readable JSON: {_why(exc)}", file=str(path)) from None
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
    rows = [RawRow(row=i, line=i, values={h: _check_text(_text(item.get(h)), path, i, h) for h in headers})
            for i, item in enumerate(items, start=1)]
    return headers, rows


def _read_jsonl(path: Path, decoded: Decoded) -> tuple[list[str], list[RawRow]]:
    items: list[tuple[int, dict]] = []
    bad = decoded.bad_lines or {}
    for line, text in enumerate(decoded.text.split("\n"), start=1):
        if not text.strip():
            continue
        if line in bad or _escaped(text):  # a bad row for the importer; the other lines are read as they are
            items.append((line, {BAD_TEXT: bad.get(line) or f"not valid {decoded.encoding} text"}))
            continue
        try:
            item = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"not valid JSON: {exc.msg}", file=str(path), line=line) from None
        except (ValueError, RecursionError) as exc:
            raise InputError(f"not readable JSON: {_why(exc)}", file=str(path), line=line) from None
        if not isinstance(item, dict):
            raise InputError("each line must be a JSON object", file=str(path), line=line)
        items.append((line, item))
    headers = [h for h in _records_headers([i for _, i in items]) if h != BAD_TEXT]
    rows = [RawRow(row=n, line=line, values={BAD_TEXT: item[BAD_TEXT]} if BAD_TEXT in item else
                   {h: _check_text(_text(item.get(h)), path, line, h) for h in headers})
            for n, (line, item) in enumerate(items, start=1)]
    return headers, rows
