"""CLI commands of the casework capability (registered by dadkhah.cli).

- ``dadkhah dossier person|victim|site ID -o FILE.pdf|.html --audience …`` and ``dadkhah dossier case -o FILE``
- ``dadkhah publish --out DIR`` (the memorial), ``dadkhah publish clear|withdraw ID``, ``dadkhah publish list``
- ``dadkhah graph above|below PERSON``, ``dadkhah graph colleagues PERSON``, ``dadkhah graph svg``
- ``dadkhah ftm -o FILE.ftm.json`` (FollowTheMoney entities for Aleph)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from dadkhah.cliutil import emit_json, err, fail, open_case, out

AUDIENCE_HELP = "Who the file is for: internal, prosecutor, restricted or public (filters what it shows)"

dossier_app = typer.Typer(help="Case files: perpetrator dossiers, victim and site files, the case report.",
                          no_args_is_help=True)
graph_app = typer.Typer(help="Chain of command: who was above whom, who sat on the same commission.",
                        no_args_is_help=True)
publish_app = typer.Typer(help="The public memorial: `publish --out DIR` writes it; `publish clear ID` admits one.",
                          invoke_without_command=True)


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the top-level app."""
    app.add_typer(dossier_app, name="dossier")
    app.add_typer(graph_app, name="graph")
    app.add_typer(publish_app, name="publish")
    app.command("ftm")(ftm)


def _guard(fn, *args, **kwargs):
    """Run a service call, turning bad input into a clear error and exit status 1."""
    from dadkhah.access import Forbidden
    from dadkhah.errors import InputError, NotFound

    try:
        return fn(*args, **kwargs)
    except (InputError, NotFound, Forbidden, ValueError) as exc:
        fail(str(exc))


def _case_title(case) -> str | None:
    from sqlalchemy import select

    from dadkhah.model import Entity

    with case.reader() as s:
        if s.scalar(select(Entity.id).where(Entity.id == "src-seed-000")):
            from dadkhah.demo import TITLE

            return TITLE
    return None


# --- dossiers -------------------------------------------------------------------------------------

def _check_output(output: Path, fmt_name: str | None) -> None:
    from dadkhah.dossier.render import output_format

    _guard(output_format, output, fmt_name)


def _render(template: str, ctx: dict, output: Path, fmt_name: str | None) -> Path:
    from dadkhah.dossier.render import write

    return _guard(write, template, ctx, output, fmt_name)


@dossier_app.command("person")
def dossier_person(ctx: typer.Context, person: str = typer.Argument(..., help="Person id"),
                   output: Path = typer.Option(..., "-o", "--output", help="FILE.pdf or FILE.html"),
                   audience: str = typer.Option("internal", "--audience", help=AUDIENCE_HELP),
                   fmt_name: str = typer.Option(None, "--format", help="pdf or html (default: from the file name)"),
                   bundle: bool = typer.Option(True, "--bundle/--no-bundle",
                                               help="With --audience prosecutor: seal the exhibits beside the file"),
                   json_: bool = typer.Option(False, "--json")) -> None:
    """The perpetrator dossier of one person: identity, career, roles, allegation matrix, exhibits."""
    from dadkhah.casework.evidence import sealed_bundle
    from dadkhah.dossier.person import person_dossier

    _check_output(output, fmt_name)
    case = open_case(ctx)
    with case.reader() as s:
        context = _guard(person_dossier, s, person, audience, case_title=_case_title(case), blobs=case.blobs)
        if audience == "prosecutor" and bundle:
            context["bundle"] = {"path": output.with_suffix(".bundle.zip").name,
                                 "exhibits": len(context["exhibits"])} if context["exhibits"] else None
        path = _render("person.html", context, output, fmt_name)
    result = {"output": str(path), "audience": audience, "allegations": len(context["matrix"]),
              "exhibits": len(context["exhibits"]), "sources": len(context["sources"])}
    if audience == "prosecutor" and bundle:
        sealed = _guard(sealed_bundle, case, output.with_suffix(".bundle.zip"), exhibits=context["exhibits"],
                        audience="prosecutor")
        result["bundle"] = sealed
        if sealed is None:
            err.print("no exhibit to seal: no bundle written")
    _report(result, json_)


