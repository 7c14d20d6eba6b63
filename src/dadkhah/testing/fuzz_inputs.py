"""Real files of every input format and ways to damage them, for the fuzz suite and its bench.

Each ``make_*`` writes a valid file (Persian names, the shapes the importers meet); :func:`mutate` flips,
inserts or deletes a few bytes; :func:`mutate_member` does the same inside one member of a zip (XLSX)
so that the damage reaches the XML parser rather than only the zip's checksum; :func:`run_one` feeds a
file to its reader and classifies the outcome as ``ok`` (read, and nothing silently garbled),
``refused`` (an :class:`~dadkhah.errors.InputError` naming the problem) or ``traceback`` /
``garbled`` (the failures the suite counts).
"""

from __future__ import annotations

import csv
import io
import json
import random
import zipfile
from pathlib import Path

FA = ["حمید نوری", "مریم احمدی", "زهرا کریمی", "علی رضایی", "فاطمه حسینی", "مهدی محمدی", "نرگس جعفری",
      "پرویز موسوی", "شیرین صادقی", "رضا کاظمی"]
MOJIBAKE = set("ظطغ†ˆ±Œ¹¤§")  # what Persian UTF-8 read as Windows-1256 looks like (نوری → ظ†ظˆط±غŒ)


def make_csv(path: Path, n: int = 30) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "نام", "پدر", "زندان"])
        for i in range(n):
            w.writerow([f"r{i}", FA[i % len(FA)], FA[(i + 3) % len(FA)].split()[0], "اوین"])
    return path


def make_xlsx(path: Path, n: int = 30) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["id", "نام", "سال"])
    for i in range(n):
        ws.append([f"r{i}", FA[i % len(FA)], 1367])
    wb.save(path)
    return path


def make_json(path: Path, n: int = 30) -> Path:
    path.write_text(json.dumps([{"id": f"r{i}", "name": FA[i % len(FA)], "year": 1367} for i in range(n)],
                               ensure_ascii=False), encoding="utf-8")
    return path


def make_pdf(path: Path) -> Path:
    from pypdf import PdfWriter
    from pypdf.generic import NameObject, StreamObject

    w = PdfWriter()
    page = w.add_blank_page(width=612, height=792)
    stream = StreamObject()
    stream.set_data(b"BT /F1 12 Tf 72 700 Td (Letter from Evin prison, summer 1988) Tj ET")
    page[NameObject("/Contents")] = w._add_object(stream)
    w.add_metadata({"/Title": "Evin letter", "/Author": "A survivor"})
    with open(path, "wb") as f:
        w.write(f)
    return path


def mutate(data: bytes, rng: random.Random, *, edits: int | None = None) -> bytes:
    b = bytearray(data)
    for _ in range(edits or rng.randint(1, 4)):
        if not b:
            break
        op = rng.random()
        pos = rng.randrange(len(b))
        if op < 0.5:
            b[pos] = rng.randrange(256)
        elif op < 0.75:
            b.insert(pos, rng.randrange(256))
        else:
            del b[pos]
    return bytes(b)


def mutate_member(data: bytes, rng: random.Random, pattern: str = "xl/worksheets/") -> bytes:
    """Damage one XML member of a zip (an XLSX sheet or shared strings) and re-zip it."""
    src = zipfile.ZipFile(io.BytesIO(data))
    names = [n for n in src.namelist() if n.startswith(pattern) or n.endswith("sharedStrings.xml")]
    target = rng.choice(names)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for n in src.namelist():
            body = src.read(n)
            z.writestr(n, mutate(body, rng, edits=rng.randint(1, 6)) if n == target else body)
    return out.getvalue()


def run_list_file(path: Path) -> tuple[str, str]:
    """Read a (possibly damaged) list file as the importer would; returns (outcome, detail)."""
    from dadkhah.errors import InputError
    from dadkhah.lists.readers import BAD_TEXT, read_table

    try:
        table = read_table(path)
    except InputError as exc:
        return "refused", str(exc)[:120]
    except Exception as exc:  # noqa: BLE001 - exactly what the suite counts
        return "traceback", f"{type(exc).__name__}: {str(exc)[:120]}"
    if table.encoding not in (None, "utf-8", "utf-8-sig") and not table.note:
        return "garbled", f"read as {table.encoding} without saying so"
    for r in table.rows:
        if BAD_TEXT in r.values:
            continue
        for v in list(r.values.values()) + table.headers:
            if "\ufffd" in v:
                return "garbled", f"row {r.row}: a replacement character in a row not reported as bad"
            if table.encoding not in ("utf-8", "utf-8-sig", None) and MOJIBAKE & set(v):
                return "garbled", f"row {r.row}: {v!r} (Persian read as {table.encoding})"
    return "ok", f"{len(table.rows)} rows, {table.encoding}"


def run_pdf(path: Path) -> tuple[str, str]:
    from dadkhah.ingest.limits import DEFAULT_LIMITS
    from dadkhah.ingest.metadata import read_metadata
    from dadkhah.ingest.text import extract_text

    try:
        md = read_metadata(path, "application/pdf", DEFAULT_LIMITS)
        ex = extract_text(path, "application/pdf", limits=DEFAULT_LIMITS, ocr_enabled=False)
    except Exception as exc:  # noqa: BLE001
        return "traceback", f"{type(exc).__name__}: {str(exc)[:120]}"
    return ("refused" if md.problems or ex.problems else "ok"), f"{ex.chars} chars"
