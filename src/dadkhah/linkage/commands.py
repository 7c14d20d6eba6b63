"""CLI commands of the linkage capability (registered by dadkhah.cli): ``dadkhah link run|status|review|
pair|decide|clusters|explain|export|capture|unmerge``. Every ``--json`` output is one JSON document on
stdout; progress and messages go to stderr.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.table import Table

from dadkhah.cliutil import case_options, emit_json, fail, guard, open_case, out, progress
from dadkhah.lists.commands import plain as _t
from dadkhah.lists.commands import say

link_app = typer.Typer(help="Record linkage of victim lists: dedupe, link, review, merge, export.",
                       no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the top-level app."""
    app.add_typer(link_app, name="link")


def _actor(ctx: typer.Context, case) -> str:
    return case_options(ctx).actor or case.actor


def _operator(ctx: typer.Context, case):
    """The local operator at the command line (who owns the case folder), by name."""
    from dadkhah.access import operator

    return operator(_actor(ctx, case))


# --- link ------------------------------------------------------------------------------------------------

@link_app.command("run")
def run(ctx: typer.Context,
        threshold: float = typer.Option(None, "--threshold", help="Match probability at which records are joined"),
        backend: str = typer.Option("duckdb", "--backend", help="duckdb (embedded) or spark"),
        no_merge: bool = typer.Option(False, "--no-merge", help="Do not create/update merged persons"),
        floor: float = typer.Option(0.01, "--floor", help="Keep scored pairs down to this probability"),
        json_: bool = typer.Option(False, "--json")) -> None:
    """Dedupe within lists and link across them; cluster; update the merged persons."""
    from dadkhah.linkage.engine import EngineOptions
    from dadkhah.linkage.service import DEFAULT_THRESHOLD, run_linkage

    case = open_case(ctx)
    options = EngineOptions(backend=backend, floor=floor)
    with guard(), progress(transient=True) as bar:
        task = bar.add_task("linking", total=None)
        report = run_linkage(case, threshold=threshold if threshold is not None else DEFAULT_THRESHOLD,
                             options=options, actor=_actor(ctx, case), principal=_operator(ctx, case),
                             merge=not no_merge,
                             step=lambda msg: bar.update(task, description=msg))
    _print_run(report)
    if json_:
        emit_json(report.to_dict())


def _print_run(r) -> None:
    say(f"run {r.run_id} ({r.backend}): {r.records:,} records from {len(r.lists)} list(s) → "
              f"{r.clusters:,} clusters at threshold {r.threshold} ({r.links:,} links ≥ threshold, "
              f"{r.pairs_stored:,} pairs kept); prior {r.prior:.3g}")
    sizes = ", ".join(f"{n}×{size}" for size, n in r.cluster_sizes.items())
    say(f"cluster sizes (count×size): {sizes}")
    if r.decisions["same"] or r.decisions["different"]:
        say(f"decisions applied: {r.decisions['same']} same, {r.decisions['different']} different; "
                  f"{r.refused} link(s) refused by 'different'; {len(r.conflicts)} conflicting 'same'")
    if r.persons:
        say("persons: " + ", ".join(f"{v} {k}" for k, v in r.persons.items()))
    used = [b["rule"] for b in r.blocking if b["used"]]
    say(f"blocking: {len(used)} rule(s) · timings: "
              + ", ".join(f"{k} {v:.1f}s" for k, v in r.timings.items()))


@link_app.command("status")
def status(ctx: typer.Context, json_: bool = typer.Option(False, "--json")) -> None:
    """The latest run, the clusters and the decisions so far."""
    from dadkhah.linkage.service import summary

    case = open_case(ctx)
    me = _operator(ctx, case)
    with case.reader(me) as s:
        data = summary(s, me)
    if json_:
        emit_json(data)
        return
    if data["run"] is None:
        say("no linkage run yet: `dadkhah link run`")
        return
    out.print(data)


def _side_by_side(d: dict) -> None:
    left, right = d["left"], d["right"]
    table = Table("", f"{left['list']} row {left['row']}", f"{right['list']} row {right['row']}",
                  title=f"pair {d['pair'] or ''} · records {d['records'][0]} & {d['records'][1]} · "
                        f"p = {d['match_probability']} · threshold {d['threshold']}")
    keys = list(dict.fromkeys([*left["original"], *right["original"]]))
    for k in keys:
        table.add_row(_t(k), _t(left["original"].get(k)), _t(right["original"].get(k)))
    table.add_section()
    for k in ("name", "father", "gender", "place_of_origin", "detention_site", "burial_site"):
        table.add_row(f"[dim]{k}[/]", _t(left.get(k)), _t(right.get(k)))
    for k in ("birth", "death"):
        table.add_row(f"[dim]{k}[/]", _t(left["dates"].get(k)), _t(right["dates"].get(k)))
    out.print(table)
    if d["comparisons"]:
        comp = Table("comparison", "level", "weight (bits)")
        for c in d["comparisons"]:
            comp.add_row(c["comparison"], c["level"], "" if c["weight"] is None else f"{c['weight']:+.2f}")
        out.print(comp)
    out.print(f"clusters now: {d['clusters'][0]} / {d['clusters'][1]}"
              + ("  (together)" if d["same_cluster"] else "  (apart)"))
    for h in d["decisions"]:
        out.print(f"  earlier: {h['decision']} by {h['reviewer']} at {h['decided_at']}", markup=False)


