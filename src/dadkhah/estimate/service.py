"""What ``dadkhah estimate`` calls: load tables, run methods per stratum, combine, explain.

The CLI and any other caller go through ``estimate(tables, options)`` (a table you already
have) or ``estimate_case(case, ...)`` (the case's linked lists, via record linkage). Both return
an ``EstimateRun``, whose ``to_dict()`` is the JSON document the CLI prints and whose objects the
HTML report draws from.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from dadkhah.access import Principal
from dadkhah.errors import DadkhahError
from dadkhah.estimate.access import ListAccess, capture_history_for, require_principal, unknown_messages
from dadkhah.estimate.bma import MAX_LISTS as BMA_MAX_LISTS
from dadkhah.estimate.bma import MIN_LISTS as BMA_MIN_LISTS
from dadkhah.estimate.bma import fit_bma
from dadkhah.estimate.checks import EstimateWarning, check_table
from dadkhah.estimate.closed import fit_closed_models
from dadkhah.estimate.lcmcr import LcmcrSettings, fit_lcmcr
from dadkhah.estimate.loglinear import MAX_MODELS, count_models, enumerate_models, fit_loglinear
from dadkhah.estimate.stratified import sum_draws, sum_normal
from dadkhah.estimate.table import CaptureTable, StratifiedTables, TableError, table_from_records

__all__ = [
    "METHODS",
    "DEFAULT_THRESHOLDS",
    "EstimateError",
    "EstimateOptions",
    "MethodEstimate",
    "StratumEstimate",
    "EstimateRun",
    "estimate",
    "estimate_table",
    "estimate_case",
    "load_case_tables",
]

METHODS = ("loglinear", "lcmcr", "bma")
DEFAULT_THRESHOLDS = (0.5, 0.8, 0.95, 0.99)
PRIMARY = "lcmcr"  # reported at the top level when several methods run


class EstimateError(DadkhahError, ValueError):
    """The estimate cannot be made as asked; the message says why in plain language."""


@dataclass(frozen=True)
class EstimateOptions:
    method: str = "lcmcr"  # one of METHODS, or "all"
    seed: int | None = None
    max_order: int | None = None
    lcmcr: LcmcrSettings = field(default_factory=LcmcrSettings)
    delta: float | None = None
    nmax: int | None = None
    closed: bool = True
    min_stratum: int = 30  # strata with fewer documented victims are pooled ("small strata")
    sensitivity: bool = False  # re-run the Bayesian methods under other priors (prior_sensitivity)

    @property
    def methods(self) -> tuple[str, ...]:
        if self.method == "all":
            return METHODS
        if self.method not in METHODS:
            raise EstimateError(f"unknown method {self.method!r}; choose one of {', '.join(METHODS)} or all")
        return (self.method,)


@dataclass
class MethodEstimate:
    """One method's estimate for one table (or the total over strata)."""

    method: str
    documented: int
    estimate: float
    lower: float | None
    upper: float | None
    details: dict[str, Any]
    draws: np.ndarray | None = None  # posterior draws of N (Bayesian methods)
    warnings: list[EstimateWarning] = field(default_factory=list)
    result: Any = None
    se: float | None = None  # log-linear only, for summing strata

    def headline(self) -> dict:
        return {
            "method": self.method,
            "estimate": _round(self.estimate),
            "lower": _round(self.lower),
            "upper": _round(self.upper),
            "documented": self.documented,
        }


@dataclass
class StratumEstimate:
    key: tuple[str, ...]
    label: dict[str, str]
    table: CaptureTable
    methods: dict[str, MethodEstimate]
    warnings: list[EstimateWarning]
    failed: dict[str, str] = field(default_factory=dict)  # method -> why it could not be fitted here
    pooled: list[str] = field(default_factory=list)  # the small strata this one pools

    @property
    def name(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.label.items()) or "all"


