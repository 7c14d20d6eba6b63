"""The `dadkhah` command line: thin, over the service core.

Every capability contributes its commands from its own ``commands.py`` module through a
``register(app)`` function, so this module only composes them (see ``COMMAND_MODULES``).
Global options choose the case: ``--data DIR`` (embedded SQLite + blob folder) or ``--db URL``.

Command groups load lazily: ``COMMANDS`` names the module of every top-level command with its
one-line help, so ``dadkhah --help`` imports none of them, and ``dadkhah link run`` imports only
``dadkhah.linkage.commands`` (a test checks the table against what the modules register). A command a
module registers that the table does not name yet still works: an unknown name loads every module.

Every :class:`~dadkhah.errors.DadkhahError` a command lets through becomes a clear error and exit
status 1 (with ``--json``, the error is the one JSON document on stdout); ``--version`` prints the version.
"""

from __future__ import annotations

import importlib
import sys

import typer
from typer.core import TyperCommand, TyperGroup

try:  # typer ≥ 0.25 runs on its own copy of click
    from typer import _click as click
except ImportError:  # pragma: no cover - older typer, on click itself
    import click  # type: ignore[no-redef]

from rich.text import Text

from dadkhah.cliutil import CaseOptions, emit_json, err, fail, wants_json
from dadkhah.errors import DadkhahError

# Each module exposes register(app: typer.Typer) -> None.
COMMAND_MODULES = [
    "dadkhah.commands",  # core: init, demo, search, show, claims, verify, export, import, reindex, add, claim
    "dadkhah.vault.commands",
    "dadkhah.capture.commands",
    "dadkhah.integrity_commands",  # anchor, backup, restore, check-backup
    "dadkhah.lists.commands",
    "dadkhah.linkage.commands",
    "dadkhah.estimate.commands",
    "dadkhah.casework.commands",
    "dadkhah.dossier.commands",
    "dadkhah.publish.commands",
    "dadkhah.web.commands",
]

#: top-level command → (module that registers it, its one-line help), in the order ``--help`` lists them
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("dadkhah.commands", "Create an empty case (or bring an existing one's schema up to date)."),
    "demo": ("dadkhah.commands", "Build the demo case, \"The 1988 prison massacre in Iran\", from the seed articles."),
    "search": ("dadkhah.commands",
               "Search names across scripts and spellings, and the text of claims, sources and documents."),
    "show": ("dadkhah.commands",
             "Show one record with every name form and every claim about it, with sources and grades."),
    "claims": ("dadkhah.commands", "List claims with their sources and grades; conflicting claims stand side by side."),
    "verify": ("dadkhah.commands", "Prove the case's integrity: the audit chain, every row, every stored file."),
    "export": ("dadkhah.commands", "Export the case: lossless JSON Lines, or one CSV per entity type."),
    "import": ("dadkhah.commands",
               "Import a JSON Lines case file (or a YAML case file) — all of it, or nothing if any line is bad."),
    "reindex": ("dadkhah.commands",
                "Key every name again and rebuild the search index, after upgrading dadkhah (its name rules improve "
                "between versions: names stored before keep the old keys, and searches in a new spelling miss them)."),
    "add": ("dadkhah.commands", "Register a person, organisation, place, event or source."),
    "claim": ("dadkhah.commands", "Record what a source says."),
    "ingest": ("dadkhah.vault.commands",
               "Store files as evidence (once per distinct content), read their metadata and text, make them "
               "searchable."),
    "bundle": ("dadkhah.vault.commands",
               "Write a sealed exhibit bundle: originals, manifest.json, Ed25519 signature (+ RFC 3161 timestamp)."),
    "verify-bundle": ("dadkhah.vault.commands",
                      "Verify a bundle offline: structure, every file's SHA-256, the signature, the timestamp."),
    "signing-key": ("dadkhah.vault.commands",
                    "Print the public key that signs this case's bundles (publish it; recipients pin it)."),
    "evidence": ("dadkhah.vault.commands", "Evidence items: list, show, link, annotate, transfer, view, export."),
    "witness": ("dadkhah.vault.commands", "Protected witnesses: encrypted identities shown as pseudonyms."),
    "testimony": ("dadkhah.vault.commands", "Testimony records and the mentions of known entities in them."),
    "anchor": ("dadkhah.integrity_commands",
               "Sign the audit chain's head with the case key (and timestamp it) into a folder outside the case."),
    "backup": ("dadkhah.integrity_commands",
               "A whole backup: every row, the audit chain as it is, every stored file and the anchors."),
    "restore": ("dadkhah.integrity_commands",
                "Restore a backup into an empty case, re-verifying everything; refuses a backup that does not match."),
    "check-backup": ("dadkhah.integrity_commands",
                     "Check a backup without restoring it: every member's hash, its audit chain and its anchors."),
    "capture": ("dadkhah.capture.commands",
                "Capture web pages as evidence: WACZ of every request, screenshot, PDF, text, signature, custody."),
    "captures": ("dadkhah.capture.commands", "The case's web captures, newest first (failed attempts too)."),
    "verify-capture": ("dadkhah.capture.commands",
                       "Check a capture: its record against the stored files, the case's signature, the RFC 3161 "
                       "token."),
    "lists": ("dadkhah.lists.commands", "Victim lists: import CSV/XLSX/JSON lists with a column mapping."),
    "link": ("dadkhah.linkage.commands", "Record linkage of victim lists: dedupe, link, review, merge, export."),
    "estimate": ("dadkhah.estimate.commands",
                 "Estimate the total number of victims, recorded or not, from the overlaps between lists."),
    "graph": ("dadkhah.casework.commands", "Chain of command: who was above whom, who sat on the same commission."),
    "ftm": ("dadkhah.casework.commands", "Export the case as FollowTheMoney entities (validated), to load into Aleph."),
    "dossier": ("dadkhah.dossier.commands",
                "Case files: perpetrator dossiers, victim and site files, the case report."),
    "publish": ("dadkhah.publish.commands",
                "The public memorial: `publish --out DIR` writes it; `publish clear ID` admits one."),
    "serve": ("dadkhah.web.commands",
              "Run the web application (Persian and English) over the case, on SQLite or PostgreSQL."),
    "users": ("dadkhah.web.commands", "Users of the web application and their API tokens."),
    "query": ("dadkhah.web.commands",
              "Records meeting every condition: the query builder of the /query page, in a script."),
    "list-aggregate": ("dadkhah.estimate.commands",
                       "Show or set whether a list's aggregates may be published to readers below its level."),
}


