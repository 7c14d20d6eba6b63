"""The Splink model: comparisons, blocking rules and training rules for victim lists.

Comparisons (each explains itself by the level a pair falls in):

============  ==============================================================================
given         key equal · skeleton equal · Jaro-Winkler ≥ .92 · ≥ .85
family        key equal · skeleton equal · Jaro-Winkler ≥ .92 · ≥ .85
father        key equal · skeleton equal · Jaro-Winkler ≥ .88
birth         same day · within a week · overlap, both within a year · overlap · ≤ 2 years apart; when one
              has no birth date: same age at death · a year apart · ages differ
death         same day · within a week · overlap, both within a month · overlap · ≤ 90 days apart
origin        same city · same province, one names only the province · same province
prison        same prison · same city
gender        equal
burial        same burial site
region        when no place can be compared directly (one gives a prison, the other a place of origin or
              burial): a place of one lies in the province of a place of the other · none does
list          both from the same list (a list repeats a person far less often than two lists share one)
identity      same identity / birth-certificate number · one edit apart · 2 edits apart
address       same address · Jaro-Winkler ≥ .9 · ≥ .8
postcode      same postcode · one edit apart
whole name    when both names are equal: how much commoner the combination is than its two names predict
              (a term-frequency adjustment only; see :func:`whole_name_lookup`)
============  ==============================================================================

Name keys are ASCII (see :mod:`dadkhah.linkage.features`), so string similarity counts characters on
every backend. Exact agreement on names, father's name, city, prison and burial site is
term-frequency adjusted: "Mohammad" = "Mohammad" or "Tehran" = "Tehran" weighs less than "Kiumars" =
"Kiumars" or "Zabol" = "Zabol". Every comparison has a null level: a missing field is no evidence
either way.

Blocking is chosen per data set (:func:`choose_blocking`): narrow rules (names plus one more field) first,
then broad rules (names alone), each only while the number of pairs stays within a budget, so a million
records with thousands of namesakes stay tractable.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

#: Blocking rules, narrowest first: each a tuple of columns that must be equal (and not null). The
#: ``*_sk`` columns are consonant skeletons of the keys, ``*_p2``/``*_p3`` their first letters and
#: ``family_s3`` the last three (see :mod:`dadkhah.linkage.features`).
NARROW_RULES: list[tuple[str, ...]] = [
    ("family_key", "given_key", "father_key"),
    ("family_key", "given_key", "birth_year"),
    ("family_key", "given_key", "death_ym"),
    ("family_key", "given_key", "origin_city"),
    ("family_key", "given_key", "prison"),
    ("family_key", "given_key", "burial"),
    ("family_key", "father_key", "birth_year"),
    ("given_key", "father_key", "birth_year"),
    ("family_key", "father_key", "death_ym"),
    ("given_key", "father_key", "death_ym"),
    ("family_key", "father_key", "origin_city"),
    ("given_key", "father_key", "origin_city"),
    ("given_sk", "family_sk", "prison"),
    ("given_sk", "family_sk", "origin_city"),
    ("given_sk", "family_sk", "death_ym"),
    ("given_sk", "family_sk", "birth_year"),
    ("given_key", "family_p2", "prison"),
    ("family_key", "origin_city"),
    ("family_key", "prison"),
    ("id_number",),  # an identity number, where lists give one (names may be mistyped in both records)
    ("birth_lo", "postcode"),
]
BROAD_RULES: list[tuple[str, ...]] = [
    ("name_sorted",),  # the same two names in either order
    ("given_vf", "family_vf"),  # both names alike but for vowel letters
    ("joined_vf",),  # one full name split at two places ("Ruh Allahpourabbas", "Ruhollah Pourabbas")
    ("given_sk", "family_sk"),  # both names alike but for vowels, v/w/y/h
    ("family_key", "father_key"),
    ("given_key", "father_key"),
    ("family_key", "given_p2"),  # a typo late in the given name
    ("given_key", "family_p3"),  # … or late in the family name
    ("given_key", "family_s3"),  # … or early in it
]
#: Training: EM on pairs that agree on three fields, so that matches are common among them and EM finds
#: the match class; each comparison is trained by every session that does not block on it. Each entry
#: lists alternatives, most specific first; the first that gives at least :data:`MIN_TRAINING_PAIRS`
#: pairs is used. A name is best trained among pairs that share the other two names and the day of
#: death (``death_lo``: the first day a death date allows): pairs that share two common names and a city
#: are mostly namesakes, and EM then takes some of them for matches and learns that a person's records
#: often disagree on the third name (measured on simulated lists: m of "family names differ" 0.09
#: instead of the true 0.003), which lets namesakes with a different surname link.
TRAINING_RULES: list[tuple[tuple[str, ...], ...]] = [
    (("family_key", "given_key", "father_key"), ("family_key", "given_key", "birth_lo")),  # dates, places…
    (("family_key", "father_key", "death_lo"), ("family_key", "father_key", "death_ym"),  # the given name
     ("family_key", "father_key", "birth_year"), ("family_key", "father_key", "prison"),
     ("family_key", "birth_lo"), ("family_key", "birth_year", "origin_city")),
    (("given_key", "father_key", "death_lo"), ("given_key", "father_key", "origin_city"),  # the family name
     ("given_key", "father_key", "birth_year"), ("given_key", "father_key", "prison"),
     ("given_key", "birth_lo"), ("given_key", "birth_year", "origin_city")),
    (("family_key", "given_key", "death_lo"), ("family_key", "given_key", "origin_city"),  # the father's name
     ("family_key", "given_key", "birth_year"), ("family_key", "given_key", "prison")),
]
# The last alternatives serve lists that name no father (most lists outside Iran, FEBRL): without them the
# names were never trained there. The birth-year and prison alternatives serve lists that give neither
# dates of death nor places of origin (a prison's roster, a small list typed from memory): without them
# no session would train the names, and an untrained comparison carries no weight (engine.bounded_model),
# so nothing would link.
MIN_TRAINING_PAIRS = 200


def training_rules(df: pd.DataFrame) -> list[tuple[tuple[str, ...], int]]:
    """The training sessions for ``df``: per entry of :data:`TRAINING_RULES`, the first alternative with
    at least :data:`MIN_TRAINING_PAIRS` pairs (else the one with most pairs, if any), and its pairs."""
    return [options[0] for options in training_options(df)]


def training_options(df: pd.DataFrame) -> list[list[tuple[tuple[str, ...], int]]]:
    """Per entry of :data:`TRAINING_RULES`, its alternatives in the order to try them: the chosen one (see
    :func:`training_rules`), then the others that give pairs, most pairs first. A session can fail (EM
    drives some m to an underflow on a data set where a level never occurs among matches); the engine
    then tries the next alternative, so that no comparison is left untrained (and weightless)."""
    out = []
    for alternatives in TRAINING_RULES:
        counted = [(rule, rule_pairs(df, rule)) for rule in alternatives]
        chosen = next(((r, n) for r, n in counted if n >= MIN_TRAINING_PAIRS), max(counted, key=lambda rn: rn[1]))
        if chosen[1] > 0:
            rest = sorted((rn for rn in counted if rn[0] != chosen[0] and rn[1] > 0), key=lambda rn: -rn[1])
            out.append([chosen, *rest])
    return out
DETERMINISTIC_RULES: list[tuple[str, ...]] = [
    ("family_key", "given_key", "father_key", "birth_year"),
    ("family_key", "given_key", "father_key", "death_ym"),
]


@dataclass
class BlockingChoice:
    rule: tuple[str, ...]
    pairs: int
    used: bool
    cap: int | None = None  # blocks larger than this are left out of the rule (see choose_blocking)
    column: str | None = None  # the derived column that holds the rule's key for the blocks kept
    kept_pairs: int | None = None  # the pairs of the blocks kept, when capped

    def to_dict(self) -> dict:
        d = {"rule": " = ".join(self.rule) if len(self.rule) == 1 else " & ".join(self.rule),
             "pairs": self.pairs, "used": self.used}
        if self.cap is not None:
            d.update(largest_block=self.cap, pairs_kept=self.kept_pairs)
        return d


def rule_pairs(df: pd.DataFrame, rule: tuple[str, ...]) -> int:
    """How many pairs a blocking rule generates (records with a null in the rule generate none)."""
    sub = df[list(rule)].dropna()
    if sub.empty:
        return 0
    sizes = sub.groupby(list(rule), sort=False, observed=True).size()
    return int((sizes * (sizes - 1) // 2).sum())


def choose_blocking(df: pd.DataFrame, budget: int | None = None) -> list[BlockingChoice]:
    """Narrow rules, then broad ones, cheapest first, each while the total number of pairs stays within ``budget``
    (default: 20 pairs per record, at least 2 million).

    A rule whose pairs would burst the budget is not dropped whole: its largest blocks are left out (the
    thousands of "Mohammad Mohammadi"s that would make millions of pairs, and that the narrower rules, on
    names plus a date or place, already cover), keeping every block up to the size that fits the rule's share
    of what is left of the budget (rules are taken cheapest first, each up to an equal share of what is left,
    so what a cheap rule does not use goes to the others). So as lists grow the rules stay, each losing only
    its most common keys, and
    the pairs of the rarer names — where most matches are — stay blocked. The capped rule's key is written to
    a derived column of ``df`` (``_block<i>``, null outside the kept blocks), which the rule then blocks on.
    """
    budget = budget if budget is not None else max(2_000_000, 20 * len(df))
    out: list[BlockingChoice] = []
    total = 0
    plan = [(rules, sorted((rule_pairs(df, rule), i, rule) for i, rule in enumerate(rules)))
            for rules in (NARROW_RULES, BROAD_RULES)]
    left = sum(len(rules) for rules in (NARROW_RULES, BROAD_RULES))
    for _rules, costs in plan:
        for n, _i, rule in costs:  # cheapest first; each rule may take its share of what is left
            share = (budget - total) // (left or 1)
            left -= 1
            if n == 0:
                out.append(BlockingChoice(rule, n, False))
            elif n <= share:
                out.append(BlockingChoice(rule, n, True))
                total += n
            else:
                choice = _capped(df, rule, n, share, len(out))
                out.append(choice)
                total += choice.kept_pairs or 0
    return out


def _capped(df: pd.DataFrame, rule: tuple[str, ...], n: int, allowance: int, index: int) -> BlockingChoice:
    """The rule with its blocks kept up to the largest size whose pairs fit ``allowance`` (a derived column)."""
    cols = list(rule)
    sub = df[cols].dropna()
    if sub.empty or allowance <= 0:
        return BlockingChoice(rule, n, False)
    sizes = sub.groupby(cols, sort=False, observed=True).size()
    counts = sizes.value_counts().sort_index()  # block size → how many blocks
    cap, kept = 1, 0
    for size, blocks in counts.items():
        more = int(size * (size - 1) // 2 * blocks)
        if size < 2:
            continue
        if kept + more > allowance:
            break
        cap, kept = int(size), kept + more
    if cap < 2 or kept == 0:
        return BlockingChoice(rule, n, False)
    column = f"_block{index}"
    grouped = sub.groupby(cols, sort=False, observed=True)
    size_of = grouped[cols[0]].transform("size").to_numpy()
    # The block's number stands for its key (a row-wise join of the key's columns took minutes at 1M records).
    block = grouped.ngroup().to_numpy()
    df[column] = pd.Series(pd.NA, index=df.index, dtype="Int64")
    df.loc[sub.index[size_of <= cap], column] = block[size_of <= cap]
    return BlockingChoice(rule, n, True, cap=cap, column=column, kept_pairs=kept)


def _jw(col: str, threshold: float):
    import splink.comparison_level_library as cll

    return cll.JaroWinklerLevel(col, threshold)


def _edits(col: str, n: int):
    import splink.comparison_level_library as cll

    return cll.DamerauLevenshteinLevel(col, n).configure(label_for_charts="one edit apart" if n == 1 else
                                                         f"{n} edits apart")


#: The level of a given or family name whose whole name (both run together) agrees though the parts do not.
SPLIT_ELSEWHERE = "the whole name the same, split between given and family name elsewhere"


#: m and u of the given name's level "split elsewhere", fixed (never trained or re-estimated): the family
#: name's same level carries that evidence, once. m/u = 1.001 weighs 0.0014 bits: nothing, but a weight of its
#: own, so that a pair's level can still be read back from its weight (the null level weighs exactly 0).
SPLIT_GIVEN_MU = (1.001e-7, 1e-7)


def _split_elsewhere(label: str):
    import splink.comparison_level_library as cll

    level = cll.ExactMatchLevel("joined_vf")
    if label != "given":
        return level.configure(label_for_charts=SPLIT_ELSEWHERE)
    return level.configure(label_for_charts=SPLIT_ELSEWHERE, m_probability=SPLIT_GIVEN_MU[0],
                           u_probability=SPLIT_GIVEN_MU[1], fix_m_probability=True, fix_u_probability=True)


def _name(col: str, label: str):
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    sk, vf = col.replace("_key", "_sk"), col.replace("_key", "_vf")
    return cl.CustomComparison(
        output_column_name=label,
        comparison_description=f"{label} name (cross-script key)",
        comparison_levels=[
            cll.NullLevel(col),
            cll.ExactMatchLevel(col, term_frequency_adjustments=True).configure(label_for_charts="same key"),
            cll.ExactMatchLevel(vf).configure(label_for_charts="same but for vowel letters (e/i, o/u)"),
            cll.ExactMatchLevel(sk).configure(label_for_charts="same skeleton"),
            _split_elsewhere(label),
            _jw(col, 0.92).configure(label_for_charts="Jaro-Winkler >= 0.92"),
            _jw(col, 0.85).configure(label_for_charts="Jaro-Winkler >= 0.85"),
            cll.ElseLevel(),
        ],
    )


def _interval(prefix: str, label: str, narrow: int, near: int, *, ages: bool = False):
    """Date intervals: same day · within a week · overlapping and both narrow · overlapping · near · apart.
    With ``ages`` (birth), pairs whose birth dates cannot be compared (one is missing) compare their ages
    at death instead: equal · within a year · apart."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    lo, hi = f"{prefix}_lo", f"{prefix}_hi"
    overlap = f"{lo}_l <= {hi}_r AND {lo}_r <= {hi}_l"
    days = f"{hi}_l = {lo}_l AND {hi}_r = {lo}_r"  # both known to the day
    no_dates = f"({lo}_l IS NULL OR {lo}_r IS NULL)"
    if ages:
        null = cll.CustomLevel(f"{no_dates} AND (age_lo_l IS NULL OR age_lo_r IS NULL)", f"{lo} is NULL")
        null = null.configure(is_null_level=True)
        by_age = [
            cll.CustomLevel(f"{no_dates} AND age_lo_l <= age_hi_r AND age_lo_r <= age_hi_l",
                            "no dates to compare; same age at death"),
            cll.CustomLevel(f"{no_dates} AND age_lo_l <= age_hi_r + 1 AND age_lo_r <= age_hi_l + 1",
                            "no dates to compare; ages at death a year apart"),
            cll.CustomLevel(no_dates, "no dates to compare; ages at death differ"),
        ]
    else:
        null, by_age = cll.NullLevel(lo), []
    return cl.CustomComparison(
        output_column_name=label,
        comparison_description=f"{label} date intervals" + (" (or ages at death)" if ages else ""),
        comparison_levels=[
            null,
            cll.CustomLevel(f"{days} AND {lo}_l = {lo}_r", "same day"),
            cll.CustomLevel(f"{days} AND {lo}_l - {lo}_r <= 7 AND {lo}_r - {lo}_l <= 7", "within a week"),
            cll.CustomLevel(f"{overlap} AND {hi}_l - {lo}_l <= {narrow} AND {hi}_r - {lo}_r <= {narrow}",
                            f"overlap, both within {narrow} days"),
            cll.CustomLevel(overlap, "intervals overlap"),
            cll.CustomLevel(f"{lo}_l - {hi}_r <= {near} AND {lo}_r - {hi}_l <= {near}", f"within {near} days"),
            *by_age,
            cll.ElseLevel(),
        ],
    )