@dataclass
class EstimateRun:
    tables: StratifiedTables
    options: EstimateOptions
    overall: dict[str, MethodEstimate]
    strata: list[StratumEstimate]
    warnings: list[EstimateWarning]
    source: str
    linkage: list[dict] | None = None
    access: dict | None = None  # who the estimate was made for and which lists it counts
    provenance: dict = field(default_factory=dict)  # software version, input SHA-256, seeds
    extra: dict = field(default_factory=dict)  # further sections (linkage uncertainty, heterogeneity...)

    @property
    def methods(self) -> tuple[str, ...]:
        return tuple(self.overall)

    @property
    def primary(self) -> MethodEstimate:
        """The method quoted at the top: LCMCR when its chains converged, else the first method whose
        figure does not rest on unconverged chains (BMA is exact, log-linear is not sampled)."""
        first = self.overall.get(PRIMARY)
        if first is not None and _converged(first):
            return first
        for name in ("bma", "loglinear"):
            if name in self.overall:
                return self.overall[name]
        return first or next(iter(self.overall.values()))

    @property
    def headline_ok(self) -> bool:
        """False when the only figure available comes from chains that did not converge."""
        return _converged(self.primary)

    @property
    def documented(self) -> int:
        return self.tables.total.documented

    def to_dict(self) -> dict:
        total = self.tables.total
        all_warnings = [w.to_dict() for w in self.warnings]
        for m in self.overall.values():
            all_warnings += [w.to_dict() for w in m.warnings]
        for s in self.strata:
            all_warnings += [w.to_dict() for w in s.warnings]
            for m in s.methods.values():
                all_warnings += [w.to_dict() for w in m.warnings]
        doc: dict[str, Any] = {}
        primary = self.primary
        doc.update(primary.headline())
        if len(self.overall) > 1:
            doc["method"] = "all"
            doc["primary"] = primary.method
        doc["converged"] = self.headline_ok
        if PRIMARY in self.overall and primary.method != PRIMARY:
            doc["headline_note"] = (
                f"the latent-class chains did not converge (R-hat <= 1.01 and ESS >= 400 were not reached), "
                f"so the figure quoted is the {primary.method} estimate"
            )
        doc["lists"] = list(total.lists)
        doc["list_sizes"] = total.list_sizes
        doc["source"] = self.source
        doc["warnings"] = _dedupe(all_warnings)
        if len(self.overall) == 1:
            doc.update({k: v for k, v in primary.details.items() if k not in doc})
        else:
            doc["methods"] = {name: {**m.headline(), **m.details} for name, m in self.overall.items()}
        if self.tables.is_stratified:
            doc["strata_fields"] = list(self.tables.fields)
            doc["strata"] = [
                {
                    "stratum": s.label,
                    "documented": s.table.documented,
                    **(
                        _stratum_method_doc(next(iter(s.methods.values())))
                        if len(self.overall) == 1 and len(s.methods) == 1
                        else {"methods": {name: _stratum_method_doc(m) for name, m in s.methods.items()}}
                    ),
                    "failed": s.failed,
                    "pooled": s.pooled,
                    "cells": dict(s.table.patterns()),
                    "warnings": [w.to_dict() for w in s.warnings]
                    + [w.to_dict() for m in s.methods.values() for w in m.warnings],
                }
                for s in self.strata
            ]
        if self.linkage is not None:
            doc["linkage"] = self.linkage
        if self.access is not None:
            doc["access"] = self.access
        doc["provenance"] = self.provenance
        doc.update(self.extra)
        return doc


def _converged(m: MethodEstimate) -> bool:
    if m.method != "lcmcr":
        return True
    d = m.details.get("diagnostics") or {}
    return bool(d.get("converged", False))


def _stratum_method_doc(m: MethodEstimate) -> dict:
    out = m.headline()
    out.pop("documented")
    keep = ("selected_model", "model_average", "mean", "mode", "diagnostics", "closed")
    out.update({k: m.details[k] for k in keep if k in m.details})
    if "models" in m.details:
        out["models"] = m.details["models"][:5]
    return out


