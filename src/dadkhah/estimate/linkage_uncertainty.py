"""Record-linkage uncertainty carried into the estimate.

A capture-history table exists only after record linkage has decided which records are the same
victim, and that decision is uncertain. Estimating on one linkage (the clusters at a fixed match
threshold) treats it as known; the interval then ignores the error of linkage itself. Following
Sadinle (2018), "Bayesian propagation of record linkage uncertainty into population size estimation
of human rights violations" (*Annals of Applied Statistics* 12(2): 1013-1038), the estimate is
computed on many plausible linkage configurations and the posterior draws of N are pooled: the
pooled posterior is the mixture, over linkage configurations, of the population-size posterior given
each one (his equation for p(N | data) integrating over the coreference partition).

Sadinle draws partitions from the posterior of a Bayesian linkage model. dadkhah's linkage is a
Fellegi-Sunter model (Splink) that gives each candidate pair a match probability, not a posterior
over partitions, so a configuration is drawn here as follows (the *pairwise* approximation):

1. every scored pair (i, j) is a link with its match probability p_ij, independently;
2. reviewers' decisions hold in every draw ("same" always linked, "different" never), as do the
   pairs the model found clearly different (vetoes);
3. the drawn links are clustered by the linkage's own clustering (transitive closure that refuses
   links joining records that must stay apart), strongest links first.

Independent pairwise draws ignore that links are not independent (transitivity): where a record has
several plausible partners the draws may chain them. The validation simulation
(``bench/estimate/linkage_simulation.py``) measures what this does to coverage.

Pooling: Bayesian methods (LCMCR, BMA) contribute the same number of posterior draws from each
configuration; the pooled interval is the 2.5% and 97.5% quantiles of the mixture. The log-linear
estimate is not Bayesian; each configuration contributes draws from the log-normal approximation of
its estimator (Chao's log transform of the unrecorded count, whose 95% range is the log-linear model's
log-transformed interval), which is Rubin's multiple-imputation idea on the log scale.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from dadkhah.estimate.checks import EstimateWarning

__all__ = ["LinkageGraph", "sample_assignments", "pool", "propagate_tables", "propagate_case"]


@dataclass
class LinkageGraph:
    """The scored candidate pairs of a linkage and the constraints every configuration keeps."""

    ids: list[int]
    edges: list[tuple[int, int, float]]  # (record, record, match probability)
    same: list[tuple[int, int]] = field(default_factory=list)
    different: list[tuple[int, int]] = field(default_factory=list)
    veto: list[tuple[int, int]] = field(default_factory=list)

    def restricted_to(self, ids: Sequence[int]) -> LinkageGraph:
        keep = set(int(i) for i in ids)

        def inside(pairs):
            return [p for p in pairs if p[0] in keep and p[1] in keep]

        return LinkageGraph(sorted(keep), inside(self.edges), inside(self.same), inside(self.different),
                            inside(self.veto))


def sample_assignments(graph: LinkageGraph, draws: int, seed: int | None) -> list[dict[int, str]]:
    """``draws`` linkage configurations (record id → cluster key), drawn pair by pair (see module doc)."""
    from dadkhah.linkage.cluster import cluster

    rng = np.random.default_rng(seed)
    probs = np.array([p for _, _, p in graph.edges], dtype=float)
    out = []
    for _ in range(draws):
        keep = rng.random(len(probs)) < probs
        edges = [e for e, k in zip(graph.edges, keep, strict=True) if k]
        res = cluster(graph.ids, edges, 0.0, same=graph.same, different=graph.different, veto=graph.veto)
        out.append({rid: f"c{c}" for rid, c in res.clusters.items()})
    return out


def _lognormal_draws(documented: int, estimate: float, se: float | None, k: int, rng) -> np.ndarray:
    """Draws matching the log-linear estimator's log-transformed (Chao 1987) sampling distribution."""
    n0 = max(estimate - documented, 1e-9)
    if se is None or not math.isfinite(se) or se <= 0:
        return np.full(k, float(estimate))
    sigma = math.sqrt(math.log(1.0 + (se / n0) ** 2))
    return documented + n0 * np.exp(sigma * rng.standard_normal(k))


def pool(per_config: list, method: str, seed: int | None, k: int = 1000) -> tuple[np.ndarray, dict]:
    """Pool the MethodEstimates of one method over linkage configurations: (pooled draws, summary)."""
    rng = np.random.default_rng(seed)
    parts = []
    if method in ("lcmcr", "bma"):
        flat = [np.asarray(m.draws, dtype=float).ravel() for m in per_config]
        k = min(f.size for f in flat)
        parts = [f[np.linspace(0, f.size - 1, k).round().astype(int)] for f in flat]
    else:
        parts = [_lognormal_draws(m.documented, m.estimate, m.se, k, rng) for m in per_config]
    draws = np.concatenate(parts)
    medians = np.array([np.median(p) for p in parts])
    within = float(np.mean([np.var(p, ddof=1) for p in parts])) if k > 1 else 0.0
    between = float(np.var(medians, ddof=1)) if len(parts) > 1 else 0.0
    lo, med, hi = np.quantile(draws, [0.025, 0.5, 0.975])
    return draws, {
        "estimate": round(float(med), 1),
        "lower": round(float(lo), 1),
        "upper": round(float(hi), 1),
        "mean": round(float(draws.mean()), 1),
        "configuration_medians": {"min": float(medians.min()), "median": float(np.median(medians)),
                                  "max": float(medians.max())},
        "share_of_variance_from_linkage": round(between / (between + within), 3) if between + within > 0 else 0.0,
    }