def _place(col: str, parent: str | None, label: str, parent_label: str | None = None, *, tf: bool = True,
           parent_only: bool = False):
    """Same place · same parent (province, city) · different. With ``parent_only`` the parent level is split:
    one record names only the parent (a roster gives provinces, not cities: no disagreement) · both
    name places within the same parent, but different ones (two cities of one province)."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    levels = [cll.NullLevel(col),
              cll.ExactMatchLevel(col, term_frequency_adjustments=tf).configure(label_for_charts=f"same {label}")]
    if parent and parent_only:
        only = f"({col}_l = {parent}_l OR {col}_r = {parent}_r)"
        levels.append(cll.CustomLevel(f"{parent}_l = {parent}_r AND {only}",
                                      f"same {parent_label} (one names only the {parent_label})"))
        levels.append(cll.ExactMatchLevel(parent).configure(label_for_charts=f"same {parent_label}, different {label}"))
    elif parent:
        levels.append(cll.ExactMatchLevel(parent).configure(label_for_charts=f"same {parent_label}"))
    levels.append(cll.ElseLevel())
    return cl.CustomComparison(output_column_name=label, comparison_description=label, comparison_levels=levels)


PLACE_PROVINCES = ("origin_province", "prison_province", "burial_province")


def _region():
    """Places of different kinds, compared by province, only when no place can be compared with its own kind:
    a witness names the prison, a cemetery register the burial site, a family the home town; people were
    mostly held and buried in or near their home province. Null when both give the same kind of place (the
    origin, prison and burial comparisons weigh that) or when no two places can be compared."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    direct = " OR ".join(f"({c}_l IS NOT NULL AND {c}_r IS NOT NULL)" for c in ("origin_city", "prison", "burial"))
    cross = [(a, b) for a in PLACE_PROVINCES for b in PLACE_PROVINCES if a != b]
    comparable = " OR ".join(f"({a}_l IS NOT NULL AND {b}_r IS NOT NULL)" for a, b in cross)
    agree = " OR ".join(f"{a}_l = {b}_r" for a, b in cross)
    return cl.CustomComparison(
        output_column_name="region",
        comparison_description="places of different kinds (origin, prison, burial) by province",
        comparison_levels=[
            cll.CustomLevel(f"({direct}) OR NOT ({comparable})", "places compared directly, or none to compare")
            .configure(is_null_level=True),
            cll.CustomLevel(agree, "a place of one in the province of a place of the other"),
            cll.ElseLevel().configure(label_for_charts="their places lie in different provinces"),
        ],
    )


