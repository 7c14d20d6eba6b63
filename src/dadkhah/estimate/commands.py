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
        thresholds: str = typer.Option(
            None,
            "--thresholds",
            help="Case only: linkage thresholds to compare, comma-separated "
            "(default 0.5,0.8,0.95,0.99 with --report; 'none' to skip)",
        ),
    ) -> None:
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
        options = EstimateOptions(method=chosen, seed=seed, max_order=max_order, lcmcr=settings, delta=delta, nmax=nmax)

        with cliutil.progress() as bar:
            task = bar.add_task("estimating", total=None)

            def on_progress(step: str) -> None:
                bar.update(task, description=f"estimating: {step}")

            try:
                if table is not None:
                    if thresholds:
                        cliutil.err.print("[yellow]note:[/] --thresholds applies to the case path only; ignored")
                    tables = read_table_csv(table, strata=fields)
                    run = estimate(tables, options, source=str(table), on_progress=on_progress)
                else:
                    ths = _parse_thresholds(thresholds)
                    if thresholds is None and report is not None:
                        ths = list(DEFAULT_THRESHOLDS)
                    with cliutil.open_case(ctx) as case:
                        run = estimate_case(case, options, strata=fields, thresholds=ths, on_progress=on_progress)
            except (TableError, EstimateError) as exc:
                cliutil.fail(str(exc))

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
