"""Bayesian model averaging over decomposable graphical models (Madigan & York 1997).

Each decomposable (chordal) graph on the t lists is a log-linear model whose maximal terms are
the graph's cliques. With a hyper-Dirichlet prior, the marginal likelihood of the complete
2^t table (unobserved cell included) has a closed form: the product of Dirichlet-multinomial
marginal likelihoods of the clique margins divided by those of the separator margins (Dawid &
Lauritzen 1993). For every graph and every candidate number of unobserved victims n0,

    p(G, n0 | data) ∝ p(G) p(N) N!/n0! * prod_C D(y_C) / prod_S D(y_S),   N = n + n0,

where D(y_C) = Gamma(A)/Gamma(A + N) * prod_cells Gamma(a_c + y_c)/Gamma(a_c) is the
Dirichlet-multinomial marginal likelihood of the clique margin. The prior is the consistent
hyper-Dirichlet derived from Dirichlet(delta, ..., delta) on the 2^t cells: a margin over c lists
has delta * 2^(t - c) prior counts per cell. Summing over graphs gives the model-averaged
posterior of N, which is reported exactly (no sampling) on the grid of n0 values.

The default prior on N is p(N) ∝ 1/N; graphs are equally likely a priori; delta defaults to
2^-t. Supported for 3 to 5 lists (8, 61 and 822 decomposable graphs).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations

import numpy as np
from scipy.special import gammaln, logsumexp

from dadkhah.estimate.checks import Note
from dadkhah.estimate.table import CaptureTable

__all__ = [
    "DecomposableGraph",
    "decomposable_graphs",
    "BmaResult",
    "fit_bma",
    "negative_binomial_log_prior",
    "MIN_LISTS",
    "MAX_LISTS",
]

MIN_LISTS, MAX_LISTS = 3, 5


@dataclass(frozen=True)
class DecomposableGraph:
    """A decomposable graph given by its cliques and the separators of a junction tree."""

    t: int
    cliques: tuple[tuple[int, ...], ...]
    separators: tuple[tuple[int, ...], ...]

    @property
    def name(self) -> str:
        """Rcapture-style name of the equivalent hierarchical log-linear model, e.g. ``[12,134]``."""
        return "[" + ",".join("".join(str(j + 1) for j in c) for c in self.cliques) + "]"


@lru_cache(maxsize=8)
def decomposable_graphs(t: int) -> tuple[DecomposableGraph, ...]:
    """Every decomposable graph on ``t`` labelled vertices (t = 3, 4, 5: 8, 61, 822 graphs)."""
    import networkx as nx

    if not MIN_LISTS <= t <= MAX_LISTS:
        raise ValueError(f"BMA over decomposable graphs supports {MIN_LISTS} to {MAX_LISTS} lists, not {t}")
    edges = list(combinations(range(t), 2))
    graphs = []
    for mask in range(2 ** len(edges)):
        g = nx.Graph()
        g.add_nodes_from(range(t))
        g.add_edges_from(e for i, e in enumerate(edges) if mask >> i & 1)
        if not nx.is_chordal(g):
            continue
        cliques = sorted(tuple(sorted(c)) for c in nx.find_cliques(g))
        # For a chordal graph any maximum-weight spanning tree of the clique-intersection
        # graph is a junction tree; its edges carry the separators.
        ig = nx.Graph()
        ig.add_nodes_from(range(len(cliques)))
        for i, j in combinations(range(len(cliques)), 2):
            ig.add_edge(i, j, weight=len(set(cliques[i]) & set(cliques[j])))
        tree = nx.maximum_spanning_tree(ig)
        seps = sorted(
            tuple(sorted(set(cliques[i]) & set(cliques[j])))
            for i, j in tree.edges()
            if set(cliques[i]) & set(cliques[j])
        )
        graphs.append(DecomposableGraph(t, tuple(cliques), tuple(seps)))
    return tuple(graphs)


def negative_binomial_log_prior(a: float, b: float) -> Callable[[np.ndarray], np.ndarray]:
    """Log prior N ~ Poisson(lambda), lambda ~ Gamma(shape a, scale b): negative binomial.

    Madigan & York (1997) use a = 13.14, b = 55.17 for their three-list example.
    """

    def log_prior(N: np.ndarray) -> np.ndarray:
        return N * math.log(b) - (N + a) * math.log1p(b) + gammaln(N + a) - gammaln(N + 1) - gammaln(a)

    return log_prior


def _margin(table: CaptureTable, subset: tuple[int, ...]) -> np.ndarray:
    bits = table.bits[:, list(subset)]
    key = bits @ (1 << np.arange(len(subset) - 1, -1, -1))
    return np.bincount(key, weights=table.counts, minlength=2 ** len(subset))


def _log_dirichlet_ml(margin: np.ndarray, n0: np.ndarray, cell_prior: float, total_prior: float) -> np.ndarray:
    """log D(margin with n0 added to its zero cell), vectorised over ``n0``."""
    N = margin.sum() + n0
    fixed = float(np.sum(gammaln(cell_prior + margin[1:]) - gammaln(cell_prior)))
    return (
        gammaln(total_prior)
        - gammaln(total_prior + N)
        + gammaln(cell_prior + margin[0] + n0)
        - gammaln(cell_prior)
        + fixed
    )


@dataclass
class BmaResult:
    table: CaptureTable
    delta: float
    n_missing: np.ndarray
    posterior: np.ndarray  # p(N = n + n_missing[i] | data)
    graph_names: list[str]
    graph_probs: np.ndarray
    graph_estimates: np.ndarray  # posterior median of N under each graph
    prior_name: str
    seconds: float
    draws: np.ndarray = field(default_factory=lambda: np.empty(0))
    warnings: list[str] = field(default_factory=list)

    @property
    def N(self) -> np.ndarray:
        return self.table.documented + self.n_missing

    def quantile(self, q: float) -> float:
        """Smallest N whose posterior cumulative probability reaches ``q``."""
        cdf = np.cumsum(self.posterior)
        return float(self.N[min(np.searchsorted(cdf, q), len(cdf) - 1)])

    @property
    def estimate(self) -> float:
        return self.quantile(0.5)

    @property
    def lower(self) -> float:
        return self.quantile(0.025)

    @property
    def upper(self) -> float:
        return self.quantile(0.975)

    @property
    def mean(self) -> float:
        return float(np.sum(self.N * self.posterior))

    @property
    def mode(self) -> float:
        return float(self.N[int(np.argmax(self.posterior))])

    @property
    def relative_loss_estimate(self) -> float:
        """Bayes estimate under squared relative error loss, E[1/N] / E[1/N^2] (Madigan & York)."""
        return float(np.sum(self.posterior / self.N) / np.sum(self.posterior / self.N**2))

    def to_dict(self, top: int = 10) -> dict:
        order = np.argsort(-self.graph_probs)[:top]
        return {
            "method": "bma",
            "estimate": self.estimate,
            "lower": self.lower,
            "upper": self.upper,
            "mean": round(self.mean, 2),
            "mode": self.mode,
            "documented": self.table.documented,
            "summary": "posterior median; interval is the posterior 2.5% and 97.5% quantiles (exact, on the grid)",
            "models": [
                {
                    "name": self.graph_names[i],
                    "posterior_probability": round(float(self.graph_probs[i]), 6),
                    "median": float(self.graph_estimates[i]),
                }
                for i in order
            ],
            "diagnostics": {
                "graphs": len(self.graph_names),
                "delta": self.delta,
                "prior_N": self.prior_name,
                "n_missing_range": [int(self.n_missing[0]), int(self.n_missing[-1])],
                "mass_in_top_5pct_of_range": round(float(self._top_mass()), 6),
                "seconds": round(self.seconds, 3),
                "chains": 0,
                "note": "exact posterior on a grid; no Markov chain, so no R-hat or ESS",
            },
        }

    def _top_mass(self) -> float:
        k = max(1, int(len(self.posterior) * 0.05))
        return float(self.posterior[-k:].sum())


def fit_bma(
    table: CaptureTable,
    *,
    delta: float | None = None,
    n_missing: np.ndarray | None = None,
    n_max: int | None = None,
    log_prior: Callable[[np.ndarray], np.ndarray] | None = None,
    prior_name: str | None = None,
    log_graph_prior: np.ndarray | None = None,
    draws: int = 4000,
    seed: int | None = None,
) -> BmaResult:
    """Model-averaged posterior of N over all decomposable graphs.

    ``n_missing``: grid of candidate unobserved counts (default 0..``n_max``, with ``n_max``
    defaulting to 20 times the documented count). ``log_prior`` maps N to the log prior
    (default -log N). ``draws`` posterior draws of N are kept (seeded by ``seed``) so that strata
    can be summed.
    """
    t = table.t
    if not MIN_LISTS <= t <= MAX_LISTS:
        raise ValueError(f"BMA over decomposable graphs supports {MIN_LISTS} to {MAX_LISTS} lists; this table has {t}")
    n = table.documented
    if n == 0:
        raise ValueError("the table has no documented victims")
    delta = 2.0**-t if delta is None else float(delta)
    if delta <= 0:
        raise ValueError("delta must be positive")
    if n_missing is None:
        n_max = max(20 * n, 1000) if n_max is None else int(n_max)
        n_missing = np.arange(0, n_max + 1)
    n0 = np.asarray(n_missing, dtype=float)
    if n0.ndim != 1 or n0.size == 0 or (n0 < 0).any() or (np.diff(n0) <= 0).any():
        raise ValueError("n_missing must be an increasing grid of non-negative counts")
    N = n + n0
    start = time.perf_counter()
    if log_prior is None:
        lp_N = -np.log(N)
        prior_name = prior_name or "1/N"
    else:
        lp_N = np.asarray(log_prior(N), dtype=float)
        prior_name = prior_name or "custom"
    common = lp_N + gammaln(N + 1) - gammaln(n0 + 1)

    graphs = decomposable_graphs(t)
    total_prior = delta * 2**t
    cache: dict[tuple[int, ...], np.ndarray] = {}

    def term(subset: tuple[int, ...]) -> np.ndarray:
        if subset not in cache:
            cache[subset] = _log_dirichlet_ml(_margin(table, subset), n0, delta * 2 ** (t - len(subset)), total_prior)
        return cache[subset]

    if log_graph_prior is None:
        log_graph_prior = np.zeros(len(graphs))
    acc = np.full(n0.shape, -np.inf)
    log_graph = np.empty(len(graphs))
    graph_medians = np.empty(len(graphs))
    for g_i, g in enumerate(graphs):
        lp = common + log_graph_prior[g_i]
        for c in g.cliques:
            lp = lp + term(c)
        for s in g.separators:
            lp = lp - term(s)
        acc = np.logaddexp(acc, lp)
        log_graph[g_i] = logsumexp(lp)
        pg = np.exp(lp - lp.max())
        cdf = np.cumsum(pg) / pg.sum()
        graph_medians[g_i] = N[min(np.searchsorted(cdf, 0.5), len(N) - 1)]
    log_z = logsumexp(acc)
    posterior = np.exp(acc - log_z)
    graph_probs = np.exp(log_graph - logsumexp(log_graph))
    seconds = time.perf_counter() - start
    rng = np.random.default_rng(seed)
    sampled = rng.choice(N, size=draws, p=posterior) if draws > 0 else np.empty(0)
    result = BmaResult(
        table=table,
        delta=delta,
        n_missing=n0.astype(np.int64),
        posterior=posterior,
        graph_names=[g.name for g in graphs],
        graph_probs=graph_probs,
        graph_estimates=graph_medians,
        prior_name=prior_name,
        seconds=seconds,
        draws=sampled,
    )
    top = result._top_mass()
    if top > 0.01:
        result.warnings.append(Note(
            f"{top:.1%} of the posterior lies in the top 5% of the range searched for unobserved victims "
            f"(up to {int(n0[-1]):,}): the posterior piles up at the truncation bound, so the data do not "
            "bound N from above; widen the range (--nmax) and treat the upper limit as unreliable",
            "truncation_bound", percent=round(100 * top, 1), nmax=int(n0[-1]),
        ))
    return result
