"""Core CLI commands: init, demo, search, show, claims, verify, export, import."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from dadkhah import cliutil
from dadkhah.access import SYSTEM
from dadkhah.cliutil import emit_json, err, fail, open_case, out


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("demo")(demo)
    app.command("search")(search)
    app.command("show")(show)
    app.command("claims")(claims)
    app.command("verify")(verify)
    app.command("export")(export)
    app.command("import")(import_)
    app.command("reindex")(reindex)
    from dadkhah.records.commands import register as register_add

    register_add(app)


def init(ctx: typer.Context) -> None:
    """Create an empty case (or bring an existing one's schema up to date)."""
    case = open_case(ctx, create=True)
    err.print(f"case ready: {case.engine.url.render_as_string(hide_password=True)}")


def demo(ctx: typer.Context,
         serve: bool = typer.Option(False, "--serve", help="Then serve the web app on it"),
         host: str = typer.Option("127.0.0.1", "--host"), port: int = typer.Option(8000, "--port"),
         lists: bool = typer.Option(False, "--lists", help="Also import SIMULATED victim lists and link them "
                                    "(to try linkage, review and `dadkhah estimate --report` on the demo)"),
         json_: bool = typer.Option(False, "--json", help="Print what was loaded as JSON")) -> None:
    """Build the demo case, "The 1988 prison massacre in Iran", from the seed articles."""
    from sqlalchemy import func, select

    from dadkhah.demo import TITLE, build_demo
    from dadkhah.model import Entity

    case = open_case(ctx, create=True)
    with case.reader(SYSTEM) as s:
        present = s.scalar(select(func.count()).select_from(Entity).where(Entity.id == "src-seed-000"))
    if present:
        err.print(f"the demo case is already in {case.data_dir}/ — using it")
        counts = {}
    else:
        counts = build_demo(case)
        err.print(f"built the demo case: {TITLE} — " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    simulated = None
    if lists:
        from dadkhah.demo.lists import add_demo_lists
        from dadkhah.lists.tables import VictimList

        with case.reader(SYSTEM) as s:
            have = s.scalar(select(func.count()).select_from(VictimList).where(VictimList.name.like("simulated-%")))
        if have:
            err.print("the simulated demo lists are already imported")
        else:
            err.print("importing SIMULATED victim lists (invented names) and linking them…")
            simulated = add_demo_lists(case)
            err.print(f"imported {', '.join(simulated['lists'])}; linked")
    if json_:
        emit_json({"title": TITLE, "loaded": counts, "simulated_lists": simulated})
    err.print('try: dadkhah search "رئیسی"   ·   dadkhah claims --contested   ·   dadkhah verify')
    if serve:
        from dadkhah.web.app import serve as serve_app

        serve_app(case, host, port)


def search(ctx: typer.Context, text: str = typer.Argument(..., help="Name (any script/spelling) or words"),
           kind: list[str] = typer.Option(None, "--kind", help="Only these kinds (person, claim, source…)"),
           limit: int = typer.Option(20, "--limit"),
           audience: str = typer.Option("internal", "--audience",
                                        help="See only what this audience may: public, restricted, internal"),
           json_: bool = typer.Option(False, "--json")) -> None:
    """Search names across scripts and spellings, and the text of claims, sources and documents."""
    from dadkhah.access import audience as audience_principal
    from dadkhah.store.search import search as run_search

    case = open_case(ctx)
    try:
        principal = audience_principal(audience)
    except ValueError as exc:
        fail(str(exc))
    with case.reader(principal) as s:
        hits = run_search(s, text, principal=principal, kinds=kind or None, limit=limit)
    if json_:
        emit_json([h.to_dict() for h in hits])
        return
    if not hits:
        err.print("no matches")
        return
    table = Table("kind", "id", "label", "score", "snippet", show_lines=False)
    for h in hits:
        table.add_row(h.kind, h.id, h.label, f"{h.score:.2f}", h.snippet[:80])
    out.print(table)


def show(ctx: typer.Context, kind: str = typer.Argument(..., help="person, organization, place, event, source…"),
         id: str = typer.Argument(...), json_: bool = typer.Option(False, "--json"),
         audience: str = typer.Option("internal", "--audience")) -> None:
    """Show one record with every name form and every claim about it, with sources and grades."""
    from dadkhah.access import audience as audience_principal
    from dadkhah.errors import NotFound
    from dadkhah.records.service import entity_to_dict, get_entity

    case = open_case(ctx)
    principal = audience_principal(audience)
    with case.reader(principal) as s:
        try:
            if kind == "claim":
                from dadkhah.claims.service import claim_to_dict
                from dadkhah.model import Claim

                claim = s.get(Claim, id)
                if claim is None or claim.sensitivity not in __import__(
                        "dadkhah.access", fromlist=["x"]).allowed_sensitivities(principal):
                    raise NotFound(f"no claim with id {id!r}")
                data = claim_to_dict(claim, principal)
            else:
                data = entity_to_dict(s, get_entity(s, id, kind=kind, principal=principal), principal)
        except NotFound as exc:
            fail(str(exc))
    if json_:
        emit_json(data)
        return
    _print_record(data)


def _print_record(d: dict) -> None:
    out.print(f"[bold]{d.get('label') or d.get('statement')}[/]  ({d.get('kind', 'claim')} {d['id']})")
    for n in d.get("names", []):
        out.print(f"  name: {n['text']}  [{n['kind']}, {n['script']}]")
    for key in ("description", "date", "birth", "death", "event_type", "org_type", "place_type", "grade"):
        v = d.get(key)
        if v:
            out.print(f"  {key}: {v['text'] if isinstance(v, dict) else v}")
    for c in d.get("claims", []):
        _print_claim(c)
    if "sources" in d:
        _print_claim(d)


def _print_claim(c: dict) -> None:
    value = f" = {c['value']}" if c.get("value") else ""
    out.print(f"  [cyan]{c['status']}[/] {c['predicate']}{value}: {c['statement']}  ({c['id']})")
    for s in c["sources"]:
        out.print(f"      {s['grade']} {s['stance']} — {s['title']} [{s['locator']}]: “{s['quotation'] or ''}”")


def claims(ctx: typer.Context, contested: bool = typer.Option(False, "--contested", help="Only contested claims"),
           status: str = typer.Option(None, "--status"), predicate: str = typer.Option(None, "--predicate"),
           subject: str = typer.Option(None, "--subject"), audience: str = typer.Option("internal", "--audience"),
           json_: bool = typer.Option(False, "--json")) -> None:
    """List claims with their sources and grades; conflicting claims stand side by side."""
    from dadkhah.access import audience as audience_principal
    from dadkhah.claims.service import claim_to_dict, list_claims

    case = open_case(ctx)
    principal = audience_principal(audience)
    with case.reader(principal) as s:
        rows = [claim_to_dict(c, principal) for c in list_claims(
            s, principal=principal, status="contested" if contested else status, predicate=predicate,
            subject_id=subject)]
    if json_:
        emit_json(rows)
        return
    if not rows:
        err.print("no claims")
        return
    current = None
    for c in rows:
        head = f"{c['subject']['label']} — {c['predicate']}"
        if head != current:
            out.print(f"\n[bold]{head}[/]")
            current = head
        _print_claim(c)


def verify(ctx: typer.Context, json_: bool = typer.Option(False, "--json"),
           anchors: str = typer.Option(None, "--anchors", envvar="DADKHAH_ANCHOR_DIR",
                                       help="Folder or database URL of anchors (dadkhah anchor): also detect "
                                            "truncation and forgers who recompute every hash"),
           no_index: bool = typer.Option(False, "--no-index", help="Skip rebuilding the derived search index to "
                                         "compare it (the slowest check)")) -> None:
    """Prove the case's integrity: the audit chain, every row, every stored file. Exit 0 when intact,
    1 when something was tampered with, 2 when part of the case could not be read, 3 when only the derived
    search index disagrees with the records (run `dadkhah reindex` after an upgrade)."""
    from dadkhah.integrity import EXIT_CODES, run_checks, unopenable

    try:
        case = open_case(ctx)
    except typer.Exit:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged database: report it, as every other problem
        result = unopenable(cliutil.case_options(ctx), exc)
    else:
        result = run_checks(case, anchors=anchors, index=not no_index)
    if json_:
        emit_json(result)
    else:
        for check in result["checks"]:
            mark = "[green]ok[/]" if check["ok"] else "[bold red]BROKEN[/]"
            extra = f" ({check['entries']} entries, head {check['head'][:16]}…)" if "entries" in check else ""
            err.print(f"{mark}  {check['name']}{extra}")
            for p in check["problems"]:
                err.print("      " + ", ".join(f"{k}: {v}" for k, v in p.items()), highlight=False)
            more = check.get("problem_count", 0) - len(check["problems"])
            if more > 0:
                err.print(f"      … and {more} more")
        err.print(f"status: {result['status']}")
    if result["status"] != "intact":
        raise typer.Exit(EXIT_CODES[result["status"]])


def reindex(ctx: typer.Context, json_: bool = typer.Option(False, "--json")) -> None:
    """Key every name again and rebuild the search index, after upgrading dadkhah (its name rules improve
    between versions: names stored before keep the old keys, and searches in a new spelling miss them)."""
    from dadkhah.records.maintenance import refresh_name_keys

    case = open_case(ctx)
    with cliutil.progress() as bar:
        tasks: dict[str, int] = {}

        def step(what: str, done: int, total: int) -> None:
            if what not in tasks:
                tasks[what] = bar.add_task(what, total=total)
            bar.update(tasks[what], completed=done, total=total)

        result = refresh_name_keys(case, step=step)
    case.refresh_statistics()
    if json_:
        emit_json(result)
    else:
        err.print(f"{result['names']} name forms keyed ({result['changed']} changed); "
                  f"{result['indexed']} records indexed")


def export(ctx: typer.Context, format: str = typer.Option("jsonl", "--format", help="jsonl or csv"),
           output: Path = typer.Option(..., "-o", "--output", help="File (jsonl) or folder (csv)"),
           audience: str = typer.Option("internal", "--audience",
                                        help="internal = everything; public/restricted/prosecutor = filtered")) -> None:
    """Export the case: lossless JSON Lines, or one CSV per entity type."""
    from dadkhah.access import audience as audience_principal

    case = open_case(ctx)
    try:
        principal = audience_principal(audience)
    except ValueError as exc:
        fail(str(exc))
    if format == "jsonl":
        from dadkhah.interchange.jsonl import export_jsonl

        n = export_jsonl(case, output, principal=principal)
        err.print(f"wrote {n} rows to {output}")
        err.print("[yellow]note:[/] this is the case's content, not a backup: the stored files (originals, "
                  "derived texts, list files) and the audit history are not in it — use `dadkhah backup`")
    elif format == "csv":
        from dadkhah.interchange.csvout import export_csv

        counts = export_csv(case, output, principal)
        err.print(f"wrote {sum(counts.values())} rows to {output}/ ({len(counts)} files)")
    else:
        fail(f"unknown format {format!r}: use jsonl or csv")


def import_(ctx: typer.Context, file: Path = typer.Argument(..., exists=True, dir_okay=False),
            json_: bool = typer.Option(False, "--json")) -> None:
    """Import a JSON Lines case file (or a YAML case file) — all of it, or nothing if any line is bad."""
    from dadkhah.errors import InputError

    case = open_case(ctx, create=True)
    try:
        if file.suffix in (".yaml", ".yml"):
            from dadkhah.interchange.casefile import load_casefile

            with case.session() as s:
                counts = load_casefile(s, file)
        else:
            from dadkhah.interchange.jsonl import import_jsonl

            counts = import_jsonl(case, file)
    except InputError as exc:
        fail(f"{exc} — nothing was imported")
    if json_:
        emit_json({"imported": counts})
    err.print(f"imported {sum(counts.values())} rows from {file}")


__all__ = ["register", "cliutil"]
