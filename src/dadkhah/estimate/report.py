"""The estimate report: a self-contained folder with ``index.html`` and PNG plots.

Plots are drawn with matplotlib's object API (``Figure`` + Agg canvas, no pyplot state), the page
with a Jinja2 template shipped in ``templates/``. Nothing is fetched from the network: no CDN,
no web fonts, no scripts.
"""

from __future__ import annotations

import json
import math
from itertools import combinations
from pathlib import Path

import numpy as np

from dadkhah.estimate.service import EstimateRun, MethodEstimate
from dadkhah.estimate.table import CaptureTable, pattern_string

__all__ = ["write_report", "ASSUMPTIONS"]

METHOD_LABELS = {
    "loglinear": "Log-linear models (lowest BIC)",
    "lcmcr": "Latent-class model (LCMCR)",
    "bma": "Model averaging over graphs (dga)",
}
PHRASES = {
    "loglinear": "lowest-BIC log-linear model",
    "lcmcr": "latent-class model (LCMCR)",
    "bma": "Bayesian average over decomposable graphs",
}
COLOURS = {"loglinear": "#1b6ca8", "lcmcr": "#c0392b", "bma": "#27855a", "documented": "#555555"}

ASSUMPTIONS = {
    "all": [
        "The population is closed: everyone counted was a victim of the same events in the same period, "
        "and no one enters or leaves it.",
        "Records are linked correctly: the same victim on two lists is recognised as one person, and two "
        "people are never merged. Linkage errors move the estimate; the threshold comparison shows how much.",
        "Every victim could, in principle, have been recorded by some list. Victims no list could ever reach "
        "(for instance a region no one documented) are outside what any of these methods can estimate.",
    ],
    "loglinear": [
        "The counts of each combination of lists follow a log-linear model in which the interaction of all "
        "lists together is zero: dependence between lists is allowed, but only up to the interactions the "
        "model includes.",
        "The selected model is the one with the lowest BIC; its interval does not include the uncertainty "
        "of choosing that model. The BIC-weighted average shows how much the choice matters.",
        "Differences between victims in how likely they were to be recorded (heterogeneity) are captured only "
        "insofar as they show up as dependence between lists.",
    ],
    "closed": [
        "M0: every list recorded every victim with the same probability. Mt: lists differ but record "
        "independently. Mth Chao: lists differ and victims differ, in the form that gives Chao's lower bound. "
        "These are benchmarks: independence is rarely credible for lists of the dead.",
    ],
    "lcmcr": [
        "Victims fall into a number of hidden groups (latent classes); within a group, lists record victims "
        "independently. Groups of victims that are easier or harder to record, and lists that share sources, "
        "are both represented through the mix of groups.",
        "The number of groups is learned from the data (Dirichlet-process prior, at most K groups). If all K "
        "groups are in use, K should be raised.",
        "The interval is a Bayesian credible interval (posterior 2.5% and 97.5% quantiles). It is computed by "
        "Markov chain Monte Carlo, so it carries Monte Carlo error, reported with R-hat and effective sample size.",
    ],
    "bma": [
        "The lists' dependence follows one of the decomposable graphical models (each a log-linear model whose "
        "interactions are the cliques of a graph). The estimate averages over all of them, weighted by how "
        "well each explains the data.",
        "Victims are not heterogeneous beyond what list dependence captures. Results depend on the prior "
        "(hyper-Dirichlet parameter delta and the prior on N), reported below.",
    ],
}


def _fmt(x: float | None) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    return f"{x:,.0f}"


def _figure(width: float = 8.0, height: float = 4.5):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=110)
    FigureCanvasAgg(fig)
    return fig


def _save(fig, path: Path, tight: bool = True) -> str:
    if tight:
        fig.tight_layout()
    fig.savefig(path, format="png")
    return path.name