def _dedupe(items: list[dict]) -> list[dict]:
    seen, out = set(), []
    for it in items:
        key = (it.get("code"), it.get("message"), it.get("stratum"))
        if key not in seen:
            seen.add(key)
            out.append(it)
    return out


def _round(x: float | None, digits: int = 2) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    return round(float(x), digits)


def _derived_seed(seed: int | None, *path: int) -> int | None:
    if seed is None:
        return None
    if not path:
        return seed
    return int(np.random.SeedSequence([seed, *path]).generate_state(1)[0] >> 1)


def _default_max_order(t: int) -> int:
    return max(1, t - 1) if t <= 4 else 2


def estimate_table(table: CaptureTable, method: str, options: EstimateOptions, seed: int | None) -> MethodEstimate:
    """Run one method on one table.

    Lists that record no victim in this table carry no information and would make every model
    degenerate, so they are left out (with a warning).
    """
    empty = [name for name, size in table.list_sizes.items() if size == 0]
    if empty:
        if len(empty) > table.t - 2:
            raise EstimateError(
                f"only {table.t - len(empty)} of the lists record anyone here ({', '.join(empty)} record no "
                "victims); MSE needs at least 2 (use coarser strata)"
            )
        est = estimate_table(table.without_lists(empty), method, options, seed)
        est.warnings.insert(
            0,
            EstimateWarning(
                "empty_list_dropped",
                f"{', '.join(empty)} record{'s' if len(empty) == 1 else ''} no victims here and "
                f"{'was' if len(empty) == 1 else 'were'} left out; the estimate uses the other lists.",
                params={"lists": ", ".join(empty), "count": len(empty)},
            ),
        )
        return est
    n = table.documented
    if method == "loglinear":
        if table.t < 2:
            raise EstimateError("log-linear models need at least 2 lists")
        max_order = options.max_order or _default_max_order(table.t)
        try:
            count = count_models(table.t, max_order)
            if count is None:
                try:
                    count = len(enumerate_models(table.t, max_order))
                except ValueError:
                    count = MAX_MODELS + 1
            res = fit_loglinear(table, max_order=max_order, intervals="all" if count <= 250 else "best")
        except ValueError as exc:
            raise EstimateError(str(exc)) from None
        details = res.to_dict()
        warnings = [EstimateWarning.of("loglinear_models", w) for w in res.warnings]
        bad = [m.name for m in res.models if not m.identifiable]
        if bad:
            warnings.append(
                EstimateWarning(
                    "non_identifiable",
                    f"{len(bad)} log-linear model(s) are not identifiable on this table (e.g. {', '.join(bad[:3])}): "
                    "a zero cell or margin leaves a parameter unestimable. They are listed but not used.",
                    params={"count": len(bad), "examples": ", ".join(bad[:3])},
                )
            )
        if res.best.upper is not None and not math.isfinite(res.best.upper):
            warnings.append(
                EstimateWarning(
                    "open_interval",
                    f"The selected model {res.best.name} has no finite upper limit: the data are consistent with "
                    "an arbitrarily large number of unrecorded victims under that model.",
                    params={"model": res.best.name},
                )
            )
        if options.closed and table.t >= 2:
            details["closed"] = {k: v.to_dict() for k, v in fit_closed_models(table).items()}
        for key in ("method", "estimate", "lower", "upper", "documented"):
            details.pop(key, None)
        best = res.best
        return MethodEstimate(
            method, n, best.abundance, best.lower, best.upper, details, None, warnings, res, se=best.se
        )
    if method == "lcmcr":
        settings = replace(options.lcmcr, seed=seed)
        try:
            res = fit_lcmcr(table, settings)
        except ValueError as exc:
            raise EstimateError(str(exc)) from None
        details = res.to_dict()
        for key in ("method", "estimate", "lower", "upper", "documented"):
            details.pop(key, None)
        warnings = [EstimateWarning.of("lcmcr", w) for w in res.warnings]
        return MethodEstimate(method, n, res.estimate, res.lower, res.upper, details, res.draws, warnings, res)
    if method == "bma":
        if not BMA_MIN_LISTS <= table.t <= BMA_MAX_LISTS:
            raise EstimateError(
                f"BMA over decomposable graphs works with {BMA_MIN_LISTS} to {BMA_MAX_LISTS} lists; "
                f"this table has {table.t}"
            )
        res = fit_bma(table, delta=options.delta, n_max=options.nmax, seed=seed)
        details = res.to_dict()
        for key in ("method", "estimate", "lower", "upper", "documented"):
            details.pop(key, None)
        warnings = [EstimateWarning.of("truncation_bound", w) for w in res.warnings]
        return MethodEstimate(method, n, res.estimate, res.lower, res.upper, details, res.draws, warnings, res)
    raise EstimateError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")


