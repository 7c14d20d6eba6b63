"""Record linkage of victim lists: who, across lists and within them, is the same person.

- :mod:`dadkhah.linkage.features` — records → ASCII name keys, day-number date intervals, gazetteer places;
- :mod:`dadkhah.linkage.gazetteer` — Iranian provinces, cities, prisons, burial sites in both scripts;
- :mod:`dadkhah.linkage.model` — the Splink comparisons, blocking and training rules; the raw-name baseline;
- :mod:`dadkhah.linkage.engine` — training and scoring on DuckDB or Spark, clustering with checks;
- :mod:`dadkhah.linkage.cluster` — clusters from scored pairs with reviewers' decisions as constraints;
- :mod:`dadkhah.linkage.service` — runs over a case: pairs, clusters, explanations, export;
- :mod:`dadkhah.linkage.review` — clerical review (``next_pairs``, ``pair_detail``, ``decide``);
- :mod:`dadkhah.linkage.merge` — one canonical Person per cluster (undone by :func:`dadkhah.linkage.review.undo_merge`);
- :mod:`dadkhah.linkage.victims` — every merged person a victim of the case: roles in its events, citing the lists;
- :mod:`dadkhah.linkage.capture` — :func:`~dadkhah.linkage.capture.capture_history` for estimation;
- :mod:`dadkhah.linkage.commands` — ``dadkhah link …``;
- :mod:`dadkhah.testing.simulate_lists`, :mod:`dadkhah.linkage.evaluate` — simulated lists with truth, scores.

See docs/linkage.md.
"""