#: Comparisons of fields that many lists never give, by the column that must be known for them to weigh
#: anything: where no record of a data set has it, the comparison is left out of the model
#: (:func:`present_comparisons`): every pair would fall in its null level, and evaluating it on millions of
#: pairs only costs time.
OPTIONAL_COMPARISONS = {"identity": "id_number", "address": "address_key", "postcode": "postcode",
                        "whole_name": "whole_name"}


def present_comparisons(df: pd.DataFrame) -> set[str]:
    """The optional comparisons (:data:`OPTIONAL_COMPARISONS`) that some record of ``df`` can weigh."""
    return {name for name, col in OPTIONAL_COMPARISONS.items() if col in df.columns and df[col].notna().any()}


def comparisons(optional: set[str] | None = None) -> list:
    """The comparisons; of the optional ones (:data:`OPTIONAL_COMPARISONS`) only those in ``optional``
    (default: all)."""
    named = [(c.create_output_column_name(), c) for c in _all_comparisons()]
    return [c for name, c in named if optional is None or name not in OPTIONAL_COMPARISONS or name in optional]


def _all_comparisons() -> list:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return [
        _name("given_key", "given"),
        _name("family_key", "family"),
        cl.CustomComparison(output_column_name="father", comparison_description="father's name", comparison_levels=[
            cll.NullLevel("father_key"),
            cll.ExactMatchLevel("father_key", term_frequency_adjustments=True).configure(label_for_charts="same key"),
            cll.ExactMatchLevel("father_vf").configure(label_for_charts="same but for vowel letters (e/i, o/u)"),
            cll.ExactMatchLevel("father_sk").configure(label_for_charts="same skeleton"),
            _jw("father_key", 0.88).configure(label_for_charts="Jaro-Winkler >= 0.88"),
            cll.ElseLevel(),
        ]),
        _interval("birth", "birth", 366, 730, ages=True),
        _interval("death", "death", 31, 90),
        _place("origin_city", "origin_province", "origin", "province", parent_only=True),
        _place("prison", "prison_city", "prison", "city"),
        _place("gender", None, "gender", tf=False),
        _place("burial", None, "burial"),
        _region(),
        cl.CustomComparison(output_column_name="list", comparison_description="both records from the same list",
                            comparison_levels=[
                                cll.NullLevel("list_name"),  # never: every record has a list
                                cll.ExactMatchLevel("list_name").configure(label_for_charts="same list"),
                                cll.ElseLevel().configure(label_for_charts="different lists"),
                            ]),
        cl.CustomComparison(output_column_name="identity", comparison_description="identity or certificate number",
                            comparison_levels=[
                                cll.NullLevel("id_number"),
                                cll.ExactMatchLevel("id_number").configure(label_for_charts="same number"),
                                _edits("id_number", 1),
                                _edits("id_number", 2),
                                cll.ElseLevel(),
                            ]),
        cl.CustomComparison(output_column_name="address", comparison_description="street address (word keys)",
                            comparison_levels=[
                                cll.NullLevel("address_key"),
                                cll.ExactMatchLevel("address_key").configure(label_for_charts="same address"),
                                _jw("address_key", 0.9).configure(label_for_charts="Jaro-Winkler >= 0.9"),
                                _jw("address_key", 0.8).configure(label_for_charts="Jaro-Winkler >= 0.8"),
                                cll.ElseLevel(),
                            ]),
        cl.CustomComparison(output_column_name="postcode", comparison_description="postcode", comparison_levels=[
            cll.NullLevel("postcode"),
            cll.ExactMatchLevel("postcode", term_frequency_adjustments=True)
            .configure(label_for_charts="same postcode"),
            _edits("postcode", 1),
            cll.ElseLevel(),
        ]),
        _whole_name(),
    ]