def _align(draws: list[np.ndarray]) -> list[np.ndarray]:
    """Posterior draws of several strata brought to one shape, to be summed draw by draw.

    Strata whose chains ran longer (LCMCR runs until converged) are thinned evenly to the shortest; when
    the chain structure differs (BMA draws are one vector), every stratum is pooled into one vector first.
    """
    arrays = [np.asarray(d, dtype=float) for d in draws]
    if len({a.shape for a in arrays}) == 1:
        return arrays
    if all(a.ndim == 2 for a in arrays) and len({a.shape[0] for a in arrays}) == 1:
        m = min(a.shape[1] for a in arrays)
        return [a[:, np.linspace(0, a.shape[1] - 1, m).round().astype(int)] for a in arrays]
    flat = [a.ravel() for a in arrays]
    m = min(f.size for f in flat)
    return [f[np.linspace(0, f.size - 1, m).round().astype(int)] for f in flat]


def _combine(method: str, parts: list[MethodEstimate], documented: int, floor: int = 0) -> MethodEstimate:
    """Total over strata; ``floor`` documented victims of strata that could not be estimated are added as is."""
    if method in ("lcmcr", "bma"):
        draws, summary = sum_draws(_align([p.draws for p in parts]))
        if floor:
            draws = draws + floor
            summary = {k: (v + floor if k in ("median", "mean", "lower", "upper") else v) for k, v in summary.items()}
        details: dict[str, Any] = {
            "combination": "posterior draws summed across strata (strata estimated independently)",
            "mean": round(summary["mean"], 1),
            "diagnostics": {
                k: round(v, 4 if k == "rhat" else 1)
                for k, v in summary.items()
                if k in ("rhat", "ess", "mcse_median", "mcse_lower", "mcse_upper")
            },
        }
        details["diagnostics"]["chains"] = int(np.shape(draws)[0]) if np.ndim(draws) == 2 else 0
        if method == "lcmcr":
            details["diagnostics"]["converged"] = all(
                (p.details.get("diagnostics") or {}).get("converged", False) for p in parts
            )
        return MethodEstimate(method, documented, summary["median"], summary["lower"], summary["upper"], details, draws)
    total, se, (lo, hi) = sum_normal(documented, [p.estimate for p in parts] + [floor], [p.se or 0.0 for p in parts])
    avg = [p.details["model_average"] for p in parts]
    avg_total, avg_se, avg_int = sum_normal(
        documented, [a["estimate"] or 0.0 for a in avg] + [floor], [a["se"] or 0.0 for a in avg]
    )
    details = {
        "combination": "sum of each stratum's lowest-BIC estimate; se = root sum of squares; "
        "log-transformed 95% interval (Chao 1987)",
        "se": _round(se),
        "model_average": {
            "estimate": _round(avg_total),
            "se": _round(avg_se),
            "lower": _round(avg_int[0]),
            "upper": _round(avg_int[1]),
        },
    }
    return MethodEstimate(method, documented, total, lo, hi, details, None, se=se)


