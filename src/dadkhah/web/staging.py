"""Where an uploaded list waits before it is imported: ``<case folder>/staging/lists/<one folder per
upload>/<the file's own name, made safe>``. The browser's import keeps it there until the user confirms
the mapping; the API imports it at once and removes it."""

from __future__ import annotations

import re
import secrets
import shutil
from pathlib import Path
from typing import BinaryIO

from dadkhah.errors import InputError

_UNSAFE = re.compile(r"[^\w.\-\u200c]+")


def list_suffixes() -> tuple[str, ...]:
    """The file endings a list may have: those the list readers read."""
    from dadkhah.lists.readers import FORMATS

    return tuple(FORMATS)


def staging_root(case) -> Path:
    root = Path(getattr(case, "data_dir", None) or Path.cwd()) / "staging" / "lists"
    root.mkdir(parents=True, exist_ok=True)
    return root


def check_list_file(file_name: str) -> str:
    """The upload's own file name (no folders), or :class:`InputError` if it is not a list file."""
    original = Path(file_name or "").name
    if Path(original).suffix.lower() not in list_suffixes():
        raise InputError(f"{original or 'the file'}: not a list file (use {', '.join(list_suffixes())})",
                         field="file")
    return original


def stage(case, stream: BinaryIO, file_name: str, *, max_bytes: int | None = None) -> tuple[str, Path]:
    """Copy an upload into a new staging folder: (its token, the staged file). A file larger than
    ``max_bytes`` is refused (:class:`InputError`, field ``file``) and nothing of it is kept."""
    original = check_list_file(file_name)
    token = secrets.token_urlsafe(24)
    folder = staging_root(case) / token
    folder.mkdir(parents=True)
    target = folder / (_UNSAFE.sub("_", original)[:120] or f"list{Path(original).suffix.lower()}")
    written = 0
    with target.open("wb") as out:
        while chunk := stream.read(1 << 20):
            written += len(chunk)
            if max_bytes is not None and written > max_bytes:
                out.close()
                shutil.rmtree(folder, ignore_errors=True)
                raise InputError(f"{original}: larger than the upload limit ({max_bytes // (1 << 20)} MiB)",
                                 field="file")
            out.write(chunk)
    return token, target
