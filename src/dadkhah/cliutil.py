"""Helpers shared by every capability's CLI commands.

- ``open_case(ctx)`` opens the case chosen by the global options.
- ``emit_json(obj)`` writes exactly one JSON document to stdout (logs and progress go to stderr).
- ``err`` is a Rich console on stderr; ``progress()`` a Rich progress bar on stderr.
- ``fail(message)`` prints a clear error and exits with status 1.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

if TYPE_CHECKING:
    from dadkhah.case import Case

err = Console(stderr=True)
out = Console()


@dataclass
class CaseOptions:
    data: str | None = None
    db: str | None = None
    blobs: str | None = None
    actor: str | None = None

    @property
    def data_dir(self) -> Path:
        return Path(self.data or "dadkhah-data")


def case_options(ctx: typer.Context) -> CaseOptions:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, CaseOptions) else CaseOptions()


def open_case(ctx: typer.Context, *, create: bool = False) -> Case:
    """Open (and, with ``create``, initialise) the case selected by the global options."""
    from dadkhah.case import Case, CaseError

    opts = case_options(ctx)
    try:
        return Case.open(
            data_dir=opts.data_dir, db_url=opts.db, blobs=opts.blobs, actor=opts.actor, create=create
        )
    except CaseError as exc:
        fail(str(exc))


def _default(o: Any) -> Any:
    if isinstance(o, (_dt.date, _dt.datetime)):
        return o.isoformat()
    if isinstance(o, decimal.Decimal):
        return float(o)
    if isinstance(o, (set, frozenset, tuple)):
        return list(o)
    if isinstance(o, Path):
        return str(o)
    if hasattr(o, "to_dict"):
        return o.to_dict()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def to_json(obj: Any, *, indent: int | None = 2) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=indent, default=_default)


def emit_json(obj: Any) -> None:
    """Write one JSON document to stdout."""
    sys.stdout.write(to_json(obj) + "\n")
    sys.stdout.flush()


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def progress(*, transient: bool = True) -> Progress:
    """A progress bar on stderr (silent when stderr is not a terminal unless DADKHAH_PROGRESS=1)."""
    disable = not err.is_terminal and os.environ.get("DADKHAH_PROGRESS") != "1"
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=transient,
        disable=disable,
    )
