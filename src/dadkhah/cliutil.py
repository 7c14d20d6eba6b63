"""Helpers shared by every capability's CLI commands.

- ``open_case(ctx)`` opens the case chosen by the global options.
- ``emit_json(obj)`` writes exactly one JSON document to stdout (logs and progress go to stderr).
- ``err`` is a Rich console on stderr; ``progress()`` a Rich progress bar on stderr.
- ``fail(message)`` prints a clear error and exits with status 1 — with ``--json``, as one JSON document
  ``{"error": {...}}`` on stdout too, so a script reading stdout always gets JSON.
- ``guard`` — the one error guard: ``guard(fn, *args)`` or ``with guard():`` turns any
  :class:`~dadkhah.errors.DadkhahError` into ``fail``. The top-level group applies it to every command
  too (:mod:`dadkhah.cli`), so a command needs it only to fail early, before writing output.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import decimal
import json
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.text import Text

from dadkhah.errors import DadkhahError

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
        fail(exc)


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


JSON_PARAMS = ("json_", "json_out")

try:  # typer ≥ 0.25 runs on its own copy of click
    from typer._click.globals import get_current_context as _current
except ImportError:  # pragma: no cover - older typer, on click itself
    from click import get_current_context as _current


def current_context():
    """The context of the command being run (None outside a command)."""
    return _current(silent=True)


def wants_json(argv: list[str] | None = None) -> bool:
    """Whether the command being run was given ``--json`` (its parameters, else the arguments)."""
    ctx = current_context()
    while ctx is not None:
        if any(ctx.params.get(p) for p in JSON_PARAMS):
            return True
        ctx = ctx.parent
    return "--json" in (argv if argv is not None else sys.argv[1:])


def error_document(exc: BaseException | str) -> dict:
    if isinstance(exc, DadkhahError):
        return {"error": exc.to_dict()}
    return {"error": {"type": "Error" if isinstance(exc, str) else type(exc).__name__, "message": str(exc)}}


def fail(message: str | BaseException, code: int = 1, *, as_json: bool | None = None) -> NoReturn:
    """Print a clear error (and, with ``--json``, the error as the one JSON document) and exit."""
    if as_json if as_json is not None else wants_json():
        emit_json(error_document(message))
    err.print(Text.assemble(("error: ", "bold red"), str(message)), highlight=False)
    raise typer.Exit(code)


@contextlib.contextmanager
def _guarding(as_json: bool | None = None) -> Iterator[None]:
    try:
        yield
    except DadkhahError as exc:
        fail(exc, as_json=as_json)


def guard(fn: Callable | None = None, /, *args, **kwargs):
    """The one error guard: ``guard(fn, *args, **kwargs)`` runs ``fn``; ``with guard():`` guards a block."""
    if fn is None:
        return _guarding()
    with _guarding():
        return fn(*args, **kwargs)


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
