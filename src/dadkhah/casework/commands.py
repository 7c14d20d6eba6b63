"""CLI commands of the casework capability (registered by dadkhah.cli).

- ``dadkhah graph above|below PERSON``, ``dadkhah graph colleagues PERSON``, ``dadkhah graph svg``
- ``dadkhah ftm -o FILE.ftm.json`` (FollowTheMoney entities for Aleph)

The dossier and publish commands live in :mod:`dadkhah.dossier.commands` and :mod:`dadkhah.publish.commands`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from dadkhah.cliutil import emit_json, err, fail, guard, open_case, out

AUDIENCE_HELP = "Who the output is for: internal, prosecutor, restricted or public (filters what it shows)"

graph_app = typer.Typer(help="Chain of command: who was above whom, who sat on the same commission.",
                        no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the top-level app."""
    app.add_typer(graph_app, name="graph")
    app.command("ftm")(ftm)


# --- chain of command -----------------------------------------------------------------------------

def _principal(audience: str):
    from dadkhah.access import audience as audience_principal
    from dadkhah.errors import InputError

    try:
        return audience_principal(audience)
    except ValueError as exc:
        raise InputError(str(exc), field="audience") from None


def _print_relatives(rows, heading: str, json_: bool) -> None:
    if json_:
        emit_json([r.to_dict() for r in rows])
        return
    if not rows:
        err.print("nobody found")
        return
    out.print(heading)
    for r in rows:
        chain = " → ".join(f"{st.relation}" for st in r.path)
        persian = f" ({r.persian})" if r.persian and r.persian != r.label else ""
        out.print(f"  {r.label}{persian}  [{r.id}]  via {chain}", highlight=False)


@graph_app.command("above")
def graph_above(ctx: typer.Context, person: str = typer.Argument(..., help="Person id"),
                period: str = typer.Option(None, "--period", help='e.g. "August 1988", 1988-08, "1367/05"'),
                at: str = typer.Option(None, "--at", help="Only through positions/roles in this place, body or event"),
                audience: str = typer.Option("internal", "--audience", help=AUDIENCE_HELP),
                json_: bool = typer.Option(False, "--json")) -> None:
    """Who was above PERSON (e.g. `graph above person-nouri --at place-gohardasht --period 1988-08`)."""
    from dadkhah.casework.chain import superiors

    case = open_case(ctx)
    reader = guard(_principal, audience)
    with case.reader(reader) as s:
        rows = guard(superiors, s, person, period=period, scope=at, principal=reader)
    _print_relatives(rows, f"above {person}:", json_)


@graph_app.command("below")
def graph_below(ctx: typer.Context, person: str = typer.Argument(..., help="Person id"),
                period: str = typer.Option(None, "--period"), at: str = typer.Option(None, "--at"),
                audience: str = typer.Option("internal", "--audience", help=AUDIENCE_HELP),
                json_: bool = typer.Option(False, "--json")) -> None:
    """Who was below PERSON in the chain of command."""
    from dadkhah.casework.chain import subordinates

    case = open_case(ctx)
    reader = guard(_principal, audience)
    with case.reader(reader) as s:
        rows = guard(subordinates, s, person, period=period, scope=at, principal=reader)
    _print_relatives(rows, f"below {person}:", json_)


@graph_app.command("colleagues")
def graph_colleagues(ctx: typer.Context, person: str = typer.Argument(..., help="Person id"),
                     org_type: str = typer.Option("commission", "--org-type",
                                                  help="Kind of body (commission, prison, judiciary…; 'any' for all)"),
                     period: str = typer.Option(None, "--period"),
                     audience: str = typer.Option("internal", "--audience", help=AUDIENCE_HELP),
                     json_: bool = typer.Option(False, "--json")) -> None:
    """Who sat on the same commission (or other body) as PERSON, at an overlapping time."""
    from dadkhah.casework.chain import co_members

    case = open_case(ctx)
    reader = guard(_principal, audience)
    with case.reader(reader) as s:
        bodies = guard(co_members, s, person, org_type=None if org_type == "any" else org_type, period=period,
                        principal=reader)
    if json_:
        emit_json([b.to_dict() for b in bodies])
        return
    if not bodies:
        err.print(f"{person} sat on no {org_type} in the records")
    for b in bodies:
        out.print(f"{b.label} [{b.organization_id}] — {b.seat.title or b.seat.role}", highlight=False)
        for o in b.others:
            out.print(f"  {o.label}{f' ({o.persian})' if o.persian else ''} — {o.title or o.role}", highlight=False)


@graph_app.command("svg")
def graph_svg(ctx: typer.Context, output: Path = typer.Option(..., "-o", "--output", help="FILE.svg"),
              period: str = typer.Option(None, "--period"),
              focus: str = typer.Option(None, "--focus", help="Draw only around this person"),
              radius: int = typer.Option(2, "--radius", help="With --focus: how many steps up and down"),
              audience: str = typer.Option("internal", "--audience", help=AUDIENCE_HELP)) -> None:
    """Draw the chain of command of a period as SVG."""
    from dadkhah.casework.chain import build_command_graph, focus_subgraph
    from dadkhah.casework.svg import render_svg

    case = open_case(ctx)
    reader = guard(_principal, audience)
    with case.reader(reader) as s:
        cg = guard(build_command_graph, s, period, principal=reader)
    graph = focus_subgraph(cg, focus, radius=radius) if focus else cg.graph
    if focus and graph.number_of_nodes() == 0:
        fail(f"{focus} is not in the chain of command for {cg.period}")
    svg = guard(render_svg, graph, focus=focus, title=f"Chain of command — {cg.period}", max_nodes=200)
    output.write_text(svg, encoding="utf-8")
    err.print(f"wrote {output} ({graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges)")


# --- FollowTheMoney -------------------------------------------------------------------------------

def ftm(ctx: typer.Context, output: Path = typer.Option(None, "-o", "--output",
                                                        help="FILE.ftm.json (line-delimited); default stdout"),
        audience: str = typer.Option("public", "--audience", help=AUDIENCE_HELP)) -> None:
    """Export the case as FollowTheMoney entities (validated), to load into Aleph."""
    from dadkhah.casework.ftm import write_ftm

    case = open_case(ctx)
    principal = guard(_principal, audience)
    with case.reader(principal) as s:
        if output is None:
            n = guard(write_ftm, s, principal, sys.stdout)
        else:
            with output.open("w", encoding="utf-8") as fh:
                n = guard(write_ftm, s, principal, fh)
    err.print(f"{n} FollowTheMoney entities for the {audience} audience" + (f" in {output}" if output else ""))