def estimate(
    tables: StratifiedTables,
    options: EstimateOptions,
    *,
    source: str = "table",
    on_progress: Callable[[str], None] | None = None,
) -> EstimateRun:
    """Run the chosen method(s) on every stratum and combine them."""
    methods = options.methods
    total = tables.total
    warnings = [w for w in check_table(total)]
    if total.t < 2:
        raise EstimateError(f"multiple systems estimation needs at least 2 lists; the table has {total.t}")
    if options.method == "all" and not BMA_MIN_LISTS <= total.t <= BMA_MAX_LISTS:
        methods = tuple(m for m in methods if m != "bma")
        warnings.append(
            EstimateWarning(
                "bma_skipped",
                f"BMA over decomposable graphs needs {BMA_MIN_LISTS} to {BMA_MAX_LISTS} lists; skipped for {total.t}.",
                params={"min": BMA_MIN_LISTS, "max": BMA_MAX_LISTS, "lists": total.t},
            )
        )
    strata: list[StratumEstimate] = []
    overall: dict[str, MethodEstimate] = {}
    if not tables.is_stratified:
        for method in methods:
            if on_progress:
                on_progress(method)
            overall[method] = estimate_table(total, method, options, _derived_seed(options.seed))
    else:
        strata, pool_warnings = _estimate_strata(tables, methods, options, on_progress)
        warnings += pool_warnings
        for method in methods:
            fitted = [s for s in strata if method in s.methods]
            failed = [s for s in strata if method not in s.methods]
            if not fitted:
                warnings.append(
                    EstimateWarning(
                        "strata_unfitted",
                        f"{method}: no stratum could be estimated; the figure is the estimate from the lists "
                        "without strata.",
                        key="strata_unfitted_all", params={"method": method},
                    )
                )
                if on_progress:
                    on_progress(f"{method} [no strata]")
                try:
                    overall[method] = estimate_table(total, method, options, _derived_seed(options.seed))
                except EstimateError as exc:
                    warnings.append(EstimateWarning("method_failed", f"{method}: {exc}", params={"method": method}))
                continue
            floor = sum(s.table.documented for s in failed)
            overall[method] = _combine(method, [s.methods[method] for s in fitted], total.documented, floor)
            if failed:
                overall[method].warnings.append(
                    EstimateWarning(
                        "strata_unfitted",
                        f"{method}: {len(failed)} stratum/strata could not be estimated "
                        f"({'; '.join(f'{s.name}: {s.failed[method]}' for s in failed)}). The total adds their "
                        f"{floor:,} documented victims as they are (their unrecorded victims are not estimated), "
                        "so it is too low by however many those strata missed.",
                        key="strata_unfitted_some",
                        params={"method": method, "count": len(failed), "strata": "; ".join(s.name for s in failed),
                                "documented": floor},
                    )
                )
        if not overall:
            raise EstimateError("no method could be fitted, in any stratum or on the whole table")
    run = EstimateRun(tables, replace(options), overall, strata, warnings, source)
    run.provenance = provenance(tables, options, overall)
    if options.sensitivity:
        run.extra["prior_sensitivity"] = prior_sensitivity(total, options, methods, on_progress)
    run.extra["disagreement"] = explain_disagreement(run)
    return run


