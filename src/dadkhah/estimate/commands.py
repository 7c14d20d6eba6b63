"""CLI commands of the estimate capability (registered by dadkhah.cli).

``dadkhah estimate`` estimates the number of victims, documented or not, by multiple systems
estimation. It reads a capture-history table (``--table``) or the case's linked lists.
"""

from __future__ import annotations

from pathlib import Path

import typer

from dadkhah import cliutil

HELP = """Estimate the total number of victims, recorded or not, from the overlaps between lists.

The documented count is a floor. Multiple systems estimation uses how the lists overlap to
estimate how many victims no list recorded, with a 95% interval. Methods: log-linear models
(Rcapture-style, lowest BIC), a Bayesian latent-class model (LCMCR) and Bayesian model averaging
over decomposable graphs (dga). A table is a CSV with columns pattern,count (e.g. 1010,228),
one pattern digit per list, plus optional stratum columns.
"""


HETEROGENEITY_FIELDS = ("prison", "province", "gender", "period")


def _split_fields(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or []:
        out += [p.strip() for p in v.split(",") if p.strip()]
    return out


def _parse_thresholds(text: str | None) -> list[float]:
    if text is None:
        return []
    if text.strip().lower() in ("", "none"):
        return []
    try:
        values = [float(p) for p in text.split(",") if p.strip()]
    except ValueError:
        cliutil.fail(f"--thresholds must be comma-separated numbers, got {text!r}")
    if any(not 0 < v <= 1 for v in values):
        cliutil.fail("--thresholds must lie in (0, 1]")
    return values


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the top-level app."""
    register_aggregate(app)

    @app.command("estimate", help=HELP)
    def estimate_command(
        ctx: typer.Context,
        table: Path = typer.Option(
            None, "--table", help="Capture-history CSV (pattern,count[,strata]); default: the case's linked lists"
        ),
        method: str = typer.Option(
            None, "--method", help="loglinear, lcmcr, bma or all (default: lcmcr; all with --report)"
        ),
        strata: list[str] = typer.Option(
            None, "--strata", help="Stratum field(s) to estimate within and sum (repeat or comma-separate)"
        ),
        seed: int = typer.Option(None, "--seed", help="Random seed: makes LCMCR and BMA draws reproducible"),
        json_out: bool = typer.Option(False, "--json", help="Print one JSON document on stdout"),
        report: Path = typer.Option(None, "--report", help="Write an HTML report with plots into this folder"),
        samples: int = typer.Option(1000, "--samples", help="LCMCR: posterior draws kept per chain"),
        burnin: int = typer.Option(10000, "--burnin", help="LCMCR: sweeps discarded at the start of each chain"),
        thin: int = typer.Option(100, "--thin", help="LCMCR: keep every THIN-th sweep"),
        chains: int = typer.Option(3, "--chains", help="LCMCR: independent chains (for R-hat and ESS)"),
        k: int = typer.Option(10, "--K", help="LCMCR: maximum number of latent classes"),
        max_sweeps: int = typer.Option(
            1_000_000,
            "--max-sweeps",
            help="LCMCR: sweeps per chain at most; the draws are doubled until R-hat <= --target-rhat and "
            "ESS >= --target-ess or this limit is reached",
        ),
        target_rhat: float = typer.Option(1.01, "--target-rhat", help="LCMCR: R-hat to reach (0 = no target)"),
        target_ess: float = typer.Option(400, "--target-ess", help="LCMCR: effective draws to reach (0 = no target)"),
        max_order: int = typer.Option(
            None, "--max-order", help="Log-linear: highest interaction order (default t-1, or 2 from 5 lists)"
        ),
        delta: float = typer.Option(None, "--delta", help="BMA: hyper-Dirichlet prior count per cell (default 2^-t)"),
        nmax: int = typer.Option(None, "--nmax", help="BMA: largest number of unrecorded victims considered"),
        audience: str = typer.Option(
            None,
            "--audience",
            help="Case only: estimate for this audience (public, restricted, prosecutor, internal): only the "
            "lists and records it may see are counted, plus lists that allow aggregate publication "
            "(default: the case owner, who sees everything)",
        ),
        min_stratum: int = typer.Option(
            30, "--min-stratum", help="Strata with fewer documented victims are estimated together"
        ),
        linkage_draws: int = typer.Option(
            0,
            "--linkage-draws",
            help="Case only: propagate record-linkage uncertainty: estimate on this many linkage configurations "
            "drawn from the pairwise match probabilities and pool the draws (e.g. 20)",
        ),
        sensitivity: bool = typer.Option(
            None,
            "--sensitivity/--no-sensitivity",
            help="Re-run the Bayesian methods under other priors (K, alpha prior, delta); default: on with --report",
        ),
        thresholds: str = typer.Option(
            None,
            "--thresholds",
            help="Case only: linkage thresholds to compare, comma-separated "
            "(default 0.5,0.8,0.95,0.99 with --report; 'none' to skip)",
        ),
    ) -> None:
        from dadkhah.errors import InputError
        from dadkhah.estimate.lcmcr import LcmcrSettings
        from dadkhah.estimate.service import (
            DEFAULT_THRESHOLDS,
            METHODS,
            EstimateError,
            EstimateOptions,
            estimate,
            estimate_case,
        )
        from dadkhah.estimate.table import TableError, read_table_csv

        chosen = method or ("all" if report is not None else "lcmcr")
        if chosen not in (*METHODS, "all"):
            cliutil.fail(f"--method must be one of {', '.join(METHODS)} or all, not {chosen!r}")
        fields = _split_fields(strata)
        settings = LcmcrSettings(
            K=k,
            burnin=burnin,
            samples=samples,
            thin=thin,
            chains=chains,
            seed=seed,
            max_sweeps=max_sweeps,
            target_rhat=target_rhat or None,
            target_ess=target_ess or None,
        )
        try:
            settings.validate()
        except ValueError as exc:
            cliutil.fail(str(exc))
        if min_stratum < 1:
            cliutil.fail("--min-stratum must be at least 1")
        if linkage_draws < 0:
            cliutil.fail("--linkage-draws must be 0 or more")
        options = EstimateOptions(
            method=chosen,
            seed=seed,
            max_order=max_order,
            lcmcr=settings,
            delta=delta,
            nmax=nmax,
            min_stratum=min_stratum,
            sensitivity=sensitivity if sensitivity is not None else report is not None,
        )
        from dadkhah.access import audience as audience_principal
        from dadkhah.access import operator

        if audience is not None:
            try:
                principal = audience_principal(audience)
            except ValueError as exc:
                cliutil.fail(str(exc))

        with cliutil.progress() as bar:
            task = bar.add_task("estimating", total=None)

            def on_progress(step: str) -> None:
                bar.update(task, description=f"estimating: {step}")

            try:
                if table is not None:
                    for flag, value in (("--thresholds", thresholds), ("--audience", audience),
                                        ("--linkage-draws", linkage_draws)):
                        if value:
                            cliutil.err.print(f"[yellow]note:[/] {flag} applies to the case path only; ignored")
                    tables = read_table_csv(table, strata=fields)
                    run = estimate(tables, options, source=str(table), on_progress=on_progress)
                    run.provenance["input_file"] = str(table)
                    run.provenance["input_file_sha256"] = _file_sha256(table)
                else:
                    ths = _parse_thresholds(thresholds)
                    if thresholds is None and report is not None:
                        ths = list(DEFAULT_THRESHOLDS)
                    with cliutil.open_case(ctx) as case:
                        if audience is None:
                            principal = operator(case.actor)
                        run = estimate_case(
                            case,
                            options,
                            principal=principal,
                            strata=fields,
                            thresholds=ths,
                            linkage_draws=linkage_draws,
                            heterogeneity=HETEROGENEITY_FIELDS if report is not None else (),
                            on_progress=on_progress,
                        )
            except (TableError, EstimateError) as exc:
                cliutil.fail(str(exc))
            except InputError as exc:
                cliutil.fail(exc.message)

        doc = run.to_dict()
        if report is not None:
            from dadkhah.estimate.report import write_report

            index = write_report(run, report)
            doc["report"] = str(index)
            cliutil.err.print(f"report written to {index}")
        if json_out:
            cliutil.emit_json(doc)
        else:
            _print_human(doc)


def register_aggregate(app: typer.Typer) -> None:
    @app.command("list-aggregate")
    def list_aggregate_command(
        ctx: typer.Context,
        name: str = typer.Argument(..., help="The list's name"),
        allow: bool = typer.Option(
            None,
            "--allow/--deny",
            help="Allow (or withdraw) aggregate publication: estimates for readers below the list's level may "
            "then count it (its name, size and overlaps; never its records)",
        ),
        json_out: bool = typer.Option(False, "--json", help="Print one JSON document on stdout"),
    ) -> None:
        """Show or set whether a list's aggregates may be published to readers below its level."""
        from dadkhah.errors import InputError, NotFound
        from dadkhah.estimate.runs import set_aggregate_publication

        with cliutil.open_case(ctx) as case:
            try:
                doc = set_aggregate_publication(case, name, allow, actor=case.actor)
            except (NotFound, InputError) as exc:
                cliutil.fail(getattr(exc, "message", str(exc)))
        if json_out:
            cliutil.emit_json(doc)
        else:
            state = "allowed" if doc["aggregate_publication"] else "not allowed"
            cliutil.out.print(f"list {doc['name']} ({doc['sensitivity']}): aggregate publication {state}")


def _file_sha256(path: Path) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _print_human(doc: dict) -> None:
    from rich.markup import escape
    from rich.table import Table

    def fmt(x) -> str:
        return "–" if x is None else f"{x:,.0f}"

    out = cliutil.out
    rows = doc.get("methods") or {doc["method"]: doc}
    t = Table(title=f"Estimated total victims (documented: {doc['documented']:,})")
    for col in ("method", "estimate", "95% interval"):
        t.add_column(col)
    for name, m in rows.items():
        t.add_row(name, fmt(m.get("estimate")), f"{fmt(m.get('lower'))} – {fmt(m.get('upper'))}")
    out.print(t)
    if doc.get("selected_model"):
        out.print(f"log-linear: lowest-BIC model {doc['selected_model']}")
    for s in doc.get("strata", []):
        label = ", ".join(f"{k}={v}" for k, v in s["stratum"].items())
        if "estimate" in s:
            first, name = s, doc["method"]
        else:
            name = doc.get("primary") or next(iter(s["methods"]))
            first = s["methods"][name]
        out.print(
            f"  {label} ({name}): documented {s['documented']:,}, estimate {fmt(first['estimate'])} "
            f"({fmt(first['lower'])} – {fmt(first['upper'])})",
            highlight=False,
        )
    for w in doc.get("warnings", []):
        where = f" ({w['stratum']})" if w.get("stratum") else ""
        cliutil.err.print(f"[yellow]warning{escape(where)}:[/] {escape(w['message'])}", highlight=False)
