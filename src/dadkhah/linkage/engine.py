"""Run the Splink model over a feature frame, on DuckDB (embedded) or Spark (beyond one machine).

:func:`predict` estimates the model and scores candidate pairs:

1. the prior (probability that two random records match) from strict deterministic rules;
2. u probabilities from random pairs;
3. m probabilities by expectation maximisation, blocked in turn on rules that leave each comparison
   free to be trained (:data:`dadkhah.linkage.model.TRAINING_RULES`);
4. when reviewers have said "same" about enough pairs, m probabilities from those labelled pairs too
   (Splink keeps the median of its estimates, so the labels pull the model without replacing it);
5. pairs from the chosen blocking rules are scored; those at or above ``floor`` are returned with their
   comparison levels, so every link can be explained.

The same settings run on both backends: everything backend-specific is the ``DatabaseAPI``
(``DuckDBAPI`` or ``SparkAPI``), in keeping with Splink's design.
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import pandas as pd

from dadkhah.linkage import model as M

Step = Callable[[str], None]
BACKENDS = ("duckdb", "spark")


@dataclass
class EngineOptions:
    backend: str = "duckdb"
    floor: float = 0.01  # pairs below this probability are not kept
    budget: int | None = None  # most blocked pairs from broad rules (default 20 per record, at least 2M)
    u_max_pairs: float = 5e6
    em_max_pairs: float = 2e6  # EM pairs are sampled down to about this many on large data sets
    seed: int = 42
    min_labels: int = 10  # "same" decisions needed before they re-estimate m
    train_records: int = 40_000  # beyond this, m is learnt on a few provinces' records (training_region)
    min_m: float = 0.001  # no level is assumed impossible for true matches (see bounded_model)
    refine_prior: bool = True
    refine_m: bool = True  # EM steps for the m of names, dates, places and lists on every scored pair (refine_m)
    refine_steps: int = 2  # EM steps refine_m takes (the prior held between them; a third gained nothing)
    veto: float = 0.01  # a pair inside a cluster scored below this keeps its records apart (see link)
    check_rounds: int = 3
    strong: float = 0.9  # a pair with a hard conflict (different fathers, dates) stays together only this sure
    model: dict | None = None  # a trained model (LinkRun.model) to score with, instead of training anew
    memory_limit: str | None = None  # DuckDB's memory_limit, e.g. "4GB" (it spills to temp_directory)
    temp_directory: str | None = None
    spark_lineage: str = "persist"  # Splink's break_lineage_method on Spark: persist, parquet, checkpoint…
    deterministic_recall: float = 0.6
    left_out_sample: int = 100_000  # pairs the blocking caps left out, sampled for the prior (refine_prior_value)
    threads: int | None = None
    spark_session: object | None = None


@dataclass
class LinkOutput:
    pairs: pd.DataFrame  # unique_id_l, unique_id_r, match_probability, match_weight, gamma_<comparison>…
    model: dict  # the trained Splink settings (JSON-ready)
    blocking: list[M.BlockingChoice]
    comparisons: list[dict]  # per comparison: levels with label, m, u, match weight
    timings: dict[str, float] = field(default_factory=dict)
    labels_used: int = 0
    clustering: object | None = None  # a dadkhah.linkage.cluster.Clustering, from link()
    vetoes: int = 0
    incoherent: int = 0  # pairs kept apart for contradicting each other (see incoherent_pairs)
    em_sessions: list[dict] = field(default_factory=list)
    pairs_scored: int = 0
    expected_matches: float | None = None
    veto_pairs: set = field(default_factory=set)
    left_out_matches: float | None = None  # expected matches among the pairs the blocking caps left out

    def level_labels(self) -> dict[str, list[str]]:
        """comparison → labels of its levels, indexed by gamma value (−1 = null)."""
        out = {}
        for c in self.comparisons:
            out[c["name"]] = {lv["gamma"]: lv["label"] for lv in c["levels"]}
        return out


@contextmanager
def _quiet_splink():
    logger = logging.getLogger("splink")
    level = logger.level
    logger.setLevel(logging.ERROR)  # its warnings (levels not observed, sampling notes) are not for our users
    try:
        yield
    finally:
        logger.setLevel(level)


def duckdb_api(threads: int | None = None, memory_limit: str | None = None, temp_directory: str | None = None):
    import re
    import tempfile

    import duckdb
    from splink import DuckDBAPI

    con = duckdb.connect(":memory:")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    if memory_limit:
        if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", memory_limit.strip(), re.IGNORECASE):
            raise ValueError(f"a memory limit looks like 4GB or 500MB, not {memory_limit!r}")
        con.execute(f"SET memory_limit = '{memory_limit.strip()}'")
        con.execute(f"SET temp_directory = '{temp_directory or tempfile.gettempdir()}'")
    return DuckDBAPI(con)


def spark_session(cores: int = 2, app: str = "dadkhah-linkage"):
    """A local Spark session with Splink's similarity functions (for tests and single machines).

    On a cluster, build your own session (with ``splink.backends.spark.similarity_jar_location()``
    in ``spark.jars``) and pass it as ``EngineOptions.spark_session``.
    """
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    return (SparkSession.builder.master(f"local[{cores}]").appName(app)
            .config("spark.jars", similarity_jar_location())
            .config("spark.sql.shuffle.partitions", str(cores))
            .config("spark.default.parallelism", str(cores))
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.driver.memory", "2g")
            # sort-merge joins spill to disk; a broadcast hash table has to fit in execution memory,
            # and on a loaded two-core machine growing it failed ("Could not allocate memory to grow
            # BytesToBytesMap"). Splink's pair tables are not small-table joins anyway.
            .config("spark.sql.autoBroadcastJoinThreshold", "-1")
            .getOrCreate())


def database_api(options: EngineOptions):
    if options.backend == "duckdb":
        return duckdb_api(options.threads, options.memory_limit, options.temp_directory)
    if options.backend == "spark":
        from splink import SparkAPI

        session = options.spark_session or spark_session()
        session.sparkContext.setCheckpointDir("/tmp/dadkhah-spark-checkpoints")
        return SparkAPI(spark_session=session, break_lineage_method=options.spark_lineage)
    raise ValueError(f"unknown linkage backend {options.backend!r} (use {' or '.join(BACKENDS)})")


def _linker(db_api, df: pd.DataFrame, settings, register: bool = True):
    """A Splink linker on ``df``, with the whole-name frequency table (:func:`model.whole_name_lookup`)
    learnt from the first, whole, data set registered on this backend (a training subset or a cluster
    check reuses it)."""
    from splink import Linker

    if register or not hasattr(db_api, "_dadkhah_input"):
        db_api._dadkhah_input = db_api.register(df)
    if not hasattr(db_api, "_dadkhah_whole_name") and "whole_name" in df.columns:
        db_api._dadkhah_whole_name = db_api.register(M.whole_name_lookup(df))
    linker = Linker(db_api._dadkhah_input, settings, log_level=None)
    if getattr(db_api, "_dadkhah_whole_name", None) is not None and _has_whole_name(linker):
        linker.table_management.register_term_frequency_lookup(db_api._dadkhah_whole_name, "whole_name")
    return linker


def _has_whole_name(linker) -> bool:
    return any(c.output_column_name == "whole_name" for c in linker._settings_obj.comparisons)


def bounded_model(model: dict, min_m: float, min_u: float | None = None) -> dict:
    """The trained model with every level's m probability at least ``min_m`` (renormalised).

    With ``min_u``, a level that no random pair fell in (Splink leaves its u empty, and the level then
    weighs nothing, like a missing value) gets u = ``min_u``: half a pair of the random sample, fewer than
    one. Levels whose m is fixed by the model's definition (``fix_m_probability``) keep it; the others
    share what is left.

    EM happily concludes that true matches *never* disagree on, say, gender, and then one mistyped
    field outweighs everything else. Real lists contain such mistakes; bounding m keeps any one
    disagreement to a finite penalty (about log2(min_m / u) bits).

    A comparison EM could not train at all (no training pair had it: the region comparison when m is
    learnt on records that all give a place of origin) gets m = u at every level: it says nothing,
    rather than whatever Splink assumes for a missing m.
    """
    model = copy.deepcopy(model)
    for comp in model.get("comparisons", []):
        levels = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
        if min_u is not None and any(isinstance(lv.get("u_probability"), (int, float)) for lv in levels):
            for lv in levels:
                if not lv.get("u_probability"):
                    lv["u_probability"] = min_u
        kept = [lv for lv in levels if lv.get("fix_m_probability") and lv.get("m_probability") is not None]
        fixed = sum(lv["m_probability"] for lv in kept)
        levels = [lv for lv in levels if lv not in kept]
        ms = [lv.get("m_probability") for lv in levels]
        if all(m is None for m in ms):
            for lv in levels:
                if lv.get("u_probability") is not None:
                    lv["m_probability"] = lv["u_probability"]
            continue
        ms = [max(m if isinstance(m, (int, float)) else 0.0, min_m) for m in ms]  # unobserved: min_m
        total = sum(ms)
        for lv, m in zip(levels, ms, strict=True):
            lv["m_probability"] = m / total * (1.0 - fixed)
        _no_penalty_for_precision(levels)
    return model


#: Levels at which two records agree as far as the less precise of them goes (a year against a day inside
#: it, an age against a birth interval): agreement, however coarse, is no evidence against a match.
COARSE_AGREEMENT = ("intervals overlap", "no dates to compare; same age at death",
                    "same province (one names only the province)")


def _no_penalty_for_precision(levels: list[dict]) -> None:
    """Raise the m of a coarse-agreement level to its u (weight 0) when EM left it below, taking the
    difference from the other levels in proportion, so that a "1367" against an exact day in 1367 never
    counts against a match (issue #14: it scored -1.1 bits)."""
    for lv in levels:
        label = lv.get("label_for_charts") or ""
        m, u = lv.get("m_probability"), lv.get("u_probability")
        if label in COARSE_AGREEMENT and m is not None and u is not None and m < u < 1:
            others = [o for o in levels if o is not lv and o.get("m_probability")]
            rest = sum(o["m_probability"] for o in others)
            if rest <= (u - m):
                continue
            scale = (rest - (u - m)) / rest
            for o in others:
                o["m_probability"] *= scale
            lv["m_probability"] = u


def _logit2(p: float) -> float:
    import math

    return math.log2(p / (1 - p))


def refine_prior_value(weights, prior: float, records: int, *, rounds: int = 50, tolerance: float = 1e-4,
                       sample_weights=None, stands_for=None) -> float:
    """Re-estimate the prior as the expected number of matches among all pairs, at a fixed point.

    The deterministic-rule estimate of the prior needs the rules' recall, which is unknown when most
    fields are often missing. Given the trained m and u, the expected number of matches is the sum of
    the match probabilities of the blocked pairs; divided by the number of possible pairs it is a new
    prior, which moves every match weight by the same amount. ``weights`` are the pairs' match weights
    under ``prior``. Repeated to a fixed point.

    Pairs never blocked together count as non-matches, except those of ``sample_weights``: a sample of the
    pairs that capped blocking rules left out (:func:`dadkhah.linkage.model.left_out_sample`), each
    standing for ``stands_for`` of them. On a large data set the caps leave out the blocks of the commonest
    names, and with them a share of the true pairs that grows with the data (issue #14: 13 % of them at a
    million records); counting those pairs' probabilities keeps the estimate from falling with the size.
    """
    import numpy as np

    total = records * (records - 1) / 2
    base = np.asarray(weights, dtype="float64") - _logit2(prior)
    extra = np.asarray(sample_weights if sample_weights is not None else [], dtype="float64") - _logit2(prior)
    count = np.asarray(stands_for if stands_for is not None else [], dtype="float64")
    current = prior
    for _ in range(rounds):
        shift = _logit2(current)
        expected = np.sum(1.0 / (1.0 + np.exp2(-(base + shift)))) + np.sum(count / (1.0 + np.exp2(-(extra + shift))))
        new = float(min(max(expected / total, 1e-15), 0.5))
        done = abs(new - current) <= tolerance * current
        current = new
        if done:
            break
    return current


def _shift_prior(pairs: pd.DataFrame, old: float, new: float) -> pd.DataFrame:
    import numpy as np

    pairs = pairs.copy()
    pairs["match_weight"] = pairs["match_weight"].astype("float64") + _logit2(new) - _logit2(old)
    pairs["match_probability"] = 1.0 / (1.0 + np.exp2(-pairs["match_weight"].to_numpy()))
    return pairs


def refine_prior(pairs: pd.DataFrame, prior: float, records: int) -> tuple[float, pd.DataFrame]:
    """:func:`refine_prior_value` on a frame of scored pairs; returns the prior and the re-scored pairs."""
    new = refine_prior_value(pairs["match_weight"].to_numpy(dtype="float64"), prior, records)
    return new, _shift_prior(pairs, prior, new)


def _numbered_levels(comp: dict):
    """(gamma, level) for each level of a Splink comparison (as saved in a model): −1 for the null level,
    the others counted down from the first (Splink's numbering)."""
    gamma = sum(1 for lv in comp["comparison_levels"] if not lv.get("is_null_level")) - 1
    for lv in comp["comparison_levels"]:
        if lv.get("is_null_level"):
            yield -1, lv
        else:
            yield gamma, lv
            gamma -= 1


def _comparisons_summary(model: dict) -> list[dict]:
    import math

    out = []
    for comp in model.get("comparisons", []):
        levels = []
        for gamma, lv in _numbered_levels(comp):
            m, u = lv.get("m_probability"), lv.get("u_probability")
            weight = math.log2(m / u) if m and u else None
            levels.append({"gamma": gamma, "label": lv.get("label_for_charts") or lv.get("sql_condition"),
                           "m": m, "u": u, "weight": round(weight, 3) if weight is not None else None,
                           "tf": bool(lv.get("tf_adjustment_column")), "fixed": bool(lv.get("fix_m_probability"))})
        out.append({"name": comp["output_column_name"], "description": comp.get("comparison_description"),
                    "levels": levels})
    return out


@dataclass
class Trained:
    """A trained model and the backend it lives on (for scoring more pairs later in the same run)."""

    db_api: object
    df: pd.DataFrame
    model: dict
    blocking: list[M.BlockingChoice]
    labels_used: int
    timings: dict[str, float]
    em_sessions: list[dict] = field(default_factory=list)
    pairs_scored: int = 0  # every blocked pair scored (before the floor)
    expected_matches: float | None = None  # sum of the scored pairs' match probabilities (the prior's estimate)
    left_out_matches: float | None = None  # the same, estimated, over the pairs the blocking caps left out

    @property
    def comparisons(self) -> list[dict]:
        return _comparisons_summary(self.model)


def train(df: pd.DataFrame, *, options: EngineOptions | None = None, labels: Sequence[tuple[int, int]] = (),
          step: Step | None = None) -> Trained:
    """Estimate the model on ``df`` (a :func:`~dadkhah.linkage.features.feature_frame`); see the module docstring."""
    options = options or EngineOptions()
    step = step or (lambda _msg: None)
    timings: dict[str, float] = {}
    t = time.perf_counter()
    blocking = M.choose_blocking(df, options.budget)
    timings["blocking analysis"] = time.perf_counter() - t
    if options.model:
        return _pretrained(df, options, blocking, timings)
    with _quiet_splink():
        db_api = database_api(options)
        linker = _linker(db_api, df, M.settings(blocking, optional=M.present_comparisons(df)))
        t = time.perf_counter()
        step("estimating the prior")
        det = [M.block(r) for r in M.DETERMINISTIC_RULES if M.rule_pairs(df, r) > 0]
        if det:
            try:
                linker.training.estimate_probability_two_random_records_match(det,
                                                                               recall=options.deterministic_recall)
            except ValueError:  # the rules found more matches than the recall allows: keep the default
                pass
        step("estimating u from random pairs")
        linker.training.estimate_u_using_random_sampling(max_pairs=options.u_max_pairs, seed=options.seed)
        timings["prior and u"] = time.perf_counter() - t
        t = time.perf_counter()
        region = training_region(df, options.train_records, options.seed)
        if region is not None:
            # m from a few provinces only (see training_region); u stays the whole data set's.
            step(f"EM on the {len(region):,} records of {region['origin_province'].nunique()} province(s)")
            em_df = region.reset_index(drop=True)
            whole = db_api._dadkhah_input
            em_linker = _linker(db_api, em_df, linker.misc.save_model_to_json())
            db_api._dadkhah_input = whole  # scoring is on the whole data set
            labels = [p for p in labels if p[0] in set(em_df["unique_id"]) and p[1] in set(em_df["unique_id"])]
        else:
            em_df, em_linker = df, linker
        em_sessions = _em(em_linker, em_df, options, step)
        labels_used = 0
        if len(labels) >= options.min_labels:
            step(f"m from {len(labels)} reviewed pairs")
            lab = pd.DataFrame([(min(a, b), max(a, b)) for a, b in labels], columns=["unique_id_l", "unique_id_r"])
            em_linker.training.estimate_m_from_pairwise_labels(db_api.register(lab))
            labels_used = len(labels)
        timings["EM"] = time.perf_counter() - t
        sampled = min(options.u_max_pairs, len(df) * (len(df) - 1) / 2)
        model = bounded_model(em_linker.misc.save_model_to_json(), options.min_m, min_u=0.5 / max(sampled, 1.0))
    return Trained(db_api=db_api, df=df, model=model, blocking=blocking, labels_used=labels_used, timings=timings,
                   em_sessions=em_sessions)


def training_region(df: pd.DataFrame, most: int, seed: int) -> pd.DataFrame | None:
    """Records of a few provinces of origin (together at most ``most`` records), or None for a small data set.

    EM finds the match class among pairs that agree on some fields. In a large population most such pairs
    are namesakes — a million records hold thousands of "Mohammad Mohammadi, son of Ali" — and EM then
    learns the wrong class. How often a person's records agree on a field (m) does not depend on how many
    people there are, so m is learnt where namesakes are as rare as in a smaller population: among the
    records of a few provinces, drawn at random (whole provinces, so that a person's records stay
    together). Records without a place of origin take no part in it.
    """
    if len(df) <= most:
        return None
    import hashlib

    counts = df["origin_province"].value_counts()
    order = sorted(counts.index, key=lambda p: hashlib.sha256(f"{seed}:{p}".encode()).hexdigest())
    chosen, total = [], 0
    for province in order:
        if total + counts[province] <= most:
            chosen.append(province)
            total += counts[province]
    if total < most // 4:
        return None
    return df[df["origin_province"].isin(chosen)]


def _em(linker, df: pd.DataFrame, options: EngineOptions, step: Step) -> list[dict]:
    """EM sessions (see :func:`dadkhah.linkage.model.training_options`); a session that fails is retried
    on the entry's next alternative. Returns what was done: [{rule, pairs, status}]."""
    done = []
    for alternatives in M.training_options(df):
        for rule, n in alternatives:
            step(f"EM on {' & '.join(rule)}")
            saved = copy.deepcopy(linker._settings_obj.core_model_settings)
            try:
                linker.training.estimate_parameters_using_expectation_maximisation(
                    M.block(rule), max_pairs=options.em_max_pairs if n > 2 * options.em_max_pairs else None)
            except Exception as exc:  # noqa: BLE001 - e.g. a level never seen among the pairs (m = 0)
                # Splink may leave the model without the comparisons it set aside for this session.
                linker._settings_obj.core_model_settings = saved
                logging.getLogger(__name__).info("EM on %s failed (%s); trying the next rule", rule, exc)
                done.append({"rule": " & ".join(rule), "pairs": n, "status": f"failed: {str(exc)[:120]}"})
                continue
            done.append({"rule": " & ".join(rule), "pairs": n, "status": "trained"})
            break
    return done


def dialect_of(options: EngineOptions) -> str:
    return "duckdb" if options.backend == "duckdb" else "spark"


def transfer_model(model: dict, blocking: list[M.BlockingChoice], dialect: str,
                   present: set[str] | None = None) -> dict:
    """A trained model rewritten for another SQL dialect (and this data set's blocking rules).

    Splink saves comparisons as SQL in the dialect they were trained in; dadkhah's comparisons are built
    by code, so they are built again for ``dialect`` and the trained m and u probabilities and prior are
    copied level by level. A model trained on DuckDB (on a sample, on one machine) can so score on Spark.
    Of the optional comparisons (:data:`dadkhah.linkage.model.OPTIONAL_COMPARISONS`) those the model was
    trained with are kept, and of these only those in ``present`` (the ones this data set can weigh) when given.
    """
    by_name = {c["output_column_name"]: c for c in model.get("comparisons", [])}
    optional = {name for name in M.OPTIONAL_COMPARISONS if name in by_name and (present is None or name in present)}
    fresh = M.settings(blocking, optional=optional).create_settings_dict(dialect)
    for comp in fresh["comparisons"]:
        trained = by_name.get(comp["output_column_name"])
        if trained is None or len(trained["comparison_levels"]) != len(comp["comparison_levels"]):
            raise ValueError(f"the model was trained with another comparison {comp['output_column_name']!r}: "
                             "train anew")
        for level, old in zip(comp["comparison_levels"], trained["comparison_levels"], strict=True):
            for key in ("m_probability", "u_probability"):
                if old.get(key) is not None:
                    level[key] = old[key]
    fresh["probability_two_random_records_match"] = model["probability_two_random_records_match"]
    fresh["sql_dialect"] = dialect
    return fresh


def _pretrained(df: pd.DataFrame, options: EngineOptions, blocking: list[M.BlockingChoice],
                timings: dict[str, float]) -> Trained:
    """A model trained before (by an earlier run, or on another backend), with this data set's blocking."""
    model = transfer_model(options.model, blocking, dialect_of(options), M.present_comparisons(df))
    return Trained(db_api=database_api(options), df=df, model=model, blocking=blocking, labels_used=0,
                   timings=timings)


#: The comparisons whose m :func:`refine_m` re-estimates: the names, the list pair, dates and places (not
#: gender, nor the fields only some lists give: identity number, address, postcode, whose sessions are
#: their own; nor the whole-name and region comparisons, whose m are fixed).
REFINED_COMPARISONS = ("given", "family", "father", "list", "birth", "death", "origin", "prison")


def _telling_weights(comp: dict) -> dict[float, int]:
    """A comparison's levels (of :func:`_comparisons_summary`) by the weight log2(m/u) that tells each apart:
    the null level weighs 0; a level without m or u (Splink weighs it NULL) and weights two levels share are
    left out, since they cannot tell their levels apart."""
    import math

    known = [(0.0 if lv["gamma"] == -1 else math.log2(lv["m"] / lv["u"]), lv["gamma"]) for lv in comp["levels"]
             if lv["gamma"] == -1 or (lv["m"] and lv["u"])]
    return {w: g for w, g in known if sum(1 for w2, _ in known if abs(w2 - w) < _SAME_WEIGHT) == 1}


def _level_of_weight(comp: dict) -> dict[float, int]:
    """The levels :func:`refine_m` re-estimates, by their telling weight: not the null level, nor a level
    whose weight the null level shares, nor a level whose m the model fixes."""
    fixed = {lv["gamma"] for lv in comp["levels"] if lv.get("fixed")}
    return {w: g for w, g in _telling_weights(comp).items() if g >= 0 and g not in fixed}


def _shifted(column: str, shift: dict[str, list[tuple[float, float]]]) -> str:
    """SQL for ``column`` plus each comparison's shift: ``shift`` maps a comparison to (old weight of a
    level, bits to add to pairs at that level)."""
    terms = [column]
    for name, moves in shift.items():
        cases = " ".join(f"WHEN abs(mw_{name} - ({w!r})) < {_SAME_WEIGHT!r} THEN {d!r}" for w, d in moves if d)
        if cases:
            terms.append(f"(CASE {cases} ELSE 0.0 END)")
    return "(" + " + ".join(terms) + ")"


def refine_m(linker, table: str, trained: Trained, old_prior: float, prior: float, min_m: float,
             names: Sequence[str], steps: int = 1) -> dict[str, list[tuple[float, float]]]:
    """EM steps (``steps``; two by default, see ``EngineOptions.refine_steps``) for the m probabilities of
    :data:`REFINED_COMPARISONS` on every scored pair.

    The training sessions learn m on a few thousand pairs that share three fields; there, a level common
    among matches but rare in the session (a vowel variant of a given name) can be driven to the floor,
    siblings (same family name and father, another given name) make a wholly different given name look
    common among matches, and a list's own duplicates (copied rows, which agree on every field a session
    blocks on) made "same list" look three to four times as common among matches as it is (m 0.47–0.61
    for a true 0.15), which cost every link across lists a bit and more. Every blocked pair is a far larger
    sample of the matches (nearly all of them are blocked), so m is re-estimated there: the expected share
    of matches at each level, the pairs' match probabilities (under the re-estimated prior) as weights, m
    at least ``min_m``. u stays as estimated from random pairs. Levels whose weights another level shares
    (and so cannot be told apart) keep their m. The sums come from one grouped query (weights rounded to
    1/20 bit), so the pairs never leave the backend. Returns the shift to apply to pairs per level (for
    :func:`_shifted`); the trained model's m are updated (the caller re-estimates the prior after it).
    """
    import math

    import numpy as np

    if not names:
        return {}
    comps = {c["name"]: c for c in trained.comparisons}
    cols = ", ".join(f"mw_{n}" for n in names)
    hist = linker.misc.query_sql(
        f"SELECT {cols}, round(match_weight * 20) / 20 AS w, count(*) AS n FROM {table} "
        f"GROUP BY {cols}, round(match_weight * 20) / 20", "pandas")
    n = hist["n"].to_numpy(dtype="float64")
    w = hist["w"].to_numpy(dtype="float64") + _logit2(prior) - _logit2(old_prior)
    cells = {}
    for name in names:
        levels = _level_of_weight(comps[name])
        mw = hist[f"mw_{name}"].to_numpy(dtype="float64")
        gamma = np.full(len(hist), -1)
        for weight, g in levels.items():
            gamma[np.abs(mw - weight) < _SAME_WEIGHT] = g
        by_level = {lv["gamma"]: lv for lv in comps[name]["levels"] if lv["gamma"] >= 0 and lv["m"] and lv["u"]}
        cells[name] = (levels, gamma, by_level)
    delta = np.zeros(len(hist))  # bits each cell has moved, all comparisons together
    shift: dict[str, list[tuple[float, float]]] = {}
    for _ in range(steps):
        p = n / (1.0 + np.exp2(-(w + delta)))  # expected matches per cell
        moved = np.zeros(len(hist))
        for name in names:
            levels, gamma, by_level = cells[name]
            share = {g: float(p[gamma == g].sum()) for g in levels.values()}
            told = sum(share.values())
            if told <= 0:
                continue
            # The levels the weights tell apart share the m mass they had between them; the others keep theirs.
            mass = sum(by_level[g]["m"] for g in levels.values())
            new_m = {g: max(share[g] / told * mass, min_m) for g in levels.values()}
            scale = mass / sum(new_m.values())
            new_m = {g: m * scale for g, m in new_m.items()}
            moves = []
            for weight, g in levels.items():
                d = math.log2(new_m[g] / by_level[g]["m"])  # from the trained m, not the last step's
                moves.append((weight, d))
                moved[gamma == g] += d
            shift[name] = moves
            _set_m(trained.model, name, new_m)
        delta = moved
    return shift


def _set_m(model: dict, name: str, new_m: dict[int, float]) -> None:
    """Write re-estimated m probabilities (by level gamma) into a Splink model."""
    for comp in model.get("comparisons", []):
        if comp["output_column_name"] == name:
            for gamma, lv in _numbered_levels(comp):
                if gamma in new_m:
                    lv["m_probability"] = new_m[gamma]


def score(trained: Trained, *, options: EngineOptions | None = None, step: Step | None = None) -> pd.DataFrame:
    """Score the blocked pairs (re-estimating the prior from them); keep those at or above ``floor``."""
    import numpy as np

    options = options or EngineOptions()
    step = step or (lambda _msg: None)
    t = time.perf_counter()
    step("scoring candidate pairs")
    with _quiet_splink():
        linker = _linker(trained.db_api, trained.df, trained.model, register=False)
        if not options.refine_prior:
            pairs = linker.inference.predict(threshold_match_probability=options.floor,
                                             warning_mode="never").as_pandas_dataframe()
            trained.pairs_scored = len(pairs)  # (only those at or above the floor are counted here)
        else:
            # Every blocked pair's weight (one column, in memory); the rows themselves stay in the backend
            # until the re-estimated prior says which reach the floor.
            scored = linker.inference.predict(warning_mode="never")
            weights = linker.misc.query_sql(f"SELECT match_weight FROM {scored.physical_name}", "pandas")
            old = trained.model["probability_two_random_records_match"]
            sample = M.left_out_sample(trained.df, trained.blocking, options.left_out_sample, options.seed)
            sample_weights = _score_listed(linker, trained, sample) if len(sample) else np.empty(0)
            stands_for = sample["stands_for"].to_numpy(dtype="float64")
            if len(sample):
                step(f"scored a sample of {len(sample):,} pairs the capped blocking rules left out "
                     f"(standing for {stands_for.sum():,.0f})")
            step("re-estimating the prior from the scored pairs")
            new = refine_prior_value(weights["match_weight"].to_numpy(dtype="float64"), old, len(trained.df),
                                     sample_weights=sample_weights, stands_for=stands_for)
            trained.pairs_scored = len(weights)
            columns = linker.misc.query_sql(f"SELECT * FROM {scored.physical_name} LIMIT 0", "pandas").columns
            shift = {}
            if options.refine_m and not options.model:
                step("re-estimating m from every scored pair")
                shift = refine_m(linker, scored.physical_name, trained, old, new, options.min_m,
                                 [c for c in REFINED_COMPARISONS if f"mw_{c}" in columns], options.refine_steps)
                weights = linker.misc.query_sql(
                    f"SELECT {_shifted('match_weight', shift)} AS match_weight FROM {scored.physical_name}",
                    "pandas")
                if len(sample):  # the left-out sample again, under the re-estimated m
                    sample_weights = _score_listed(_linker(trained.db_api, trained.df, trained.model, register=False),
                                                   trained, sample)
                new = refine_prior_value(weights["match_weight"].to_numpy(dtype="float64"), old, len(trained.df),
                                         sample_weights=sample_weights, stands_for=stands_for)
            w = weights["match_weight"].to_numpy(dtype="float64") + _logit2(new) - _logit2(old)
            trained.expected_matches = float((1.0 / (1.0 + np.exp2(-w))).sum())
            ws = sample_weights + _logit2(new) - _logit2(old)
            trained.left_out_matches = float((stands_for / (1.0 + np.exp2(-ws))).sum())
            cutoff = _logit2(options.floor) + _logit2(old) - _logit2(new)
            # Only the columns kept (_tidy): the term frequencies of both records are not needed.
            wanted = ", ".join(
                f"{_shifted(c, {c[3:]: shift[c[3:]]} if c[3:] in shift else {})} AS {c}"
                if c.startswith("mw_") and c[3:] in shift else c
                for c in columns if c.startswith("mw_") or c in ("unique_id_l", "unique_id_r", "match_probability"))
            total = _shifted("match_weight", shift)
            pairs = linker.misc.query_sql(
                f"SELECT {wanted}, {total} AS match_weight FROM {scored.physical_name} "
                f"WHERE {total} >= {cutoff!r}", "pandas")
            scored.drop_table_from_database_and_remove_from_cache()
            pairs = _shift_prior(pairs, old, new)
            trained.model["probability_two_random_records_match"] = new
    pairs = _tidy(pairs[pairs["match_probability"] >= options.floor], trained.comparisons)
    trained.timings["predict"] = time.perf_counter() - t
    return pairs


def _score_listed(linker, trained: Trained, pairs: pd.DataFrame):
    """Match weights (under the linker's prior) of the listed pairs (``unique_id_l``, ``unique_id_r``), in
    their order. The linker then scores only these pairs: call it after its own blocked pairs are scored."""
    import numpy as np

    ids = pairs[["unique_id_l", "unique_id_r"]].drop_duplicates()
    listed = pd.DataFrame({"match_key": "0", "join_key_l": ids["unique_id_l"].astype("int64"),
                           "join_key_r": ids["unique_id_r"].astype("int64")})
    registered = linker._db_api.register(listed)  # (the backend the linker, and trained.db_api, stand on)
    linker.table_management.register_blocked_pairs_for_predict(registered)
    try:
        result = linker.inference.predict(warning_mode="never")
    finally:
        # Splink keeps the registration in the backend's cache, shared by every linker on it: left there,
        # the within-cluster checks (score_within) would score these pairs instead of their own.
        cache = linker._intermediate_table_cache
        for key in [k for k, v in cache.items() if v.metadata.get("registered_for_predict")]:
            del cache[key]
    got = linker.misc.query_sql(f"SELECT unique_id_l, unique_id_r, match_weight FROM {result.physical_name}",
                                "pandas")
    result.drop_table_from_database_and_remove_from_cache()
    registered.drop_table_from_database_and_remove_from_cache(force_non_splink_table=True)
    weight = dict(zip(zip(got["unique_id_l"].tolist(), got["unique_id_r"].tolist(), strict=True),
                      got["match_weight"].tolist(), strict=True))
    return np.array([weight[(a, b)] for a, b in zip(pairs["unique_id_l"].tolist(), pairs["unique_id_r"].tolist(),
                                                     strict=True)], dtype="float64")


def score_within(trained: Trained, groups: dict[int, int]) -> pd.DataFrame:
    """Score every pair of records that share a group (``record id → group``), blocked or not."""
    if not groups:
        return _tidy(_empty_pairs(), [])
    df = trained.df.copy()
    df["check_group"] = df["unique_id"].map(groups).astype("Int64")
    model = copy.deepcopy(trained.model)
    model["blocking_rules_to_generate_predictions"] = [M.block(("check_group",))]
    with _quiet_splink():
        linker = _linker(trained.db_api, df, model)
        pairs = linker.inference.predict(warning_mode="never").as_pandas_dataframe()
    return _tidy(pairs, trained.comparisons)


def _tidy(pairs: pd.DataFrame, comparisons: list[dict]) -> pd.DataFrame:
    pairs = _with_levels(pairs, comparisons)
    keep = ["unique_id_l", "unique_id_r", "match_probability", "match_weight"] + \
        [c for c in pairs.columns if c.startswith(("gamma_", "w_"))]
    pairs = pairs[keep].copy()
    swap = (pairs["unique_id_l"] > pairs["unique_id_r"]).to_numpy()
    pairs.loc[swap, ["unique_id_l", "unique_id_r"]] = pairs.loc[swap, ["unique_id_r", "unique_id_l"]].to_numpy()
    return pairs.drop_duplicates(["unique_id_l", "unique_id_r"]).reset_index(drop=True)


def link(df: pd.DataFrame, threshold: float, *, same: Sequence[tuple[int, int]] = (),
         different: Sequence[tuple[int, int]] = (), options: EngineOptions | None = None,
         step: Step | None = None) -> LinkOutput:
    """Train, score, and cluster ``df`` at ``threshold`` with reviewers' decisions as constraints.

    Clusters are first grown from the scored links (see :mod:`dadkhah.linkage.cluster`). Then every pair
    inside each cluster of three or more records is scored — also pairs no blocking rule proposed — and
    a pair the model finds clearly different (probability below ``options.veto``) keeps its two records
    apart, like a reviewer's "different" would (but a reviewer's "same" overrides it). This stops a
    record with little information from chaining two namesakes into one person. Repeated until no
    cluster holds such a pair.
    """
    from dadkhah.linkage.cluster import cluster

    options = options or EngineOptions()
    step = step or (lambda _msg: None)
    t0 = time.perf_counter()
    ids = df["unique_id"].astype("int64").tolist()
    if len(df) < 2:
        result = cluster(ids, [], threshold, same=same, different=different)
        return LinkOutput(pairs=_tidy(_empty_pairs(), []), model={}, blocking=[], comparisons=[], clustering=result)
    labels = list(same)
    trained = train(df, options=options, labels=labels, step=step)
    if not any(b.used for b in trained.blocking):
        result = cluster(ids, [], threshold, same=same, different=different)
        return LinkOutput(pairs=_tidy(_empty_pairs(), []), model=trained.model, blocking=trained.blocking,
                          comparisons=trained.comparisons, clustering=result)
    pairs = score(trained, options=options, step=step)
    step("clustering")
    t = time.perf_counter()
    veto: set[tuple[int, int]] = set()
    checked: set[tuple[int, int]] = set()
    extra: list[pd.DataFrame] = []
    edges = pairs[["unique_id_l", "unique_id_r", "match_probability"]]
    result = cluster(ids, edges, threshold, same=same, different=different)
    # record → (round, cluster) it was last checked in: all pairs inside one such cluster are scored
    checked_in: dict[int, tuple[int, int]] = {}
    for check_round in range(options.check_rounds):
        groups = {rid: c for c, members in result.members().items() if len(members) >= 3
                  and not _checked_together(members, checked_in) for rid in members}
        if not groups:
            break
        step(f"checking every pair inside {len(set(groups.values())):,} clusters of 3 or more")
        within = score_within(trained, groups)
        new = within[[(a, b) not in checked for a, b in zip(within["unique_id_l"].tolist(),
                                                                within["unique_id_r"].tolist(), strict=True)]]
        checked.update(zip(new["unique_id_l"].tolist(), new["unique_id_r"].tolist(), strict=True))
        checked_in.update((rid, (check_round, c)) for rid, c in groups.items())
        extra.append(new)
        # The pairs a check scored are links like any other (those at or above the threshold join records):
        # clustering on every scored pair gives what clusters_at() gives later from the stored pairs.
        edges = pd.concat([edges, new[["unique_id_l", "unique_id_r", "match_probability"]]], ignore_index=True)
        against = new[new["match_probability"] < options.veto]
        if against.empty:
            result = cluster(ids, edges, threshold, same=same, different=different, veto=veto)
            break
        veto.update(zip(against["unique_id_l"].tolist(), against["unique_id_r"].tolist(), strict=True))
        result = cluster(ids, edges, threshold, same=same, different=different, veto=veto)
    scored = dict(zip(zip(pairs["unique_id_l"].tolist(), pairs["unique_id_r"].tolist(), strict=True),
                      pairs["match_probability"].tolist(), strict=True))
    for frame in extra:
        scored.update(((a, b), p) for a, b, p in frame[["unique_id_l", "unique_id_r", "match_probability"]]
                      .itertuples(index=False, name=None))
    result, coherence = split_incoherent(df, ids, edges, threshold, result, scored, veto, strong=options.strong,
                                         rounds=options.check_rounds, same=same, different=different)
    trained.timings["clustering"] = time.perf_counter() - t
    if extra:
        pairs = pd.concat([pairs, *extra], ignore_index=True).drop_duplicates(["unique_id_l", "unique_id_r"])
    trained.timings["total"] = time.perf_counter() - t0
    return LinkOutput(pairs=pairs.reset_index(drop=True), model=trained.model, blocking=trained.blocking,
                      comparisons=trained.comparisons, timings=trained.timings, labels_used=trained.labels_used,
                      clustering=result, vetoes=len(veto), incoherent=coherence, em_sessions=trained.em_sessions,
                      pairs_scored=trained.pairs_scored, expected_matches=trained.expected_matches, veto_pairs=veto,
                      left_out_matches=trained.left_out_matches)


def split_incoherent(df: pd.DataFrame, ids, edges, threshold: float, result, scored: dict[tuple[int, int], float],
                     veto: set[tuple[int, int]], *, strong: float, rounds: int, same: Sequence[tuple[int, int]] = (),
                     different: Sequence[tuple[int, int]] = ()):
    """Cluster again until no cluster holds an incoherent pair (:func:`incoherent_pairs`), each found pair
    added to ``veto`` (in place), at most ``rounds`` times. Returns the clustering and how many pairs
    were added."""
    from dadkhah.linkage.cluster import cluster

    added = 0
    for _ in range(rounds):
        bad = incoherent_pairs(df, result, scored, strong) - veto
        if not bad:
            break
        added += len(bad)
        veto.update(bad)
        result = cluster(ids, edges, threshold, same=same, different=different, veto=veto)
    return result, added


def _checked_together(members: list[int], checked_in: dict[int, tuple[int, int]]) -> bool:
    """Whether every pair of ``members`` was scored by an earlier within-cluster check: they were all
    checked inside one cluster (a cluster a veto left unchanged, or a part of one it split)."""
    first = checked_in.get(members[0])
    return first is not None and all(checked_in.get(r) == first for r in members)


#: Death dates both known to the day and further apart than this contradict each other.
CONFLICT_DEATH_DAYS = 7
#: Birth dates both known to the day (not derived from an age) and further apart than this.
CONFLICT_BIRTH_DAYS = 31


def conflicts(a: dict, b: dict) -> str | None:
    """Why two records (feature rows) cannot be one person unless direct evidence is strong, or None:
    different fathers (both named, and neither the keys, the vowel-folded keys nor the skeletons agree),
    or exact dates of death or birth that contradict each other."""
    fa, fb = a.get("father_key"), b.get("father_key")
    if _known(fa) and _known(fb) and fa != fb and a.get("father_vf") != b.get("father_vf") \
            and a.get("father_sk") != b.get("father_sk"):
        return "different fathers"
    for prefix, days in (("death", CONFLICT_DEATH_DAYS), ("birth", CONFLICT_BIRTH_DAYS)):
        lo_a, hi_a, lo_b, hi_b = (a.get(f"{prefix}_lo"), a.get(f"{prefix}_hi"), b.get(f"{prefix}_lo"),
                                  b.get(f"{prefix}_hi"))
        if all(_known(v) for v in (lo_a, hi_a, lo_b, hi_b)) and lo_a == hi_a and lo_b == hi_b \
                and abs(int(lo_a) - int(lo_b)) > days:
            return f"{prefix} dates {abs(int(lo_a) - int(lo_b))} days apart"
    return None


#: Two given names this alike (Jaro-Winkler) may be one name mistyped, not a brother's or sister's.
SIBLING_GIVEN_SIMILARITY = 0.85


def siblings(a: dict, b: dict) -> str | None:
    """Why two records (feature rows) look like brothers or sisters rather than one person, or None: the
    same family name and the same father's name, and given names that differ wholly (neither the keys, the
    vowel-folded keys nor the skeletons agree, neither name holds the other, as "Reza" does "Mohammadreza",
    and they are not alike enough to be one mistyped), unless the birth dates agree to the day or the
    identity numbers agree. Brothers were often arrested, held and executed together, so their records
    share the family name, the father, the prison and often the day; every field but the given name then
    says "same", and a model that takes its fields as independent links them (the father's name is no
    independent evidence once the family name agrees). Such pairs stay apart, however strong the link."""
    from rapidfuzz.distance import JaroWinkler

    if not all(_known(a.get(k)) and _known(b.get(k)) for k in ("family_key", "father_key", "given_key")):
        return None
    if a["family_key"] != b["family_key"] or a["father_key"] != b["father_key"]:
        return None
    ga, gb = str(a["given_key"]), str(b["given_key"])
    if ga in gb or gb in ga or a.get("given_vf") == b.get("given_vf") or a.get("given_sk") == b.get("given_sk"):
        return None
    if JaroWinkler.similarity(ga, gb) >= SIBLING_GIVEN_SIMILARITY:
        return None
    lo_a, hi_a, lo_b, hi_b = a.get("birth_lo"), a.get("birth_hi"), b.get("birth_lo"), b.get("birth_hi")
    if all(_known(v) for v in (lo_a, hi_a, lo_b, hi_b)) and lo_a == hi_a == lo_b == hi_b:
        return None
    if _known(a.get("id_number")) and a.get("id_number") == b.get("id_number"):
        return None
    return "same family name and father, other given names (brothers or sisters)"


def _known(v) -> bool:
    return v is not None and not (isinstance(v, float) and v != v) and v is not pd.NA


def incoherent_pairs(df: pd.DataFrame, result, scored: dict[tuple[int, int], float], strong: float
                     ) -> set[tuple[int, int]]:
    """Pairs of records inside one cluster that :func:`conflicts` says contradict each other and whose own
    match probability is below ``strong``, and pairs :func:`siblings` says are brothers or sisters (however
    strong their link): clustering again with them as vetoes splits the cluster at its weakest link between
    them (edges are taken strongest first, so the one that would join them is refused).

    Every pair of every cluster (of up to 60 records: a bigger one is a failure of its own) is tested at
    once, column by column (:func:`conflicting`, and for siblings the same family name and father); only
    the few that conflict are looked up in ``scored``, and only those few candidate siblings are tested
    whole by :func:`siblings`."""
    import numpy as np

    lefts, rights = [], []
    by_size: dict[int, list[list[int]]] = {}
    for m in result.members().values():
        if 2 <= len(m) <= 60:
            by_size.setdefault(len(m), []).append(m)
    for size, groups in by_size.items():
        block = np.asarray(groups, dtype=np.int64)
        i, j = np.triu_indices(size, 1)
        lefts.append(block[:, i].ravel())
        rights.append(block[:, j].ravel())
    if not lefts:
        return set()
    a, b = np.concatenate(lefts), np.concatenate(rights)
    hit = conflicting(df, a, b)
    out = {(x, y) for x, y in zip(a[hit].tolist(), b[hit].tolist(), strict=True) if scored.get((x, y), 0.0) < strong}
    return out | _sibling_pairs(df, a, b)


def _sibling_pairs(df: pd.DataFrame, left, right) -> set[tuple[int, int]]:
    """The pairs among ``left[k]``, ``right[k]`` (ids) that :func:`siblings` says are brothers or sisters."""
    import numpy as np

    index = pd.Index(df["unique_id"].astype("int64"))
    li, ri = index.get_indexer(np.asarray(left)), index.get_indexer(np.asarray(right))
    cand = M.together(df, [["family_key", "father_key"]], li, ri)
    gx, gy = df["given_key"].iloc[li].reset_index(drop=True), df["given_key"].iloc[ri].reset_index(drop=True)
    cand &= (gx.notna() & gy.notna() & (gx != gy).fillna(False)).to_numpy(dtype=bool)
    if not cand.any():
        return set()
    cols = [c for c in ("unique_id", "family_key", "father_key", "given_key", "given_vf", "given_sk", "birth_lo",
                        "birth_hi", "id_number") if c in df.columns]
    ids = set(np.asarray(left)[cand].tolist()) | set(np.asarray(right)[cand].tolist())
    rows = {int(r["unique_id"]): r for r in df.loc[df["unique_id"].isin(ids), cols].to_dict("records")}
    return {(x, y) for x, y in zip(np.asarray(left)[cand].tolist(), np.asarray(right)[cand].tolist(), strict=True)
            if siblings(rows[x], rows[y])}


def conflicting(df: pd.DataFrame, left, right):
    """:func:`conflicts` for many pairs at once: a boolean array, true where records ``left[k]`` and
    ``right[k]`` (ids) contradict each other."""
    import numpy as np

    index = pd.Index(df["unique_id"].astype("int64"))
    li, ri = index.get_indexer(np.asarray(left)), index.get_indexer(np.asarray(right))

    def pair(col):
        v = df[col]
        return v.iloc[li].reset_index(drop=True), v.iloc[ri].reset_index(drop=True)

    def same(col):  # both known and equal, or both unknown (as conflicts() compares them)
        x, y = pair(col)
        return ((x == y).fillna(False) | (x.isna() & y.isna())).to_numpy(dtype=bool)

    fx, fy = pair("father_key")
    out = (fx.notna() & fy.notna()).to_numpy(dtype=bool) & ~same("father_key") & ~same("father_vf") \
        & ~same("father_sk")
    for prefix, days in (("death", CONFLICT_DEATH_DAYS), ("birth", CONFLICT_BIRTH_DAYS)):
        lo_a, lo_b = (s.to_numpy(dtype="float64", na_value=np.nan) for s in pair(f"{prefix}_lo"))
        hi_a, hi_b = (s.to_numpy(dtype="float64", na_value=np.nan) for s in pair(f"{prefix}_hi"))
        with np.errstate(invalid="ignore"):
            exact = (lo_a == hi_a) & (lo_b == hi_b)  # (false where any is unknown)
            out |= exact & (np.abs(lo_a - lo_b) > days)
    return out


def predict(df: pd.DataFrame, *, options: EngineOptions | None = None, labels: Sequence[tuple[int, int]] = (),
            step: Step | None = None) -> LinkOutput:
    """Train and score (no clustering): the scored pairs at or above ``options.floor``."""
    options = options or EngineOptions()
    if len(df) < 2:
        return LinkOutput(pairs=_tidy(_empty_pairs(), []), model={}, blocking=[], comparisons=[])
    trained = train(df, options=options, labels=labels, step=step)
    if not any(b.used for b in trained.blocking):
        return LinkOutput(pairs=_tidy(_empty_pairs(), []), model=trained.model, blocking=trained.blocking,
                          comparisons=trained.comparisons)
    pairs = score(trained, options=options, step=step)
    return LinkOutput(pairs=pairs, model=trained.model, blocking=trained.blocking, comparisons=trained.comparisons,
                      timings=trained.timings, labels_used=trained.labels_used)


LEVEL_UNKNOWN = -2  # gamma of a pair whose level cannot be told from its weight (see _with_levels)
_SAME_WEIGHT = 1e-6  # bits


def _with_levels(pairs: pd.DataFrame, comparisons: list[dict]) -> pd.DataFrame:
    """Add ``gamma_<comparison>`` (the level each pair fell in; −1 = null) and ``w_<comparison>`` (its
    match weight in bits, term-frequency adjustment included) from Splink's per-comparison weights.

    Splink outputs the comparison levels only together with every compared column of both records (far
    too much memory at scale), so the level is read back from its weight, log2(m/u), which is exact. Where
    two levels carry the same weight the weight cannot tell them apart: a comparison EM never trained has
    m = u at every level, so every level weighs 0, as the null level does; a level without m or u weighs
    NULL. A pair whose weight is shared so, or is no level's, gets ``LEVEL_UNKNOWN`` (shown as "level not
    known"), never a level it may not have been in."""
    import numpy as np

    pairs = pairs.copy()
    for comp in comparisons:
        name = comp["name"]
        mw = pairs.get(f"mw_{name}")
        if mw is None:
            continue
        mw = mw.to_numpy(dtype="float64")
        gamma = np.full(len(mw), LEVEL_UNKNOWN, dtype="int64")  # a shared weight, or no level's: not known
        for w, g in _telling_weights(comp).items():
            gamma[np.abs(mw - w) < _SAME_WEIGHT] = g
        pairs[f"gamma_{name}"] = gamma
        adj = pairs.get(f"mw_tf_adj_{name}")
        pairs[f"w_{name}"] = mw + (adj.fillna(0).to_numpy(dtype="float64") if adj is not None else 0.0)
    return pairs


def _empty_pairs() -> pd.DataFrame:
    return pd.DataFrame({"unique_id_l": pd.Series(dtype="int64"), "unique_id_r": pd.Series(dtype="int64"),
                         "match_probability": pd.Series(dtype="float64"), "match_weight": pd.Series(dtype="float64")})


def predict_baseline(df: pd.DataFrame, *, floor: float = 0.01, seed: int = 42,
                     refine: bool = False) -> pd.DataFrame:
    """Splink with default comparisons on raw names (see :func:`dadkhah.linkage.model.baseline_settings`),
    trained the way Splink's tutorials do. With ``refine``, the prior is then re-estimated from the
    scored pairs as dadkhah does (:func:`refine_prior`), to separate that step's effect from the features'."""
    from splink import block_on

    with _quiet_splink():
        db_api = duckdb_api()
        linker = _linker(db_api, df, M.baseline_settings(df))
        try:
            linker.training.estimate_probability_two_random_records_match(
                [block_on("first_name", "surname", "father")], recall=0.6)
        except ValueError:
            pass
        linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=seed)
        for rule in (("first_name", "surname"), ("dod",)):
            try:
                linker.training.estimate_parameters_using_expectation_maximisation(block_on(*rule))
            except Exception as exc:  # noqa: BLE001
                logging.getLogger(__name__).warning("baseline EM on %s skipped: %s", rule, exc)
        prior = linker._settings_obj._probability_two_random_records_match
        pairs = linker.inference.predict(threshold_match_probability=floor / 100 if refine else floor,
                                         warning_mode="never").as_pandas_dataframe()
    if refine and len(pairs):
        _prior, pairs = refine_prior(pairs, prior, len(df))
        pairs = pairs[pairs["match_probability"] >= floor]
    return pairs[["unique_id_l", "unique_id_r", "match_probability"]]