def prior_sensitivity(
    table: CaptureTable, options: EstimateOptions, methods: Sequence[str],
    on_progress: Callable[[str], None] | None = None,
) -> list[dict]:
    """The whole table's estimate under other priors: LCMCR with K = 5 and 20 and alpha ~ Gamma(1, 1);
    BMA with delta = 1/2 and 1 (dga's default is 2^-t). Shorter chains than the main run (2 chains, no
    convergence loop), so differences under about the Monte Carlo error mean nothing."""
    rows = []
    if "lcmcr" in methods:
        base = replace(options.lcmcr, chains=2, target_rhat=None, target_ess=None)
        for label, settings in (
            ("K = 5", replace(base, K=5)),
            ("K = 20", replace(base, K=20)),
            ("alpha ~ Gamma(1, 1)", replace(base, a_alpha=1.0, b_alpha=1.0)),
        ):
            if on_progress:
                on_progress(f"prior sensitivity: lcmcr {label}")
            try:
                est = estimate_table(table, "lcmcr", replace(options, lcmcr=settings), _derived_seed(options.seed, 77))
            except EstimateError as exc:
                rows.append({"method": "lcmcr", "prior": label, "error": str(exc)})
                continue
            rows.append({"method": "lcmcr", "prior": label, **{k: _round(v, 1) for k, v in
                         (("estimate", est.estimate), ("lower", est.lower), ("upper", est.upper))}})
    if "bma" in methods and BMA_MIN_LISTS <= table.t <= BMA_MAX_LISTS:
        for delta in (0.5, 1.0):
            if on_progress:
                on_progress(f"prior sensitivity: bma delta {delta}")
            est = estimate_table(table, "bma", replace(options, delta=delta), _derived_seed(options.seed, 78))
            rows.append({"method": "bma", "prior": f"delta = {delta}", "estimate": _round(est.estimate, 1),
                         "lower": _round(est.lower, 1), "upper": _round(est.upper, 1)})
    return rows


def explain_disagreement(run: EstimateRun) -> list[str]:
    """Why the methods' figures differ, in plain words (empty when only one method ran)."""
    ov = run.overall
    if len(ov) < 2:
        return []
    out = []
    ests = {m: e for m, e in ov.items() if e.estimate is not None and math.isfinite(e.estimate)}
    lo = min(ests.values(), key=lambda e: e.estimate)
    hi = max(ests.values(), key=lambda e: e.estimate)
    overlap = all(
        (a.lower or 0) <= (b.upper if b.upper is not None else math.inf)
        and (b.lower or 0) <= (a.upper if a.upper is not None else math.inf)
        for a in ests.values() for b in ests.values()
    )
    if overlap:
        out.append("The methods' intervals overlap: within their uncertainty they agree.")
    else:
        out.append(f"The methods disagree beyond their intervals: the {lo.method} estimate "
                   f"({lo.estimate:,.0f}) is below the {hi.method} estimate ({hi.estimate:,.0f}).")
    if "lcmcr" in ests and any(m in ests for m in ("loglinear", "bma")):
        other = ests.get("loglinear") or ests.get("bma")
        if ests["lcmcr"].estimate > other.estimate * 1.05:
            out.append(
                "The latent-class model is higher. It lets victims differ in how likely they were to be recorded "
                "(hidden groups that are easier or harder to document); log-linear models and the graph average "
                "see such differences only as dependence between lists, and when victims do differ they tend to "
                "estimate too few (see the simulation study in the documentation)."
            )
        elif ests["lcmcr"].estimate < other.estimate * 0.95:
            out.append(
                "The latent-class model is lower. Where lists depend on each other directly (one list copying "
                "another, or two lists avoiding the same victims) rather than through differences between victims, "
                "log-linear models and the graph average describe that dependence exactly, and the latent-class "
                "model may misread it."
            )
    if "loglinear" in ests and "bma" in ests:
        a, b = ests["loglinear"], ests["bma"]
        if abs(a.estimate - b.estimate) > 0.05 * max(a.estimate, b.estimate):
            out.append(
                "The log-linear figure is one model (the lowest BIC); the graph average weighs many models, so it "
                "differs when several models fit almost equally well but imply different totals (see the top models "
                "of each)."
            )
    if any(not _converged(e) for e in ov.values()):
        out.append("The latent-class chains did not converge, so their figure is uncertain beyond its interval.")
    return out