#: m and u of the whole-name comparison's two levels, fixed (never trained): the comparison weighs only
#: through its term-frequency adjustment (the lookup compensates the exact level's base weight). The
#: levels' base weights differ so that a pair's level can be told from its weight (engine._with_levels).
WHOLE_NAME_M = (0.6, 0.4)
WHOLE_NAME_U = (0.5, 0.5)
#: Pseudo-count shrinking a combination's observed count towards what its two names predict: a
#: combination seen twice where 0.1 was expected is not taken as 20 times commoner.
WHOLE_NAME_PRIOR = 10.0


def _whole_name():
    """Both names equal: the individual term frequencies have weighed "Hossein" and "Hosseini" each; when
    the two are chosen together more often than apart (a father named his son after the family's name),
    the pair is that much less telling. Weighs log2(expected / observed) of the combination (see
    :func:`whole_name_lookup`); 0 when the names are chosen independently; nothing when either differs."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    both = "given_key_l = given_key_r AND family_key_l = family_key_r"
    return cl.CustomComparison(
        output_column_name="whole_name",
        comparison_description="the given+family combination's own frequency",
        comparison_levels=[
            cll.CustomLevel(f"whole_name_l IS NULL OR whole_name_r IS NULL OR NOT ({both})",
                            "not both names equal").configure(is_null_level=True),
            cll.ExactMatchLevel("whole_name", term_frequency_adjustments=True).configure(
                label_for_charts="same given and family name", m_probability=WHOLE_NAME_M[0],
                u_probability=WHOLE_NAME_U[0], fix_m_probability=True, fix_u_probability=True),
            cll.ElseLevel().configure(m_probability=WHOLE_NAME_M[1], u_probability=WHOLE_NAME_U[1],
                                      fix_m_probability=True, fix_u_probability=True),
        ],
    )


def whole_name_lookup(df: pd.DataFrame) -> pd.DataFrame:
    """The whole-name comparison's term-frequency table, learnt from the records: per combination
    ``given|family`` the ratio r = (O + k) / (E + k) of how often it occurs to how often its two names,
    occurring independently, predict (k = :data:`WHOLE_NAME_PRIOR`), given to Splink as the "term
    frequency" it divides by: ``tf_whole_name = m · r`` with the exact level's fixed m, so that the
    adjustment, log2(u) − log2(tf), plus the level's base weight log2(m/u) is −log2(r).

    Counted list by list, in the lists that hold the combination: a person is mostly once in a list, and
    the pair being scored is itself proof that its combination exists, so its count is compared with what
    independent names predict *given* that it occurs at all (e / (1 − exp(−e)) for a Poisson count of mean
    e = n_list(g)·n_list(f)/N_list); compared with e, every rare combination would look commoner than its
    names predict. O sums n_list(g,f), E those conditional expectations.
    """
    import numpy as np

    sub = df[["list_name", "given_key", "family_key", "whole_name"]].dropna()
    if sub.empty:
        return pd.DataFrame({"whole_name": pd.Series(dtype="string"), "tf_whole_name": pd.Series(dtype="float64")})
    size = sub.groupby("list_name", observed=True)["whole_name"].transform("size").to_numpy(dtype="float64")
    ng = sub.groupby(["list_name", "given_key"], observed=True)["whole_name"].transform("size")
    nf = sub.groupby(["list_name", "family_key"], observed=True)["whole_name"].transform("size")
    sub = sub.assign(expected=ng.to_numpy(dtype="float64") * nf.to_numpy(dtype="float64") / size)
    per_list = sub.groupby(["list_name", "whole_name"], observed=True).agg(
        n=("whole_name", "size"), expected=("expected", "first")).reset_index()
    e = per_list["expected"].to_numpy(dtype="float64")
    per_list["present"] = e / -np.expm1(-e)  # E[n | n >= 1] for a Poisson count of mean e
    table = per_list.groupby("whole_name", observed=True).agg(observed=("n", "sum"),
                                                             expected=("present", "sum")).reset_index()
    ratio = (table["observed"].to_numpy(dtype="float64") + WHOLE_NAME_PRIOR) / \
        (table["expected"].to_numpy(dtype="float64") + WHOLE_NAME_PRIOR)
    return pd.DataFrame({"whole_name": table["whole_name"].astype("string"),
                         "tf_whole_name": np.asarray(WHOLE_NAME_M[0] * ratio, dtype="float64")})


def block(rule: tuple[str, ...]):
    from splink import block_on

    return block_on(*rule)


def settings(blocking: list[BlockingChoice], *, probability_two_random_records_match: float = 1e-4,
             optional: set[str] | None = None):
    """Splink settings for a dedupe of all records together (within and across lists), with the optional
    comparisons in ``optional`` (default: all; see :func:`present_comparisons`)."""
    from splink import SettingsCreator

    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons(optional),
        blocking_rules_to_generate_predictions=[block((b.column,) if b.column else b.rule)
                                                for b in blocking if b.used],
        probability_two_random_records_match=probability_two_random_records_match,
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=True,  # keeps gamma_* (the level of each comparison)
        max_iterations=20,
        em_convergence=0.001,
    )


# --- the baseline a user would try first: Splink's defaults on the raw names -----------------------

def baseline_frame(records) -> pd.DataFrame:
    """The raw columns a user would hand Splink first: names as written (a full name split at its first
    space), dates and places as written — no keys, no gazetteer, no date parsing; only lower case and
    trimmed, the cleaning Splink's tutorials start with."""
    rows = []
    for rid, name, f in records:
        given, family = f.get("given"), f.get("family")
        if f.get("name_split"):  # the list gives whole names: split at the first space, as written
            parts = (f.get("full_name") or "").split(" ", 1)
            given, family = parts[0], (parts[1] if len(parts) > 1 else None)
        rows.append({"unique_id": int(rid), "list_name": name, "first_name": given, "surname": family,
                     "father": f.get("father"), "dob": (f.get("birth") or {}).get("text") if not f.get(
                         "birth_from_age") else f.get("age"),
                     "dod": (f.get("death") or {}).get("text"), "city": f.get("place_of_origin"),
                     "prison": f.get("detention_site"), "gender": f.get("gender")})
    df = pd.DataFrame(rows)
    for c in df.columns:
        if df[c].dtype == object:
            df[c] = df[c].astype("string").str.strip().str.lower()
    return df