def upset_figure(table: CaptureTable):
    """UpSet-style overlap plot: pattern counts above, which lists form each pattern below, list sizes on the
    left. The list names have a column of their own between the sizes and the dots, so no name is drawn
    over a dot or a bar. Returns (figure, dot axes, name texts)."""
    cells = [(c, int(table.counts[c])) for c in range(1, 2**table.t) if table.counts[c] > 0]
    cells.sort(key=lambda x: -x[1])
    cells = cells[:40]
    t = table.t
    longest = max(len(name) for name in table.lists)
    names_width = max(0.6, 0.09 * longest)
    fig = _figure(max(6.0, 0.35 * len(cells) + 3 + names_width), 3.0 + 0.35 * t)
    gs = fig.add_gridspec(2, 3, height_ratios=[3, 0.25 * t + 0.5], width_ratios=[1, names_width, 5],
                          hspace=0.05, wspace=0.02)
    ax_bar = fig.add_subplot(gs[0, 2])
    ax_dot = fig.add_subplot(gs[1, 2], sharex=ax_bar)
    ax_size = fig.add_subplot(gs[1, 0])
    ax_names = fig.add_subplot(gs[1, 1], sharey=ax_dot)
    xs = np.arange(len(cells))
    ax_bar.bar(xs, [c[1] for c in cells], color="#34495e")
    for x, (_, count) in zip(xs, cells, strict=True):
        ax_bar.text(x, count, f"{count:,}", ha="center", va="bottom", fontsize=7)
    ax_bar.set_ylabel("victims")
    ax_bar.set_title("Victims by combination of lists")
    ax_bar.tick_params(axis="x", bottom=False, labelbottom=False)
    for s in ("top", "right"):
        ax_bar.spines[s].set_visible(False)
    bits = table.bits
    for x, (c, _) in zip(xs, cells, strict=True):
        on = [j for j in range(t) if bits[c, j]]
        ax_dot.scatter([x] * t, range(t), color="#dddddd", s=30, zorder=1)
        ax_dot.scatter([x] * len(on), on, color="#34495e", s=30, zorder=2)
        if len(on) > 1:
            ax_dot.plot([x, x], [min(on), max(on)], color="#34495e", zorder=2)
    ax_dot.set_yticks(range(t))
    ax_dot.set_yticklabels([])
    ax_dot.tick_params(axis="y", left=False)
    ax_dot.set_ylim(t - 0.5, -0.5)
    ax_dot.set_xlim(-0.6, len(cells) - 0.4)
    ax_dot.tick_params(axis="x", bottom=False, labelbottom=False)
    for s in ax_dot.spines.values():
        s.set_visible(False)
    ax_names.axis("off")
    ax_names.set_xlim(0, 1)
    texts = [ax_names.text(0.5, j, name, ha="center", va="center", fontsize=8) for j, name in enumerate(table.lists)]
    sizes = [table.list_sizes[name] for name in table.lists]
    ax_size.barh(range(t), sizes, color="#7f8c8d")
    ax_size.set_ylim(t - 0.5, -0.5)
    ax_size.invert_xaxis()
    ax_size.set_yticks([])
    ax_size.set_xlabel("list size", fontsize=8)
    ax_size.tick_params(axis="x", labelsize=7)
    for s in ("top", "left", "right"):
        ax_size.spines[s].set_visible(False)
    fig.subplots_adjust(left=0.04, right=0.98, top=0.9, bottom=0.12)
    return fig, ax_dot, texts


def plot_upset(table: CaptureTable, path: Path) -> str:
    fig, _, _ = upset_figure(table)
    return _save(fig, path, tight=False)


def plot_traces(run: EstimateRun, path: Path) -> str | None:
    """LCMCR trace plots: N per chain, the concentration alpha, and the number of occupied classes."""
    lc = run.overall.get("lcmcr")
    res = getattr(lc, "result", None) if lc is not None else None
    if res is None or getattr(res, "alpha", None) is None:
        return None
    fig = _figure(8.0, 6.5)
    axes = [fig.add_subplot(3, 1, i) for i in (1, 2, 3)]
    for c in range(res.draws.shape[0]):
        axes[0].plot(res.draws[c], lw=0.5, alpha=0.8, label=f"chain {c + 1}")
        axes[1].plot(res.alpha[c], lw=0.5, alpha=0.8)
    axes[0].set_ylabel("N")
    axes[0].yaxis.set_major_formatter(_thousands())
    axes[0].legend(fontsize=7, loc="upper right")
    axes[0].set_title("LCMCR chains (kept draws)")
    axes[1].set_ylabel("alpha")
    axes[1].set_yscale("log")
    used = res.classes_used.ravel()
    k = np.arange(1, int(used.max()) + 2)
    axes[2].bar(k[:-1], np.bincount(used, minlength=k[-1])[1:k[-1]] / used.size, color=COLOURS["lcmcr"])
    axes[2].set_xlabel("occupied latent classes")
    axes[2].set_ylabel("share of draws")
    axes[1].set_xlabel("draw")
    return _save(fig, path)