@link_app.command("review")
def review(ctx: typer.Context, n: int = typer.Option(10, "-n", "--n", help="How many pairs"),
           reviewer: str = typer.Option(None, "--reviewer", help="Your name (default: --actor / the OS user)"),
           json_: bool = typer.Option(False, "--json", help="List the pairs with both records; do not ask")) -> None:
    """Review uncertain pairs side by side, in their original scripts: same / different / unsure."""
    from dadkhah.linkage.review import decide, next_pairs, pair_detail

    case = open_case(ctx)
    me = _operator(ctx, case)
    with guard():
        pairs = next_pairs(case, n, principal=me)
        if json_:
            emit_json([pair_detail(case, p["pair"], principal=me) for p in pairs])
            return
        if not pairs:
            say("nothing to review: no undecided pair is uncertain")
            return
        who = reviewer or _actor(ctx, case)
        if not sys.stdin.isatty():
            fail("`dadkhah link review` asks questions: run it in a terminal, or use --json and `dadkhah link decide`")
        choices = {"s": "same", "d": "different", "u": "unsure"}
        for p in pairs:
            _side_by_side(pair_detail(case, p["pair"], principal=me))
            answer = typer.prompt("[s]ame, [d]ifferent, [u]nsure, [k] skip, [q]uit", default="k", err=True)
            answer = answer.strip().lower()[:1]
            if answer == "q":
                break
            if answer in choices:
                note = typer.prompt("note (optional)", default="", err=True, show_default=False)
                r = decide(case, p["pair"], choices[answer], who, note=note or None, principal=me)
                conflict = " (conflicts with earlier decisions)" if r["conflict"] else ""
                say(f"recorded: {r['decision']} — clusters now {r['clusters_after'][0]} / "
                          f"{r['clusters_after'][1]}{conflict}")


@link_app.command("pair")
def pair(ctx: typer.Context, records: list[str] = typer.Argument(..., help="A pair id, or two record ids"),
         json_: bool = typer.Option(False, "--json")) -> None:
    """Show a pair side by side (a scored pair id, or two list record ids)."""
    from dadkhah.linkage.review import pair_detail

    case = open_case(ctx)
    with guard():
        d = pair_detail(case, _pair_arg(records), principal=_operator(ctx, case))
    if json_:
        emit_json(d)
        return
    _side_by_side(d)


def _pair_arg(values: list[str]):
    try:
        ids = [int(v) for v in values]
    except ValueError:
        fail(f"a pair is a pair id or two record ids (numbers), not {' '.join(values)!r}")
    if len(ids) == 1:
        return ids[0]
    if len(ids) == 2:
        return (ids[0], ids[1])
    fail("give a pair id, or two record ids")


@link_app.command("decide")
def decide_cmd(ctx: typer.Context,
               args: list[str] = typer.Argument(..., help="PAIR DECISION, or RECORD RECORD DECISION "
                                                          "(decision: same, different, unsure)"),
               note: str = typer.Option(None, "--note"),
               reviewer: str = typer.Option(None, "--reviewer", help="Your name (default: --actor / the OS user)"),
               json_: bool = typer.Option(False, "--json")) -> None:
    """Record a decision about a pair; clusters follow at once (and in every later run)."""
    from dadkhah.linkage.review import decide

    if len(args) < 2:
        fail("give a pair (id, or two record ids) and a decision: same, different or unsure")
    case = open_case(ctx)
    with guard():
        r = decide(case, _pair_arg(args[:-1]), args[-1], reviewer or _actor(ctx, case), note=note,
                   principal=_operator(ctx, case))
    conflict = " (conflicts with earlier decisions: not applied)" if r["conflict"] else ""
    say(f"{r['decision']}: records {r['records'][0]} & {r['records'][1]} — clusters "
              f"{r['clusters_before'][0]}/{r['clusters_before'][1]} → {r['clusters_after'][0]}/"
              f"{r['clusters_after'][1]}{conflict}")
    if json_:
        emit_json(r)


@link_app.command("clusters")
def clusters(ctx: typer.Context, min_size: int = typer.Option(2, "--min-size"),
             json_: bool = typer.Option(False, "--json")) -> None:
    """Clusters with at least --min-size records."""
    from collections import defaultdict

    from dadkhah.linkage.service import current_clusters, require_run

    case = open_case(ctx)
    with case.reader(_operator(ctx, case)) as s, guard():
        require_run(s)
        groups: dict[str, list[int]] = defaultdict(list)
        for rid, c in current_clusters(s).items():
            groups[c].append(rid)
    data = [{"cluster": c, "records": sorted(ids)} for c, ids in sorted(groups.items(), key=lambda kv: min(kv[1]))
            if len(ids) >= min_size]
    if json_:
        emit_json(data)
        return
    for d in data:
        out.print(f"{d['cluster']}: {', '.join(map(str, d['records']))}", markup=False)


