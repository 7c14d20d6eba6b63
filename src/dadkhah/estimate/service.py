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

from dadkhah.errors import DadkhahError
from dadkhah.estimate.bma import MAX_LISTS as BMA_MAX_LISTS
from dadkhah.estimate.bma import MIN_LISTS as BMA_MIN_LISTS
from dadkhah.estimate.bma import fit_bma
from dadkhah.estimate.checks import EstimateWarning, check_table
from dadkhah.estimate.closed import fit_closed_models
from dadkhah.estimate.lcmcr import LcmcrSettings, fit_lcmcr
from dadkhah.estimate.loglinear import enumerate_models, fit_loglinear
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

    @property
    def methods(self) -> tuple[str, ...]:
        return tuple(self.overall)

    @property
    def primary(self) -> MethodEstimate:
        return self.overall.get(PRIMARY) or next(iter(self.overall.values()))

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
                        if len(s.methods) == 1
                        else {"methods": {name: _stratum_method_doc(m) for name, m in s.methods.items()}}
                    ),
                    "warnings": [w.to_dict() for w in s.warnings]
                    + [w.to_dict() for m in s.methods.values() for w in m.warnings],
                }
                for s in self.strata
            ]
        if self.linkage is not None:
            doc["linkage"] = self.linkage
        return doc


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
            ),
        )
        return est
    n = table.documented
    if method == "loglinear":
        if table.t < 2:
            raise EstimateError("log-linear models need at least 2 lists")
        max_order = options.max_order or _default_max_order(table.t)
        try:
            models = enumerate_models(table.t, max_order)
            res = fit_loglinear(table, models=models, intervals="all" if len(models) <= 250 else "best")
        except ValueError as exc:
            raise EstimateError(str(exc)) from None
        details = res.to_dict()
        warnings = [EstimateWarning("loglinear_models", w) for w in res.warnings]
        bad = [m.name for m in res.models if not m.identifiable]
        if bad:
            warnings.append(
                EstimateWarning(
                    "non_identifiable",
                    f"{len(bad)} log-linear model(s) are not identifiable on this table (e.g. {', '.join(bad[:3])}): "
                    "a zero cell or margin leaves a parameter unestimable. They are listed but not used.",
                )
            )
        if res.best.upper is not None and not math.isfinite(res.best.upper):
            warnings.append(
                EstimateWarning(
                    "open_interval",
                    f"The selected model {res.best.name} has no finite upper limit: the data are consistent with "
                    "an arbitrarily large number of unrecorded victims under that model.",
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
        warnings = [EstimateWarning("lcmcr", w) for w in res.warnings]
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
        warnings = [EstimateWarning("truncation_bound", w) for w in res.warnings]
        return MethodEstimate(method, n, res.estimate, res.lower, res.upper, details, res.draws, warnings, res)
    raise EstimateError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")


def _combine(method: str, parts: list[MethodEstimate], documented: int) -> MethodEstimate:
    """Total over strata."""
    if method in ("lcmcr", "bma"):
        draws, summary = sum_draws([p.draws for p in parts])
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
        return MethodEstimate(method, documented, summary["median"], summary["lower"], summary["upper"], details, draws)
    total, se, (lo, hi) = sum_normal(documented, [p.estimate for p in parts], [p.se or 0.0 for p in parts])
    avg = [p.details["model_average"] for p in parts]
    avg_total, avg_se, avg_int = sum_normal(
        documented, [a["estimate"] or 0.0 for a in avg], [a["se"] or 0.0 for a in avg]
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
        for s_i, (key, table) in enumerate(tables.tables.items()):
            label = tables.label(key)
            name = ", ".join(f"{k}={v}" for k, v in label.items())
            s_warn = [w.in_stratum(name) for w in check_table(table)]
            ests = {}
            for m_i, method in enumerate(methods):
                if on_progress:
                    on_progress(f"{method} [{name}]")
                est = estimate_table(table, method, options, _derived_seed(options.seed, s_i, m_i))
                est.warnings = [w.in_stratum(name) for w in est.warnings]
                ests[method] = est
            strata.append(StratumEstimate(key, label, table, ests, s_warn))
        for method in methods:
            overall[method] = _combine(method, [s.methods[method] for s in strata], total.documented)
    return EstimateRun(tables, replace(options), overall, strata, warnings, source)


# --- the case path --------------------------------------------------------------------------


def load_case_tables(case: Any, strata: Sequence[str] = (), threshold: float | None = None) -> StratifiedTables:
    """Capture histories of the case's linked lists, via record linkage."""
    try:
        from dadkhah.linkage.capture import capture_history
    except ImportError:
        raise EstimateError(
            "this case's linked lists are not available: record linkage (dadkhah.linkage.capture) is not "
            "installed in this version. Pass a table instead: --table FILE.csv"
        ) from None
    try:
        records = capture_history(case, strata=tuple(strata), threshold=threshold)
    except (KeyError, ValueError) as exc:
        raise EstimateError(f"could not build capture histories from the case: {exc}") from None
    try:
        return table_from_records(records, strata=strata, source="the case's linked lists")
    except TableError as exc:
        raise EstimateError(str(exc)) from None


def compare_thresholds(
    loader: Callable[[float | None], StratifiedTables],
    options: EstimateOptions,
    thresholds: Sequence[float],
    on_progress: Callable[[str], None] | None = None,
) -> list[dict]:
    """Re-run the estimate at several linkage thresholds; one row per threshold and method."""
    rows = []
    for th in thresholds:
        tables = loader(th)
        run = estimate(tables, options, source=f"linkage threshold {th}", on_progress=on_progress)
        for m in run.overall.values():
            rows.append({"threshold": th, **m.headline()})
    return rows


def estimate_case(
    case: Any,
    options: EstimateOptions,
    *,
    strata: Sequence[str] = (),
    thresholds: Sequence[float] = (),
    on_progress: Callable[[str], None] | None = None,
) -> EstimateRun:
    """Estimate from the case's linked lists, optionally at several linkage thresholds."""
    tables = load_case_tables(case, strata)
    run = estimate(tables, options, source="case linked lists", on_progress=on_progress)
    if thresholds:
        run.linkage = compare_thresholds(
            lambda th: load_case_tables(case, strata, th), options, thresholds, on_progress
        )
    return run