def plot_estimates(rows: list[dict], documented: float, path: Path, title: str) -> str:
    """Point estimates with 95% intervals, beside the documented count."""
    fig = _figure(8.0, 1.0 + 0.45 * len(rows))
    ax = fig.add_subplot(1, 1, 1)
    for i, r in enumerate(rows):
        colour = COLOURS.get(r.get("method", ""), "#34495e")
        est, lo, hi = r["estimate"], r["lower"], r["upper"]
        if lo is not None and hi is not None and math.isfinite(hi):
            ax.plot([lo, hi], [i, i], color=colour, lw=2.5)
        elif lo is not None:
            ax.annotate("", xy=(est * 3, i), xytext=(lo, i), arrowprops={"arrowstyle": "->", "color": colour})
        ax.plot([est], [i], "o", color=colour, ms=7)
        if r.get("documented") is not None:
            ax.plot([r["documented"]], [i], "|", color=COLOURS["documented"], ms=14, mew=2)
    if documented:
        ax.axvline(documented, color=COLOURS["documented"], ls="--", lw=1)
        ax.text(documented, len(rows) - 0.4, " documented", color=COLOURS["documented"], fontsize=8, va="bottom")
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([r["label"] for r in rows], fontsize=8)
    ax.set_ylim(len(rows) - 0.3, -0.7)
    ax.set_xlabel("victims (point: estimate; line: 95% interval; tick: documented)")
    ax.set_title(title)
    ax.xaxis.set_major_formatter(_thousands())
    ax.set_xlim(left=0)
    return _save(fig, path)


def _thousands():
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _: f"{v:,.0f}")


def plot_posteriors(run: EstimateRun, path: Path) -> str | None:
    """Posterior densities of N (LCMCR draws, BMA exact posterior) and log-linear intervals."""
    overall = run.overall
    if not any(m in overall for m in ("lcmcr", "bma")) and "loglinear" not in overall:
        return None
    fig = _figure(8.0, 4.2)
    ax = fig.add_subplot(1, 1, 1)
    drew = False
    if "lcmcr" in overall and overall["lcmcr"].draws is not None:
        d = np.asarray(overall["lcmcr"].draws, dtype=float)
        flat = d.ravel()
        grid = np.linspace(flat.min(), np.quantile(flat, 0.995), 400)
        if np.ptp(flat) > 0:
            from scipy.stats import gaussian_kde

            ax.plot(grid, gaussian_kde(flat)(grid), color=COLOURS["lcmcr"], lw=2, label="LCMCR (chains pooled)")
            if d.ndim == 2 and d.shape[0] > 1:
                for i, c in enumerate(d):
                    if np.ptp(c) > 0:
                        ax.plot(
                            grid,
                            gaussian_kde(c)(grid),
                            color=COLOURS["lcmcr"],
                            lw=0.8,
                            alpha=0.5,
                            ls=":",
                            label="LCMCR, each chain" if i == 0 else None,
                        )
        drew = True
    bma = overall.get("bma")
    if bma is not None and bma.result is not None and not run.tables.is_stratified:
        res = bma.result
        cdf = np.cumsum(res.posterior)
        keep = cdf <= 0.9995
        N = res.N[keep]
        dens = res.posterior[keep]
        # Smooth the exact posterior over ~1% of its range for display.
        width = max(1, int(len(N) / 100))
        smooth = np.convolve(dens, np.ones(width) / width, mode="same")
        ax.plot(N, smooth, color=COLOURS["bma"], lw=2, label="BMA over graphs (exact)")
        drew = True
    elif bma is not None and bma.draws is not None:
        ax.hist(bma.draws, bins=60, density=True, alpha=0.35, color=COLOURS["bma"], label="BMA (draws)")
        drew = True
    ll = overall.get("loglinear")
    if ll is not None:
        if ll.lower is not None and ll.upper is not None and math.isfinite(ll.upper):
            ax.axvspan(ll.lower, ll.upper, color=COLOURS["loglinear"], alpha=0.12, label="log-linear 95% interval")
        ax.axvline(ll.estimate, color=COLOURS["loglinear"], lw=1.5, label="log-linear estimate")
        drew = True
    if not drew:
        return None
    ax.axvline(run.documented, color=COLOURS["documented"], ls="--", lw=1, label="documented")
    ax.set_xlabel("total victims N")
    ax.set_ylabel("posterior density")
    ax.set_title("What the data say about the total")
    ax.xaxis.set_major_formatter(_thousands())
    ax.legend(fontsize=8)
    return _save(fig, path)


