"""CLI commands of the lists capability (registered by dadkhah.cli): ``dadkhah lists
import|propose|show|errors``. The ``link`` commands live in :mod:`dadkhah.linkage.commands`.
Every ``--json`` output is one JSON document on stdout; progress and messages go to stderr.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.table import Table
from rich.text import Text

from dadkhah.access import operator
from dadkhah.cliutil import case_options, emit_json, err, fail, guard, open_case, out, progress

lists_app = typer.Typer(help="Victim lists: import CSV/XLSX/JSON lists with a column mapping.", no_args_is_help=True)

def register(app: typer.Typer) -> None:
    """Add this capability's commands to the top-level app."""
    app.add_typer(lists_app, name="lists")


def plain(value) -> Text:
    """User content as plain text in a table (never read as Rich markup)."""
    return Text("" if value is None else str(value))


_t = plain


def say(message: str) -> None:
    """A message for people, on stderr, never wrapped (so lines stay greppable)."""
    err.print(message, soft_wrap=True, highlight=False, markup=False)


def _actor(ctx: typer.Context, case) -> str:
    return case_options(ctx).actor or case.actor


# --- lists -----------------------------------------------------------------------------------------------

def _show_mapping(mapping, headers: list[str]) -> None:
    table = Table("canonical field", "column in the file", title="mapping", show_lines=False)
    for f, h in mapping.columns.items():
        table.add_row(f, _t(h))
    unmapped = [h for h in headers if h not in mapping.columns.values()]
    err.print(table)
    say(f"name_order: {mapping.name_order}   sensitivity: {mapping.sensitivity}")
    if unmapped:
        say(f"not mapped (kept in the original values only): {', '.join(unmapped)}")


@lists_app.command("propose")
def propose(file: Path = typer.Argument(..., help="CSV, XLSX or JSON list"),
            output: Path = typer.Option(None, "-o", "--output", help="Write the proposed mapping YAML here"),
            json_: bool = typer.Option(False, "--json")) -> None:
    """Propose a mapping from the file's headers (English or Persian), to check and save."""
    from dadkhah.lists.importer import read_and_map

    with guard():
        table, mapping = read_and_map(file, None)
    if output:
        output.write_text(mapping.to_yaml(), encoding="utf-8")
        say(f"wrote {output}")
    if json_:
        emit_json({"file": str(file), "headers": table.headers, "rows": len(table.rows), "mapping": mapping.to_dict()})
        return
    _show_mapping(mapping, table.headers)
    if not output:
        sys.stdout.write(mapping.to_yaml())


@lists_app.command("import")
def import_list(ctx: typer.Context, file: Path = typer.Argument(..., help="CSV, XLSX or JSON list"),
                name: str = typer.Option(..., "--name", help="The list's name (re-use it to import a revision)"),
                mapping: Path = typer.Option(None, "--mapping", help="YAML: canonical field → column header"),
                yes: bool = typer.Option(False, "--yes", "-y", help="Accept the proposed mapping without asking"),
                public: bool = typer.Option(False, "--public", help="Mark the list's records public"),
                save_mapping: Path = typer.Option(None, "--save-mapping", help="Write the mapping used here"),
                strict: bool = typer.Option(False, "--strict", help="Import nothing if any row is bad"),
                encoding: str = typer.Option(None, "--encoding", help="The file's text encoding when it is not "
                                             "UTF-8 (e.g. cp1256)"),
                json_: bool = typer.Option(False, "--json")) -> None:
    """Import a list of victims as a Source (re-importing a revised list updates it, keeping history)."""
    from dadkhah.lists.importer import import_list as run_import
    from dadkhah.lists.importer import read_and_map
    from dadkhah.lists.mapping import load_mapping

    with guard():
        chosen = load_mapping(mapping) if mapping else None
        if encoding:
            from dadkhah.lists.mapping import Mapping

            chosen = chosen or Mapping(columns={})
            chosen.encoding = encoding
            if not chosen.columns:  # only the encoding was given: propose the columns
                from dadkhah.lists.importer import read_table
                from dadkhah.lists.mapping import propose_mapping

                t = read_table(file, encoding=encoding)
                chosen = propose_mapping(t.headers, [r.values for r in t.rows[:50]])
                chosen.encoding = encoding
        table, chosen = read_and_map(file, chosen)
    if mapping is None:
        _show_mapping(chosen, table.headers)
        if not yes:
            if not sys.stdin.isatty():
                fail("no --mapping given: check the proposed mapping above, then re-run with --yes "
                     "(or save it with `dadkhah lists propose FILE -o MAP.yaml`, edit, and pass --mapping)")
            if not typer.confirm("Import with this mapping?", err=True):
                raise typer.Exit(1)
    if save_mapping:
        save_mapping.write_text(chosen.to_yaml(), encoding="utf-8")
    case = open_case(ctx, create=True)
    with guard(), progress() as bar:
        task = bar.add_task(f"importing {file.name}", total=None)
        report = run_import(case, file, name, mapping=chosen, public=public, actor=_actor(ctx, case),
                            progress=lambda done, total: bar.update(task, completed=done, total=total),
                            strict=strict)
    c = report.counts
    say(f"{report.list} v{report.version}: {c['good']} of {c['rows']} rows imported — {c['added']} new, "
              f"{c['updated']} changed, {c['unchanged']} unchanged, {c['restored']} restored, "
              f"{c['withdrawn']} withdrawn; {c['bad']} bad row(s)")
    if c.get("encoding_note"):
        say(f"  {file.name}: {c['encoding_note']}")
    for e in report.errors[:50]:
        where = f"line {e['line']} (row {e['row']})"
        say(f"  {file.name}:{where}: {('field ' + repr(e['field']) + ': ') if e['field'] else ''}"
            f"{e['message']}")
    if len(report.errors) > 50:
        say(f"  … and {len(report.errors) - 50} more (see `dadkhah lists errors {report.list!r}`)")
    if json_:
        emit_json(report.to_dict())


@lists_app.command("show")
def show(ctx: typer.Context, name: str = typer.Argument(None, help="One list (default: all)"),
         json_: bool = typer.Option(False, "--json")) -> None:
    """The imported lists: records, withdrawn records, versions."""
    from dadkhah.lists.service import get_list, list_summary, lists

    case = open_case(ctx)
    with case.reader(operator(case.actor)) as s, guard():
        chosen = [get_list(s, name, s.info["principal"])] if name else lists(s, s.info["principal"])
        data = [list_summary(s, vl) for vl in chosen]
    if json_:
        emit_json(data if not name else data[0])
        return
    table = Table("#", "list", "records", "withdrawn", "version", "sensitivity", "source")
    for d in data:
        table.add_row(*(_t(d[k]) for k in ("position", "name", "records", "withdrawn", "version", "sensitivity",
                                           "source_id")))
    out.print(table)


@lists_app.command("errors")
def errors(ctx: typer.Context, name: str = typer.Argument(...),
           version: int = typer.Option(None, "--version", help="Import version (default: the latest)"),
           json_: bool = typer.Option(False, "--json")) -> None:
    """The bad rows of an import, each with its line, row, field and reason."""
    from dadkhah.lists.service import get_list, list_errors

    case = open_case(ctx)
    with case.reader(operator(case.actor)) as s, guard():
        rows = list_errors(s, get_list(s, name, s.info["principal"]), version)
    if json_:
        emit_json(rows)
        return
    for e in rows:
        out.print(f"line {e['line']} (row {e['row']}): {('field ' + repr(e['field']) + ': ') if e['field'] else ''}"
                  f"{e['message']}", highlight=False, markup=False)