def registered(module_name: str) -> dict[str, click.Command]:
    """The top-level commands one module registers (it is imported here, and only here)."""
    sub = typer.Typer()

    @sub.callback()
    def _root() -> None:  # a group, so single commands keep their names
        pass

    importlib.import_module(module_name).register(sub)
    group = typer.main.get_command(sub)
    return dict(group.commands)  # type: ignore[attr-defined]


class _Listed(TyperCommand):
    """A stand-in that only knows a command's one-line help (for ``dadkhah --help``)."""

    def get_short_help_str(self, limit: int = 45) -> str:
        return self.short_help or ""


class LazyGroup(TyperGroup):
    """The top-level group: loads a command's module when the command is run, guards every command."""

    _loaded: dict[str, click.Command]
    _listing = False

    def _cache(self) -> dict[str, click.Command]:
        if not hasattr(self, "_loaded"):
            self._loaded = {}
        return self._loaded

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = list(COMMANDS)
        return names + sorted(n for n in {*self.commands, *self._cache()} if n not in COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        cache = self._cache()
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        if cmd_name in cache:
            return cache[cmd_name]
        if self._listing and cmd_name in COMMANDS:
            return _Listed(cmd_name, short_help=COMMANDS[cmd_name][1])
        modules = [COMMANDS[cmd_name][0]] if cmd_name in COMMANDS else COMMAND_MODULES
        for module in modules:
            cache.update(registered(module))
        return cache.get(cmd_name)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        """With ``--json``, a usage error (a missing argument, an unknown option) is JSON too."""
        argv = list(sys.argv[1:] if args is None else args)
        if "--json" not in argv or not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            rv = super().main(argv, prog_name, complete_var, False, **extra)
        except click.exceptions.ClickException as exc:
            emit_json({"error": {"type": type(exc).__name__, "message": exc.format_message()}})
            err.print(Text.assemble(("error: ", "bold red"), exc.format_message()), highlight=False)
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except DadkhahError as exc:  # the one guard, for every command
            fail(exc, as_json=wants_json(ctx.protected_args + ctx.args))


app = typer.Typer(
    name="dadkhah",
    cls=LazyGroup,
    help="Evidence and case-building for accountability for mass atrocities.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            v = version("dadkhah")
        except PackageNotFoundError:  # pragma: no cover - a source checkout without an install
            from dadkhah import __version__ as v
        sys.stdout.write(f"dadkhah {v}\n")
        raise typer.Exit()


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
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit"),
) -> None:
    ctx.obj = CaseOptions(data=data, db=db, blobs=blobs, actor=actor)


def main() -> None:  # pragma: no cover - entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