def baseline_settings(df: pd.DataFrame):
    """Splink with default comparisons on the raw columns, blocking on raw first and last name."""
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    comps = [cl.NameComparison("first_name"), cl.NameComparison("surname"), cl.NameComparison("father"),
             cl.ExactMatch("dob"), cl.ExactMatch("dod"), cl.LevenshteinAtThresholds("city", 2),
             cl.LevenshteinAtThresholds("prison", 2), cl.ExactMatch("gender")]
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=comps,
        blocking_rules_to_generate_predictions=[block_on("first_name", "surname"), block_on("surname", "father"),
                                                block_on("first_name", "father"), block_on("dod")],
        retain_matching_columns=False,
        additional_columns_to_retain=["list_name"],
    )


def equal_at(column: pd.Series, left, right):
    """Per pair of row positions: both values known and equal."""
    lv = column.iloc[left].reset_index(drop=True)
    rv = column.iloc[right].reset_index(drop=True)
    return (lv == rv).fillna(False).to_numpy(dtype=bool)


def rule_columns(choice: BlockingChoice) -> list[str]:
    """The columns a rule blocks on as used: a capped rule's derived column, else the rule's own."""
    return [choice.column] if choice.column else list(choice.rule)


def together(df: pd.DataFrame, rules: list[list[str]], left, right):
    """Per pair of row positions of ``df``: whether any of ``rules`` (each a list of columns) puts the two
    rows in one block (every column known and equal)."""
    import numpy as np

    out = np.zeros(len(left), dtype=bool)
    for cols in rules:
        eq = np.ones(len(left), dtype=bool)
        for col in cols:
            eq &= equal_at(df[col], left, right)
        out |= eq
    return out


