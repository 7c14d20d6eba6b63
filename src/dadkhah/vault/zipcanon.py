"""Canonical zip files: uncompressed, fixed timestamps and attributes, nothing between or after entries.

A bundle's member contents are protected by hashes and a signature; this module protects the rest of
the file. :func:`write_zip` writes every entry the same way, and :func:`check_structure` verifies that
a zip is exactly such a file — each local header agrees with its central-directory entry, entries are
contiguous, the end record is consistent and carries no comment — so a change to *any* byte of a
bundle, not only to the bytes of its members, is detected and attributed to an entry where possible.
"""

from __future__ import annotations

import shutil
import struct
import zipfile
from collections.abc import Iterable
from pathlib import Path

EPOCH = (1980, 1, 1, 0, 0, 0)
MODE = 0o100444 << 16  # a regular file, read-only for everybody
LOCAL = struct.Struct("<4sHHHHHIIIHH")
EOCD = struct.Struct("<4sHHHHIIH")
CENTRAL = struct.Struct("<4sBBBBHHHHIIIHHHHHII")
DOS_TIME, DOS_DATE = 0, (0 << 9) | (1 << 5) | 1  # 1980-01-01 00:00:00


def _info(name: str, size: int) -> zipfile.ZipInfo:
    name.encode("ascii")  # canonical names are ASCII (no UTF-8 flag)
    zi = zipfile.ZipInfo(name, date_time=EPOCH)
    zi.compress_type = zipfile.ZIP_STORED
    zi.create_system = 3
    zi.external_attr = MODE
    zi.file_size = size
    return zi


def write_zip(path: str | Path, entries: Iterable[tuple[str, bytes | Path]]) -> None:
    """Write ``(name, bytes or file path)`` entries, in order, as a canonical zip."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, content in entries:
            if isinstance(content, (bytes, bytearray)):
                zf.writestr(_info(name, len(content)), bytes(content))
            else:
                size = Path(content).stat().st_size
                with open(content, "rb") as src, zf.open(_info(name, size), "w", force_zip64=size >= 1 << 31) as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)


def _expected_version(zi: zipfile.ZipInfo) -> int:
    return 45 if zi.extract_version >= 45 or zi.create_version >= 45 else 20


def _check_central(raw, infos: list[zipfile.ZipInfo], pos: int, total: int) -> list[dict]:
    """Walk the central directory as written: every declared length must match what zipfile parsed."""
    problems = []
    for zi in infos:
        raw.seek(pos)
        head = raw.read(CENTRAL.size)
        if len(head) < CENTRAL.size:
            return [{"file": zi.filename, "problem": "zip central directory entry is truncated"}]
        fields = CENTRAL.unpack(head)
        sig, reserved, nlen, xlen, clen = fields[0], fields[4], fields[12], fields[13], fields[14]
        if (sig != b"PK\x01\x02" or reserved != 0 or nlen != len(zi.orig_filename.encode("ascii", "replace"))
                or xlen != len(zi.extra) or clen != len(zi.comment)):
            problems.append({"file": zi.filename, "problem": "zip central directory entry was altered"})
        pos += CENTRAL.size + nlen + xlen + clen
    if not problems and pos != total - EOCD.size and not any(i.extra for i in infos):
        problems.append({"file": "(zip central directory)", "problem": "central directory length was altered"})
    return problems


def check_structure(path: str | Path) -> list[dict]:
    """Problems that make ``path`` other than a canonical zip: ``[{"file", "problem"}]`` (empty when fine)."""
    path = Path(path)
    problems: list[dict] = []
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error, NotImplementedError) as exc:
        return [{"file": path.name, "problem": f"not a readable zip file: {exc}"}]
    with zf, open(path, "rb") as raw:
        total = raw.seek(0, 2)
        infos = zf.infolist()
        names = [i.filename for i in infos]
        for dup in sorted({n for n in names if names.count(n) > 1}):
            problems.append({"file": dup, "problem": "appears more than once in the zip"})
        offset = 0
        for zi in sorted(infos, key=lambda i: i.header_offset):
            where = {"file": zi.filename}
            if zi.header_offset != offset:
                problems.append({**where, "problem": f"zip entry starts at byte {zi.header_offset}, expected {offset}"
                                 " (bytes inserted, removed or altered around it)"})
            if not 0 <= zi.header_offset < total:
                problems.append({**where, "problem": "zip entry points outside the file"})
                break
            raw.seek(zi.header_offset)
            head = raw.read(LOCAL.size)
            if len(head) < LOCAL.size:
                problems.append({**where, "problem": "zip local header is truncated"})
                break
            sig, version, flags, method, ztime, zdate, crc, csize, usize, nlen, xlen = LOCAL.unpack(head)
            name = raw.read(nlen)
            extra = raw.read(xlen)
            expected_version = _expected_version(zi)
            checks = [
                (sig == b"PK\x03\x04", "zip local header signature is damaged"),
                (version == zi.extract_version == expected_version and zi.create_version == expected_version,
                 "zip header version fields were altered"),
                (flags == zi.flag_bits == 0, "zip header flags were altered"),
                (method == zi.compress_type == zipfile.ZIP_STORED, "zip compression method was altered"),
                ((ztime, zdate) == (DOS_TIME, DOS_DATE) and zi.date_time == EPOCH, "zip timestamp was altered"),
                (crc == zi.CRC, "zip CRC field was altered"),
                (name == zi.orig_filename.encode("ascii", "replace"), "file name differs between the zip headers"),
                (zi.external_attr == MODE and zi.internal_attr == 0 and zi.create_system == 3 and zi.volume == 0,
                 "zip file attributes were altered"),
                (zi.comment == b"", "zip entry comment was added"),
                (extra[:2] in (b"", b"\x01\x00") and zi.extra[:2] in (b"", b"\x01\x00"),
                 "unexpected extra data in the zip headers"),
            ]
            if not extra:
                checks.append(((csize, usize) == (zi.compress_size, zi.file_size) and csize == usize,
                               "zip size fields were altered"))
            for ok, problem in checks:
                if not ok:
                    problems.append({**where, "problem": problem})
            offset = zi.header_offset + LOCAL.size + nlen + xlen + zi.compress_size
        problems += _check_central(raw, infos, offset, total)
        start_dir = getattr(zf, "start_dir", None)
        if start_dir is not None and start_dir != offset:
            problems.append({"file": "(zip central directory)",
                             "problem": f"central directory starts at byte {start_dir}, expected {offset}"})
        raw.seek(max(0, total - EOCD.size))
        tail = raw.read(EOCD.size)
        if len(tail) == EOCD.size:
            sig, disk, cd_disk, n_disk, n_total, cd_size, cd_offset, comment_len = EOCD.unpack(tail)
            zip64 = 0xFFFF in (n_disk, n_total) or 0xFFFFFFFF in (cd_size, cd_offset)
            if sig != b"PK\x05\x06" or comment_len or zf.comment:
                problems.append({"file": "(zip end record)", "problem": "zip end record altered or followed by data"})
            elif (disk, cd_disk) != (0, 0) or (not zip64 and (n_disk != n_total or n_total != len(infos)
                                                               or cd_offset != offset
                                                               or cd_offset + cd_size != total - EOCD.size)):
                problems.append({"file": "(zip end record)", "problem": "zip end record fields were altered"})
    return problems