@dossier_app.command("victim")
def dossier_victim(ctx: typer.Context, person: str = typer.Argument(..., help="Person id"),
                   output: Path = typer.Option(..., "-o", "--output", help="FILE.pdf or FILE.html"),
                   audience: str = typer.Option("internal", "--audience", help=AUDIENCE_HELP),
                   fmt_name: str = typer.Option(None, "--format"), json_: bool = typer.Option(False, "--json")) -> None:
    """The victim file of one person: identity, what happened, the facts and their sources."""
    from dadkhah.dossier.victim import victim_file

    _record_file(ctx, victim_file, "victim.html", person, output, audience, fmt_name, json_,
                 counts={"events": "fate", "exhibits": "exhibits"})


@dossier_app.command("site")
def dossier_site(ctx: typer.Context, place: str = typer.Argument(..., help="Place id (e.g. a mass-grave site)"),
                 output: Path = typer.Option(..., "-o", "--output", help="FILE.pdf or FILE.html"),
                 audience: str = typer.Option("internal", "--audience", help=AUDIENCE_HELP),
                 fmt_name: str = typer.Option(None, "--format"), json_: bool = typer.Option(False, "--json")) -> None:
    """The site file of a place: location, status history with dated evidence, victims linked to it."""
    from dadkhah.dossier.site import site_file

    _record_file(ctx, site_file, "site.html", place, output, audience, fmt_name, json_,
                 counts={"history": "history", "victims": "victims"})


def _record_file(ctx: typer.Context, build, template: str, record_id: str, output: Path, audience: str,
                 fmt_name: str | None, json_: bool, *, counts: dict[str, str]) -> None:
    """Build one record's file for an audience, render it, and report what it holds."""
    _check_output(output, fmt_name)
    case = open_case(ctx)
    with case.reader() as s:
        context = _guard(build, s, record_id, audience, case_title=_case_title(case), blobs=case.blobs)
        path = _render(template, context, output, fmt_name)
    _report({"output": str(path), "audience": audience,
             **{name: len(context[key]) for name, key in counts.items()}}, json_)


