"""CLI commands of the publish capability (registered by dadkhah.cli).

- ``dadkhah publish --out DIR`` (the memorial), ``dadkhah publish clear|withdraw ID``, ``dadkhah publish list``
"""

from __future__ import annotations

from pathlib import Path

import typer

from dadkhah.access import audience
from dadkhah.cliutil import emit_json, err, fail, guard, open_case, out

PUBLIC = audience("public")

publish_app = typer.Typer(help="The public memorial: `publish --out DIR` writes it; `publish clear ID` admits one.",
                          invoke_without_command=True)


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the top-level app."""
    app.add_typer(publish_app, name="publish")


# --- memorial -------------------------------------------------------------------------------------

@publish_app.callback()
def publish(ctx: typer.Context, out_dir: Path = typer.Option(None, "--out", help="Folder to write the site into"),
            title: str = typer.Option(None, "--title", help="Site title (English)"),
            title_fa: str = typer.Option(None, "--title-fa", help="Site title (Persian)"),
            json_: bool = typer.Option(False, "--json")) -> None:
    """Write the public memorial: one page per cleared victim, searchable offline in both scripts."""
    if ctx.invoked_subcommand is not None:
        return
    if out_dir is None:
        fail("say where to write the site: dadkhah publish --out DIR")
    from dadkhah.publish.site import DEFAULT_TITLE, DEFAULT_TITLE_FA, build_site

    case = open_case(ctx)
    with case.reader(PUBLIC) as s:  # the memorial is read as the public reads it
        result = guard(build_site, s, out_dir, title=title or DEFAULT_TITLE, title_fa=title_fa or DEFAULT_TITLE_FA)
    if json_:
        emit_json(result.to_dict())
    else:
        err.print(f"wrote the memorial to {result.out}/ ({result.victims} victims); open {result.out}/index.html")


@publish_app.command("clear")
def publish_clear(ctx: typer.Context, person: str = typer.Argument(..., help="Person id of a victim"),
                  note: str = typer.Option(None, "--note", help="Why, or on whose authority")) -> None:
    """Clear a victim's record for the public memorial (only its public parts are ever published)."""
    from dadkhah.publish.clearance import clear

    case = open_case(ctx)
    with case.session() as s:
        guard(clear, s, person, note=note)
    err.print(f"{person} is cleared for the memorial; run `dadkhah publish --out DIR` to update the site")


@publish_app.command("withdraw")
def publish_withdraw(ctx: typer.Context, person: str = typer.Argument(..., help="Person id"),
                     note: str = typer.Option(None, "--note")) -> None:
    """Take a record off the memorial (at the next `dadkhah publish`)."""
    from dadkhah.publish.clearance import withdraw

    case = open_case(ctx)
    with case.session() as s:
        guard(withdraw, s, person, note=note)
    err.print(f"{person} is withdrawn from the memorial")


@publish_app.command("list")
def publish_list(ctx: typer.Context, json_: bool = typer.Option(False, "--json")) -> None:
    """The victims the memorial lists now."""
    from dadkhah.publish.memorial import memorial_entries

    case = open_case(ctx)
    with case.reader(PUBLIC) as s:
        entries = memorial_entries(s)
    if json_:
        emit_json([{"id": e.id, "latin": e.latin, "persian": e.persian} for e in entries])
        return
    for e in entries:
        out.print(f"{e.main}{f'  {e.main_fa}' if e.main_fa and e.latin else ''}  [{e.id}]", highlight=False)
    err.print(f"{len(entries)} cleared victims")
