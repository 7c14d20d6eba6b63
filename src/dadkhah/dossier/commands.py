"""CLI commands of the dossier capability (registered by dadkhah.cli).

- ``dadkhah dossier person|victim|site ID -o FILE.pdf|.html --audience …``
- ``dadkhah dossier case -o FILE`` (the whole-case report: documented counts beside the estimate)
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from dadkhah.access import SYSTEM
from dadkhah.cliutil import emit_json, err, fail, guard, open_case

AUDIENCE_HELP = "Who the file is for: internal, prosecutor, restricted or public (filters what it shows)"

dossier_app = typer.Typer(help="Case files: perpetrator dossiers, victim and site files, the case report.",
                          no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the top-level app."""
    app.add_typer(dossier_app, name="dossier")


def _reader(audience: str):
    """The principal a file for ``audience`` is read as (the session loads rows as that reader)."""
    from dadkhah.dossier.common import audience_for

    return guard(audience_for, audience)


def _case_title(case) -> str | None:
    from sqlalchemy import select

    from dadkhah.model import Entity

    with case.reader(SYSTEM) as s:
        if s.scalar(select(Entity.id).where(Entity.id == "src-seed-000")):
            from dadkhah.demo import TITLE

            return TITLE
    return None


# --- dossiers -------------------------------------------------------------------------------------

def _check_output(output: Path, fmt_name: str | None) -> None:
    from dadkhah.dossier.render import output_format

    guard(output_format, output, fmt_name)


def _render(template: str, ctx: dict, output: Path, fmt_name: str | None) -> Path:
    from dadkhah.dossier.render import write

    return guard(write, template, ctx, output, fmt_name)


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
    with case.reader(_reader(audience)) as s:
        context = guard(person_dossier, s, person, audience, case_title=_case_title(case), blobs=case.blobs)
        if audience == "prosecutor" and bundle:
            context["bundle"] = {"path": output.with_suffix(".bundle.zip").name,
                                 "exhibits": len(context["exhibits"])} if context["exhibits"] else None
        path = _render("person.html", context, output, fmt_name)
    result = {"output": str(path), "audience": audience, "allegations": len(context["matrix"]),
              "exhibits": len(context["exhibits"]), "sources": len(context["sources"])}
    if audience == "prosecutor" and bundle:
        sealed = guard(sealed_bundle, case, output.with_suffix(".bundle.zip"), exhibits=context["exhibits"],
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
    with case.reader(_reader(audience)) as s:
        context = guard(build, s, record_id, audience, case_title=_case_title(case), blobs=case.blobs)
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

    reader = guard(audience_for, audience)
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
    with case.reader(reader) as s:
        context = guard(case_report, s, audience, case_title=title or _case_title(case), estimate=estimate,
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