@dossier_app.command("case")
def dossier_case(ctx: typer.Context, output: Path = typer.Option(..., "-o", "--output", help="FILE.pdf or FILE.html"),
                 audience: str = typer.Option("internal", "--audience", help=AUDIENCE_HELP),
                 estimate_file: Path = typer.Option(None, "--estimate",
                                                    help="An estimate to show (JSON from `dadkhah estimate --json`)"),
                 method: str = typer.Option("loglinear", "--estimate-method",
                                            help="Without --estimate: estimate now with this method, or 'none'"),
                 seed: int = typer.Option(1988, "--seed", help="Random seed for a Bayesian estimate"),
                 title: str = typer.Option(None, "--title", help="The report's title"),
                 fmt_name: str = typer.Option(None, "--format"), json_: bool = typer.Option(False, "--json")) -> None:
    """The whole-case report: documented counts beside the estimate, contested claims, timeline."""
    from dadkhah.dossier.report import case_report

    _check_output(output, fmt_name)
    case = open_case(ctx)
    estimate, note = None, None
    from dadkhah.dossier.common import audience_for

    reader = _guard(audience_for, audience)
    if estimate_file is not None:
        try:
            estimate = json.loads(estimate_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            fail(f"cannot read the estimate {estimate_file}: {exc}")
        from dadkhah.estimate.access import screen_document

        estimate, note = screen_document(case, estimate, reader)
    elif method != "none":
        from dadkhah.estimate.service import EstimateError, EstimateOptions, estimate_case

        try:
            # Counted as the audience may see it: no confidential list reaches a public report.
            estimate = estimate_case(case, EstimateOptions(method=method, seed=seed), principal=reader)
        except EstimateError as exc:
            note = f"No estimate: {exc}"
            err.print(note)
    else:
        note = "No estimate was asked for (--estimate-method none)."
    with case.reader() as s:
        context = _guard(case_report, s, audience, case_title=title or _case_title(case), estimate=estimate,
                         estimate_note=note)
        path = _render("case.html", context, output, fmt_name)
    _report({"output": str(path), "audience": audience, "documented": context["counts"]["total"],
             "estimate": context["estimate"], "contested_groups": len(context["contested"])}, json_)


def _report(result: dict, json_: bool) -> None:
    if json_:
        emit_json(result)
    else:
        err.print(f"wrote {result['output']}")
        bundle = result.get("bundle")
        if bundle:
            err.print(f"sealed bundle {bundle['bundle']} ({bundle['items']} exhibits, manifest SHA-256 "
                      f"{bundle['manifest_sha256']})")


# --- chain of command -----------------------------------------------------------------------------

def _principal(audience: str):
    from dadkhah.dossier.common import audience_for

    return _guard(audience_for, audience)


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
    with case.reader() as s:
        rows = _guard(superiors, s, person, period=period, scope=at, principal=_principal(audience))
    _print_relatives(rows, f"above {person}:", json_)


@graph_app.command("below")
def graph_below(ctx: typer.Context, person: str = typer.Argument(..., help="Person id"),
                period: str = typer.Option(None, "--period"), at: str = typer.Option(None, "--at"),
                audience: str = typer.Option("internal", "--audience", help=AUDIENCE_HELP),
                json_: bool = typer.Option(False, "--json")) -> None:
    """Who was below PERSON in the chain of command."""
    from dadkhah.casework.chain import subordinates

    case = open_case(ctx)
    with case.reader() as s:
        rows = _guard(subordinates, s, person, period=period, scope=at, principal=_principal(audience))
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
    with case.reader() as s:
        bodies = _guard(co_members, s, person, org_type=None if org_type == "any" else org_type, period=period,
                        principal=_principal(audience))
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
    with case.reader() as s:
        cg = _guard(build_command_graph, s, period, principal=_principal(audience))
    graph = focus_subgraph(cg, focus, radius=radius) if focus else cg.graph
    if focus and graph.number_of_nodes() == 0:
        fail(f"{focus} is not in the chain of command for {cg.period}")
    svg = _guard(render_svg, graph, focus=focus, title=f"Chain of command — {cg.period}", max_nodes=200)
    output.write_text(svg, encoding="utf-8")
    err.print(f"wrote {output} ({graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges)")


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
    with case.reader() as s:
        result = _guard(build_site, s, out_dir, title=title or DEFAULT_TITLE, title_fa=title_fa or DEFAULT_TITLE_FA)
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
        _guard(clear, s, person, note=note)
    err.print(f"{person} is cleared for the memorial; run `dadkhah publish --out DIR` to update the site")


@publish_app.command("withdraw")
def publish_withdraw(ctx: typer.Context, person: str = typer.Argument(..., help="Person id"),
                     note: str = typer.Option(None, "--note")) -> None:
    """Take a record off the memorial (at the next `dadkhah publish`)."""
    from dadkhah.publish.clearance import withdraw

    case = open_case(ctx)
    with case.session() as s:
        _guard(withdraw, s, person, note=note)
    err.print(f"{person} is withdrawn from the memorial")


@publish_app.command("list")
def publish_list(ctx: typer.Context, json_: bool = typer.Option(False, "--json")) -> None:
    """The victims the memorial lists now."""
    from dadkhah.publish.memorial import memorial_entries

    case = open_case(ctx)
    with case.reader() as s:
        entries = memorial_entries(s)
    if json_:
        emit_json([{"id": e.id, "latin": e.latin, "persian": e.persian} for e in entries])
        return
    for e in entries:
        out.print(f"{e.main}{f'  {e.main_fa}' if e.main_fa and e.latin else ''}  [{e.id}]", highlight=False)
    err.print(f"{len(entries)} cleared victims")


# --- FollowTheMoney -------------------------------------------------------------------------------

def ftm(ctx: typer.Context, output: Path = typer.Option(None, "-o", "--output",
                                                        help="FILE.ftm.json (line-delimited); default stdout"),
        audience: str = typer.Option("public", "--audience", help=AUDIENCE_HELP)) -> None:
    """Export the case as FollowTheMoney entities (validated), to load into Aleph."""
    from dadkhah.casework.ftm import write_ftm

    case = open_case(ctx)
    principal = _principal(audience)
    with case.reader(principal) as s:
        if output is None:
            n = _guard(write_ftm, s, principal, sys.stdout)
        else:
            with output.open("w", encoding="utf-8") as fh:
                n = _guard(write_ftm, s, principal, fh)
    err.print(f"{n} FollowTheMoney entities for the {audience} audience" + (f" in {output}" if output else ""))