def table_sha256(tables: StratifiedTables) -> str:
    """SHA-256 of the capture-history table in canonical CSV form (lists comment, then pattern,count[,strata]
    rows in stratum and cell order, zero cells left out): the same table always gives the same digest."""
    import hashlib

    lines = [f"# lists: {','.join(tables.lists)}", ",".join(["pattern", "count", *tables.fields])]
    for key, table in tables.tables.items():
        for pattern, count in table.patterns():
            if count:
                lines.append(",".join([pattern, str(count), *key]))
    return hashlib.sha256(("\n".join(lines) + "\n").encode("utf-8")).hexdigest()


def provenance(tables: StratifiedTables, options: EstimateOptions, overall: dict[str, MethodEstimate]) -> dict:
    import platform

    import dadkhah

    seeds = {}
    for name, m in overall.items():
        d = m.details.get("diagnostics") or {}
        if d.get("seeds"):
            seeds[name] = d["seeds"]
    return {
        "software": f"dadkhah {getattr(dadkhah, '__version__', 'unknown')}",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "table_sha256": table_sha256(tables),
        "seed": options.seed,
        "chain_seeds": seeds,
    }


def _estimate_strata(
    tables: StratifiedTables,
    methods: Sequence[str],
    options: EstimateOptions,
    on_progress: Callable[[str], None] | None,
) -> tuple[list[StratumEstimate], list[EstimateWarning]]:
    """Estimate every stratum; a stratum (or a method in it) that cannot be fitted is named and the others go
    on. Strata under ``options.min_stratum`` documented victims are pooled into one."""
    warnings: list[EstimateWarning] = []
    items = list(tables.tables.items())
    small = [(k, t) for k, t in items if t.documented < options.min_stratum]
    big = [(k, t) for k, t in items if t.documented >= options.min_stratum]
    units: list[tuple[tuple[str, ...], dict[str, str], CaptureTable, list[str]]] = [
        (k, tables.label(k), t, []) for k, t in big
    ]
    if small:
        names = [", ".join(f"{f}={v}" for f, v in tables.label(k).items()) for k, _ in small]
        pooled = small[0][1]
        for _, t in small[1:]:
            pooled = pooled + t
        label = {f: "small strata" for f in tables.fields}
        units.append((tuple("small strata" for _ in tables.fields), label, pooled, names))
        warnings.append(
            EstimateWarning(
                "small_strata_pooled",
                f"{len(small)} stratum/strata have fewer than {options.min_stratum} documented victims "
                f"({'; '.join(names)}); they are estimated together as 'small strata'.",
                params={"count": len(small), "min": options.min_stratum, "strata": "; ".join(names)},
            )
        )
    strata = []
    for s_i, (key, label, table, pooled_names) in enumerate(units):
        name = ", ".join(f"{k}={v}" for k, v in label.items())
        s_warn = [w.in_stratum(name) for w in check_table(table)]
        ests: dict[str, MethodEstimate] = {}
        failed: dict[str, str] = {}
        for m_i, method in enumerate(methods):
            if on_progress:
                on_progress(f"{method} [{name}]")
            try:
                est = estimate_table(table, method, options, _derived_seed(options.seed, s_i, m_i))
            except (EstimateError, TableError, ValueError, np.linalg.LinAlgError) as exc:
                failed[method] = str(exc) or type(exc).__name__
                s_warn.append(EstimateWarning("stratum_unfitted", f"{method} could not be fitted: {failed[method]}",
                                              name, params={"method": method}))
                continue
            est.warnings = [w.in_stratum(name) for w in est.warnings]
            ests[method] = est
        strata.append(StratumEstimate(key, label, table, ests, s_warn, failed, pooled_names))
    return strata, warnings


# --- the case path --------------------------------------------------------------------------