def left_out_sample(df: pd.DataFrame, blocking: list[BlockingChoice], size: int, seed: int = 0) -> pd.DataFrame:
    """A random sample of the pairs that blocking left out only because a rule's block was too big (see
    :func:`choose_blocking`): pairs in a block larger than the rule's cap (every block of a rule dropped
    whole) that no rule used proposes. Columns ``unique_id_l``, ``unique_id_r`` and ``stands_for`` (how many
    left-out pairs the sampled one stands for), so that a sum over the sample estimates the sum over all of
    them. Each left-out pair is counted once, under the first such rule (in ``blocking``'s order) that
    holds it. ``size`` pairs are drawn in all, in equal shares per rule. Empty when no block was left out
    (small data sets)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    left_out = [b for b in blocking if b.pairs > 0 and (not b.used or b.cap is not None)]
    used = [b for b in blocking if b.used]
    empty = pd.DataFrame({"unique_id_l": pd.Series(dtype="int64"), "unique_id_r": pd.Series(dtype="int64"),
                          "stands_for": pd.Series(dtype="float64")})
    if not left_out or size <= 0:
        return empty
    ids = df["unique_id"].to_numpy(dtype="int64")
    share = max(size // len(left_out), 1)
    frames = []
    for k, b in enumerate(left_out):
        cols = list(b.rule)
        sub = df[cols].dropna()
        if sub.empty:
            continue
        grouped = sub.groupby(cols, sort=False, observed=True)
        sizes = grouped[cols[0]].transform("size").to_numpy(dtype="int64")
        gid = grouped.ngroup().to_numpy(dtype="int64")
        cap = b.cap if b.used and b.cap is not None else 1
        dropped = sizes > cap
        if not dropped.any():
            continue
        rows = df.index.get_indexer(sub.index[dropped])  # row positions in df
        g, s = gid[dropped], sizes[dropped]
        order = np.argsort(g, kind="stable")
        rows, g, s = rows[order], g[order], s[order]
        starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
        block_size = s[starts]
        pairs_in = block_size * (block_size - 1) / 2.0
        total = float(pairs_in.sum())
        n = int(min(share, total))
        chosen = rng.choice(len(starts), size=n, p=pairs_in / total)
        i = rng.integers(0, block_size[chosen])
        j = rng.integers(0, block_size[chosen] - 1)
        j = np.where(j >= i, j + 1, j)
        a, c = rows[starts[chosen] + i], rows[starts[chosen] + j]
        keep = ~together(df, [rule_columns(u) for u in used], a, c)  # proposed by a rule used: scored already
        keep &= ~together(df, [list(e.rule) for e in left_out[:k]], a, c)  # an earlier left-out rule's: counted there
        lo, hi = np.minimum(ids[a], ids[c]), np.maximum(ids[a], ids[c])
        frames.append(pd.DataFrame({"unique_id_l": lo[keep], "unique_id_r": hi[keep],
                                    "stands_for": np.full(int(keep.sum()), total / n)}))
    return pd.concat(frames, ignore_index=True) if frames else empty