def plot_linkage(rows: list[dict], path: Path) -> str:
    fig = _figure(8.0, 4.0)
    ax = fig.add_subplot(1, 1, 1)
    methods = sorted({r["method"] for r in rows})
    offsets = np.linspace(-0.006, 0.006, len(methods)) if len(methods) > 1 else [0.0]
    for off, m in zip(offsets, methods, strict=True):
        rs = [r for r in rows if r["method"] == m]
        x = np.array([r["threshold"] for r in rs]) + off
        est = np.array([r["estimate"] for r in rs], dtype=float)
        lo = np.array([r["lower"] if r["lower"] is not None else np.nan for r in rs], dtype=float)
        hi = np.array([r["upper"] if r["upper"] is not None else np.nan for r in rs], dtype=float)
        ax.errorbar(x, est, yerr=[est - lo, hi - est], fmt="o-", color=COLOURS.get(m), label=METHOD_LABELS.get(m, m))
    docs = sorted({(r["threshold"], r["documented"]) for r in rows})
    ax.plot([d[0] for d in docs], [d[1] for d in docs], "s--", color=COLOURS["documented"], label="documented")
    ax.set_xlabel("record-linkage threshold (higher: fewer, surer merges)")
    ax.set_ylabel("victims")
    ax.yaxis.set_major_formatter(_thousands())
    ax.set_title("Estimates at several linkage thresholds")
    ax.legend(fontsize=8)
    return _save(fig, path)


def _pairwise(table: CaptureTable) -> list[dict]:
    bits = table.bits
    rows = []
    for i, k in combinations(range(table.t), 2):
        both = int(sum(table.counts[c] for c in range(1, 2**table.t) if bits[c, i] and bits[c, k]))
        rows.append({"a": table.lists[i], "b": table.lists[k], "both": both})
    return rows


def _method_rows(run: EstimateRun) -> list[dict]:
    rows = []
    for name, m in run.overall.items():
        rows.append(_row(m, METHOD_LABELS.get(name, name)))
    ll = run.overall.get("loglinear")
    if ll is not None:
        avg = ll.details.get("model_average") or {}
        if avg.get("estimate") is not None:
            rows.append(
                {
                    "method": "loglinear",
                    "label": "Log-linear, BIC-weighted average",
                    "estimate": avg["estimate"],
                    "lower": avg.get("lower"),
                    "upper": avg.get("upper"),
                    "documented": None,
                }
            )
        for cname, c in (ll.details.get("closed") or {}).items():
            rows.append(
                {
                    "method": "closed",
                    "label": f"{cname} (benchmark)",
                    "estimate": c["abundance"],
                    "lower": c["interval"][0],
                    "upper": c["interval"][1],
                    "documented": None,
                }
            )
    return rows


def _row(m: MethodEstimate, label: str) -> dict:
    return {
        "method": m.method,
        "label": label,
        "estimate": m.estimate,
        "lower": m.lower,
        "upper": m.upper,
        "documented": m.documented,
    }


def write_report(run: EstimateRun, out_dir: str | Path) -> Path:
    """Write ``index.html``, the PNG plots and ``estimate.json`` into ``out_dir``; returns the page."""
    import jinja2

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    total = run.tables.total
    plots: dict[str, str | None] = {}
    plots["upset"] = plot_upset(total, out / "overlaps.png")
    method_rows = _method_rows(run)
    plots["estimates"] = plot_estimates(method_rows, run.documented, out / "estimates.png", "Estimates by method")
    plots["posterior"] = plot_posteriors(run, out / "posterior.png")
    plots["traces"] = plot_traces(run, out / "traces.png")
    strata_rows = []
    if run.strata:
        primary = run.primary.method
        for s in run.strata:
            m = s.methods.get(primary)
            if m is not None:
                strata_rows.append(_row(m, s.name))
        if strata_rows:
            plots["strata"] = plot_estimates(
                strata_rows, 0, out / "strata.png", f"Estimates by stratum ({METHOD_LABELS.get(primary, primary)})"
            )
    if run.linkage:
        plots["linkage"] = plot_linkage(run.linkage, out / "linkage.png")

    doc = run.to_dict()
    (out / "estimate.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False, default=str), encoding="utf-8")

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("dadkhah.estimate", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["n"] = _fmt
    env.filters["pct"] = lambda x: "–" if x is None else f"{100 * x:.1f}%"
    env.filters["fix"] = lambda x, d=3: "–" if x is None or not math.isfinite(x) else f"{x:.{d}f}"
    ll = run.overall.get("loglinear")
    residuals = []
    if ll is not None and getattr(ll.result, "residuals", None) is not None:
        residuals = [r for r in ll.result.residuals() if r["observed"] or r["fitted"] >= 0.5]
    page = env.get_template("report.html").render(
        residuals=residuals,
        run=run,
        doc=doc,
        total=total,
        patterns=[(pattern_string(c, total.t), int(total.counts[c])) for c in range(1, 2**total.t)],
        pairwise=_pairwise(total),
        method_rows=method_rows,
        strata_rows=strata_rows,
        plots=plots,
        labels=METHOD_LABELS,
        phrases=PHRASES,
        assumptions=ASSUMPTIONS,
        warnings=doc.get("warnings", []),
    )
    index = out / "index.html"
    index.write_text(page, encoding="utf-8")
    return index
