"""The `dadkhah` command line: thin, over the service core.

Every capability contributes its commands from its own ``commands.py`` module through a
``register(app)`` function, so this module only composes them (see ``COMMAND_MODULES``).
Global options choose the case: ``--data DIR`` (embedded SQLite + blob folder) or ``--db URL``.
"""

from __future__ import annotations

import importlib

import typer

from dadkhah.cliutil import CaseOptions

app = typer.Typer(
    name="dadkhah",
    help="Evidence and case-building for accountability for mass atrocities.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)

# Each module exposes register(app: typer.Typer) -> None.
COMMAND_MODULES = [
    "dadkhah.commands",  # core: init, demo, search, show, claims, verify, export, import
    "dadkhah.vault.commands",
    "dadkhah.capture.commands",
    "dadkhah.lists.commands",
    "dadkhah.estimate.commands",
    "dadkhah.casework.commands",
    "dadkhah.web.commands",
]


@app.callback()
def _global_options(
    ctx: typer.Context,
    data: str = typer.Option(
        None, "--data", envvar="DADKHAH_DATA", help="Case folder (SQLite + blobs). Default ./dadkhah-data"
    ),
    db: str = typer.Option(None, "--db", envvar="DADKHAH_DB", help="Database URL, e.g. postgresql://..."),
    blobs: str = typer.Option(
        None, "--blobs", envvar="DADKHAH_BLOBS", help="Blob store: a folder or s3://bucket/prefix"
    ),
    actor: str = typer.Option(None, "--actor", envvar="DADKHAH_ACTOR", help="Who is acting (for the audit log)"),
) -> None:
    ctx.obj = CaseOptions(data=data, db=db, blobs=blobs, actor=actor)


def _load_commands() -> None:
    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        module.register(app)


_load_commands()


def main() -> None:  # pragma: no cover - entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