@link_app.command("explain")
def explain(ctx: typer.Context, cluster: str = typer.Argument(..., help="A cluster id, e.g. c42"),
            json_: bool = typer.Option(False, "--json")) -> None:
    """Why a cluster holds its records: links with their comparison levels, near misses, decisions."""
    from dadkhah.linkage.service import explain_cluster

    case = open_case(ctx)
    me = _operator(ctx, case)
    with case.reader(me) as s, guard():
        d = explain_cluster(s, cluster, me)
    if json_:
        emit_json(d)
        return
    out.print(f"[bold]{d['cluster']}[/] — {d['why']}" + (f" · person {d['person']}" if d["person"] else ""))
    table = Table("record", "list", "row", "name", "father", "birth", "death", "origin", "prison")
    for r in d["records"]:
        table.add_row(*(_t(r[k]) for k in ("id", "list", "row", "name", "father", "birth", "death", "place_of_origin",
                                           "detention_site")))
    out.print(table)
    for title, links in (("links", d["links"]), ("near misses", d["near_misses"])):
        if links:
            out.print(f"[bold]{title}[/]")
        for link in links:
            levels = "; ".join(f"{c['comparison']}: {c['level']}" for c in link["levels"] if c["gamma"] >= 0)
            a, b = link["records"]
            out.print(f"  {a}–{b}  p={link['match_probability']}  {levels}", markup=False)
    for dec in d["decisions"]:
        a, b = dec["records"]
        out.print(f"  decision: {a}–{b} {dec['decision']} by {dec['reviewer']}", markup=False)


@link_app.command("export")
def export(ctx: typer.Context, format: str = typer.Option("csv", "--format", help="csv or json"),
           output: Path = typer.Option(None, "-o", "--output", help="File (default: stdout)")) -> None:
    """Every active record with its cluster: columns list,row,cluster (row = 1-based data row of the file)."""
    from dadkhah.linkage.service import export_csv, export_rows, require_run

    if format not in ("csv", "json"):
        fail(f"unknown format {format!r}: use csv or json")
    case = open_case(ctx)
    me = _operator(ctx, case)
    with case.reader(me) as s, guard():
        require_run(s)
        rows = export_rows(s, me)
    if format == "json":
        text = __import__("dadkhah.cliutil", fromlist=["to_json"]).to_json(
            [{"list": a, "row": b, "cluster": c} for a, b, c in rows]) + "\n"
    else:
        text = export_csv(rows)
    if output:
        output.write_text(text, encoding="utf-8")
        say(f"wrote {len(rows):,} records in {len({r[2] for r in rows}):,} clusters to {output}")
    else:
        sys.stdout.write(text)


@link_app.command("capture")
def capture(ctx: typer.Context,
            strata: str = typer.Option("", "--strata", help="Comma-separated: province, gender, period, prison…"),
            threshold: float = typer.Option(None, "--threshold", help="Re-cluster at this probability first"),
            output: Path = typer.Option(None, "-o", "--output", help="Write the table as CSV"),
            json_: bool = typer.Option(False, "--json")) -> None:
    """The capture-history table for estimation: one row per cluster, one 0/1 column per list."""
    from dadkhah.linkage.capture import capture_history

    case = open_case(ctx)
    with guard():
        df = capture_history(case, [s.strip() for s in strata.split(",") if s.strip()], threshold,
                             principal=_operator(ctx, case))
    if output:
        df.to_csv(output, index=False)
        say(f"wrote {len(df):,} clusters to {output}")
    lists = df.attrs["lists"]
    patterns = df.groupby(lists).size().reset_index(name="count") if len(df) else df
    if json_:
        emit_json({"lists": lists, "clusters": len(df),
                   "patterns": [{"pattern": "".join(str(int(r[c])) for c in lists), "count": int(r["count"])}
                                for _, r in patterns.iterrows()]})
        return
    if not output:
        out.print(patterns.to_string(index=False))


@link_app.command("unmerge")
def unmerge(ctx: typer.Context, person: str = typer.Argument(..., help="The merged person's id"),
            note: str = typer.Option(None, "--note"), json_: bool = typer.Option(False, "--json")) -> None:
    """Undo a merge: separate the groups it joined and keep them apart in later runs."""
    from dadkhah.linkage.review import undo_merge

    case = open_case(ctx)
    with guard():
        r = undo_merge(case, person, actor=_actor(ctx, case), principal=_operator(ctx, case), note=note)
    say(f"undid merge {r['merge']} of {r['person']}: {len(r['parts'])} parts kept apart by "
              f"{r['decisions']} 'different' decision(s); persons now {', '.join(r['persons'])}")
    if json_:
        emit_json(r)