def propagate_tables(
    tables_per_config: list, options, methods: Sequence[str], seed: int | None,
    on_progress: Callable[[str], None] | None = None,
) -> dict:
    """Estimate every configuration's table with each method and pool; one entry per method."""
    from dadkhah.estimate.service import EstimateError, _derived_seed, estimate_table

    D = len(tables_per_config)
    lc = options.lcmcr
    # Each configuration gets the full burn-in and a 1/D share of the draws (at least 100), so the pooled
    # posterior has about as many draws as one run; convergence targets apply to the run, not each share.
    per = replace(lc, samples=max(100, math.ceil(lc.samples / D)), target_rhat=None, target_ess=None,
                  chains=min(lc.chains, 2))
    opts = replace(options, lcmcr=per)
    out: dict[str, dict] = {}
    for m_i, method in enumerate(methods):
        ests, failed = [], 0
        documented = []
        for d, table in enumerate(tables_per_config):
            if on_progress:
                on_progress(f"linkage draw {d + 1}/{D} [{method}]")
            try:
                ests.append(estimate_table(table, method, opts, _derived_seed(seed, 9000 + d, m_i)))
                documented.append(table.documented)
            except (EstimateError, ValueError):
                failed += 1
        if not ests:
            out[method] = {"error": "no linkage configuration could be estimated"}
            continue
        _, summary = pool(ests, method, _derived_seed(seed, 9999, m_i))
        summary["configurations"] = len(ests)
        summary["configurations_failed"] = failed
        summary["documented"] = {"min": int(min(documented)), "median": float(np.median(documented)),
                                 "max": int(max(documented))}
        out[method] = summary
    return out


def case_graph(case, record_ids: Sequence[int]) -> LinkageGraph:
    """The latest linkage run's scored pairs and the current constraints, among ``record_ids``."""
    from sqlalchemy import select

    from dadkhah.access import SYSTEM
    from dadkhah.linkage.service import constraints, require_run, stored_vetoes
    from dadkhah.linkage.tables import LinkPair

    with case.reader(SYSTEM) as s:
        run = require_run(s)
        floor = float(run.summary.get("floor", 0.0) or 0.0)
        t = LinkPair.__table__
        edges = [(int(a), int(b), float(p)) for a, b, p in s.execute(
            select(t.c.record_l, t.c.record_r, t.c.match_probability).where(
                t.c.run_id == run.id, t.c.match_probability >= floor))]
        same, different = constraints(s)
        veto = stored_vetoes(s, run)
    return LinkageGraph(list(record_ids), edges, same, different, veto).restricted_to(record_ids)


def propagate_case(case, run, options, *, principal, strata: Sequence[str] = (), draws: int = 20,
                   on_progress: Callable[[str], None] | None = None) -> dict:
    """Linkage uncertainty for an estimate of the case (``run``): fixed-threshold and pooled side by side.

    The pooled figures are for the whole table (strata are not re-estimated per configuration).
    """
    from dadkhah.estimate.access import build_history, read_inputs
    from dadkhah.estimate.service import _derived_seed
    from dadkhah.estimate.table import table_from_records

    if draws < 2:
        raise ValueError("linkage uncertainty needs at least 2 drawn configurations")
    inputs = read_inputs(case, principal)
    graph = case_graph(case, [rid for rid, _, _ in inputs.records])
    assignments = sample_assignments(graph, draws, _derived_seed(options.seed, 7001))
    names = [vl.name for vl in inputs.lists]
    tables = []
    for a in assignments:
        df, _ = build_history(inputs, (), a)
        tables.append(table_from_records(df, lists=names).total)
    methods = [m for m in run.overall if m in ("lcmcr", "bma", "loglinear")]
    pooled = propagate_tables(tables, options, methods, options.seed, on_progress)
    rows = []
    for m in methods:
        fixed = run.overall[m]
        rows.append({
            "method": m,
            "fixed": {"estimate": _r(fixed.estimate), "lower": _r(fixed.lower), "upper": _r(fixed.upper),
                      "documented": fixed.documented},
            "pooled": pooled.get(m),
        })
    warnings = []
    if graph.edges and all(p >= 0.999 or p <= 0.001 for _, _, p in graph.edges):
        warnings.append(EstimateWarning("linkage_certain", "every scored pair is almost certainly a match or "
                                        "almost certainly not: linkage adds little uncertainty here").to_dict())
    return {
        "draws": draws,
        "pairs": len(graph.edges),
        "model": "pairwise: each scored pair linked with its match probability, reviewers' decisions and "
                 "vetoes kept, clustered by the linkage's own rules (after Sadinle 2018)",
        "scope": "whole table (no strata)",
        "methods": rows,
        "warnings": warnings,
    }


def _r(x):
    return None if x is None or not math.isfinite(x) else round(float(x), 1)
