"""A small Outlook message (.msg) writer for tests, laid out by [MS-OXMSG] (no sample files online here).

The Compound File Binary container ([MS-CFB]) is written by ``extract_msg.ole_writer.OleWriter``; the
message inside it — property streams, string streams, recipient and attachment storages, the named
property mapping — is composed here from the specification, so the reader under test meets the layout
Outlook writes and not its own writer's idea of a message:

* the top-level ``__properties_version1.0`` stream: a 32-byte header (8 reserved bytes, next recipient
  id, next attachment id, recipient count, attachment count, 8 reserved), then one 16-byte entry per
  property (tag, flags, 8-byte value; for a variable-length property the value is its byte size and
  the bytes are in the stream ``__substg1.0_TTTTtttt``);
* each recipient ``__recip_version1.0_#XXXXXXXX`` and attachment ``__attach_version1.0_#XXXXXXXX``
  storage has its own property stream with an 8-byte header;
* ``__nameid_version1.0`` with its three (here empty) streams.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

PT_LONG, PT_SYSTIME, PT_UNICODE, PT_BINARY = 0x0003, 0x0040, 0x001F, 0x0102
READABLE_WRITABLE = 0x00000006  # PROPATTR_READABLE | PROPATTR_WRITABLE

PR_MESSAGE_CLASS = 0x001A
PR_SUBJECT = 0x0037
PR_CLIENT_SUBMIT_TIME = 0x0039
PR_SENDER_NAME = 0x0C1A
PR_SENDER_ADDRTYPE = 0x0C1E
PR_SENDER_EMAIL_ADDRESS = 0x0C1F
PR_SENDER_SMTP_ADDRESS = 0x5D01
PR_BODY = 0x1000
PR_HTML = 0x1013
PR_RECIPIENT_TYPE = 0x0C15
PR_DISPLAY_NAME = 0x3001
PR_ADDRTYPE = 0x3002
PR_EMAIL_ADDRESS = 0x3003
PR_SMTP_ADDRESS = 0x39FE
PR_ATTACH_DATA_BIN = 0x3701
PR_ATTACH_FILENAME = 0x3704
PR_ATTACH_METHOD = 0x3705
PR_ATTACH_LONG_FILENAME = 0x3707
PR_ATTACH_MIME_TAG = 0x370E

MAPI_TO = 1
ATTACH_BY_VALUE = 1


def _filetime(when: datetime) -> int:
    """100-nanosecond intervals since 1601-01-01 UTC ([MS-DTYP] FILETIME)."""
    epoch = datetime(1601, 1, 1, tzinfo=UTC)
    return int((when - epoch).total_seconds() * 10_000_000)


class _Props:
    """The properties of one object: fixed values go in the property stream, the rest in streams."""

    def __init__(self) -> None:
        self.entries: list[bytes] = []
        self.streams: dict[str, bytes] = {}

    def _variable(self, pid: int, ptype: int, data: bytes) -> None:
        tag = (pid << 16) | ptype
        size = len(data) + (2 if ptype == PT_UNICODE else 0)  # a string's size counts its terminating NUL
        self.entries.append(struct.pack("<IIII", tag, READABLE_WRITABLE, size, 0))
        self.streams[f"__substg1.0_{tag:08X}"] = data

    def text(self, pid: int, value: str) -> None:
        self._variable(pid, PT_UNICODE, value.encode("utf-16-le"))

    def binary(self, pid: int, value: bytes) -> None:
        self._variable(pid, PT_BINARY, value)

    def long(self, pid: int, value: int) -> None:
        self.entries.append(struct.pack("<IIiI", (pid << 16) | PT_LONG, READABLE_WRITABLE, value, 0))

    def time(self, pid: int, value: datetime) -> None:
        self.entries.append(struct.pack("<IIQ", (pid << 16) | PT_SYSTIME, READABLE_WRITABLE, _filetime(value)))


def write_msg(path: Path, *, subject: str, sender_name: str, sender_email: str, body: str | None,
              to: Sequence[tuple[str, str]] = (), attachments: Sequence[tuple[str, bytes]] = (),
              sent: datetime | None = None, html: bytes | None = None, properties_stream: bool = True) -> Path:
    """Write an Outlook message to *path*: a plain-text body unless *body* is None, an HTML body if
    *html*. ``properties_stream=False`` leaves out the top-level
    property stream (a damaged message: its strings are there, its property table is not)."""
    from extract_msg.ole_writer import OleWriter

    ole = OleWriter()  # root CLSID 00020D0B-0000-0000-C000-000000000046, the MSG class
    top = _Props()
    top.text(PR_MESSAGE_CLASS, "IPM.Note")
    top.text(PR_SUBJECT, subject)
    top.text(PR_SENDER_NAME, sender_name)
    top.text(PR_SENDER_ADDRTYPE, "SMTP")
    top.text(PR_SENDER_EMAIL_ADDRESS, sender_email)
    top.text(PR_SENDER_SMTP_ADDRESS, sender_email)
    if body is not None:
        top.text(PR_BODY, body)
    if html is not None:
        top.binary(PR_HTML, html)
    top.time(PR_CLIENT_SUBMIT_TIME, sent or datetime(2023, 8, 1, 9, 30, tzinfo=UTC))
    header = struct.pack("<8sIIII8s", b"\0" * 8, len(to), len(attachments), len(to), len(attachments), b"\0" * 8)
    if properties_stream:
        ole.addEntry("__properties_version1.0", header + b"".join(top.entries))
    for name, data in top.streams.items():
        ole.addEntry(name, data)
    ole.addEntry("__nameid_version1.0", storage=True)
    for stream in ("00020102", "00030102", "00040102"):  # GUID, entry and string streams of the mapping
        ole.addEntry(f"__nameid_version1.0/__substg1.0_{stream}", b"")
    for i, (name, address) in enumerate(to):
        rp = _Props()
        rp.long(PR_RECIPIENT_TYPE, MAPI_TO)
        rp.text(PR_DISPLAY_NAME, name)
        rp.text(PR_ADDRTYPE, "SMTP")
        rp.text(PR_EMAIL_ADDRESS, address)
        rp.text(PR_SMTP_ADDRESS, address)
        _storage(ole, f"__recip_version1.0_#{i:08X}", rp)
    for i, (filename, data) in enumerate(attachments):
        ap = _Props()
        ap.long(PR_ATTACH_METHOD, ATTACH_BY_VALUE)
        ap.text(PR_ATTACH_FILENAME, filename[:12])
        ap.text(PR_ATTACH_LONG_FILENAME, filename)
        ap.text(PR_ATTACH_MIME_TAG, "application/octet-stream")
        ap.binary(PR_ATTACH_DATA_BIN, data)
        _storage(ole, f"__attach_version1.0_#{i:08X}", ap)
    ole.write(str(path))
    return path


def _storage(ole, name: str, props: _Props) -> None:
    ole.addEntry(name, storage=True)
    ole.addEntry(f"{name}/__properties_version1.0", b"\0" * 8 + b"".join(props.entries))
    for stream, data in props.streams.items():
        ole.addEntry(f"{name}/{stream}", data)