def load_case_tables(
    case: Any,
    strata: Sequence[str] = (),
    threshold: float | None = None,
    *,
    principal: Principal,
    assignment: dict[int, str] | None = None,
) -> tuple[StratifiedTables, list[ListAccess], list[EstimateWarning]]:
    """Capture histories of the case's linked lists as ``principal`` may count them (see ``estimate.access``)."""
    principal = require_principal(principal)
    try:
        records, lists, missing = capture_history_for(case, principal, strata, threshold, assignment=assignment)
    except (KeyError, ValueError) as exc:
        raise EstimateError(f"could not build capture histories from the case: {exc}") from None
    if not lists:
        raise EstimateError("no list of this case may be counted for this reader")
    if records.empty:
        raise EstimateError("the lists this reader may count hold no linked records")
    warnings = [
        EstimateWarning("unknown_stratum", m, params={"field": name, "count": count})
        for m, (name, count) in zip(unknown_messages(missing), missing.items(), strict=True)
    ]
    try:
        tables = table_from_records(
            records, lists=[vl.name for vl in lists], strata=strata, source="the case's linked lists"
        )
    except TableError as exc:
        raise EstimateError(str(exc)) from None
    return tables, lists, warnings


def access_doc(principal: Principal, lists: Sequence[ListAccess]) -> dict:
    return {
        "for": principal.name,
        "role": str(principal.role),
        "ceiling": principal.ceiling.value,
        "lists": [vl.to_dict() for vl in lists],
        "rule": "counts only lists and records this reader may see, and lists whose holders allow aggregate "
        "publication",
    }


def compare_thresholds(
    loader: Callable[[float | None], StratifiedTables],
    options: EstimateOptions,
    thresholds: Sequence[float],
    on_progress: Callable[[str], None] | None = None,
) -> list[dict]:
    """Re-run the estimate at several linkage thresholds (on the whole table: strata are not re-estimated);
    one row per threshold and method."""
    rows = []
    quiet = replace(options, sensitivity=False)
    for th in thresholds:
        tables = loader(th)
        whole = StratifiedTables(tables.lists, (), {(): tables.total})
        run = estimate(whole, quiet, source=f"linkage threshold {th}", on_progress=on_progress)
        for m in run.overall.values():
            rows.append({"threshold": th, **m.headline()})
    return rows


def estimate_case(
    case: Any,
    options: EstimateOptions,
    *,
    principal: Principal,
    strata: Sequence[str] = (),
    thresholds: Sequence[float] = (),
    linkage_draws: int = 0,
    heterogeneity: Sequence[str] = (),
    on_progress: Callable[[str], None] | None = None,
) -> EstimateRun:
    """Estimate from the case's linked lists, counting only what ``principal`` may count.

    There is no default reader: ``principal`` is required (``dadkhah.access.operator()`` for the case
    owner). ``thresholds`` re-estimates at other linkage thresholds; ``linkage_draws`` > 0 propagates the
    linkage uncertainty (``estimate.linkage_uncertainty``).
    """
    principal = require_principal(principal)
    tables, lists, warnings = load_case_tables(case, strata, principal=principal)
    run = estimate(tables, options, source="case linked lists", on_progress=on_progress)
    run.warnings[:0] = warnings
    run.access = access_doc(principal, lists)
    if thresholds:
        run.linkage = compare_thresholds(
            lambda th: load_case_tables(case, strata, th, principal=principal)[0], options, thresholds, on_progress
        )
    if heterogeneity:
        from dadkhah.estimate.access import build_history, check_strata, read_inputs
        from dadkhah.estimate.heterogeneity import capture_heterogeneity

        if on_progress:
            on_progress("capture heterogeneity by recorded field")
        fields = check_strata(heterogeneity)
        inputs = read_inputs(case, principal)
        df, _ = build_history(inputs, fields)
        run.extra["heterogeneity"] = capture_heterogeneity(df, [vl.name for vl in inputs.lists], fields,
                                                           options.min_stratum)
    if linkage_draws:
        from dadkhah.estimate.linkage_uncertainty import propagate_case

        run.extra["linkage_uncertainty"] = propagate_case(
            case, run, options, principal=principal, strata=strata, draws=linkage_draws, on_progress=on_progress
        )
    return run
