"""Clusters from scored pairs, with reviewers' decisions as hard constraints."""

from dadkhah.linkage.cluster import cluster


def groups(result):
    return sorted(result.members().values())


def test_records_linked_above_the_threshold_form_clusters_named_after_their_smallest_id():
    result = cluster([1, 2, 3, 4, 5], [(1, 2, 0.99), (2, 3, 0.95), (4, 5, 0.4)], 0.9)
    assert groups(result) == [[1, 2, 3], [4], [5]]
    assert result.clusters[3] == 1 and result.sizes() == {1: 2, 3: 1}


def test_a_different_decision_splits_a_chain_even_when_other_links_join_it():
    edges = [(1, 2, 0.99), (2, 3, 0.97), (3, 4, 0.95)]
    result = cluster([1, 2, 3, 4], edges, 0.9, different=[(1, 4)])
    assert groups(result) == [[1, 2, 3], [4]]  # the weakest link is the one refused
    assert result.refused == [(3, 4, 0.95)]


def test_the_refusals_say_which_constraint_refused_how_many_links_and_why():
    # a star of five records joined to 1 by strong links: "different" 1–9 refuses every link that would bring 9 in
    edges = [(1, i, 0.99) for i in range(2, 6)] + [(i, 9, 0.9 - i / 100) for i in range(2, 6)]
    result = cluster([1, 2, 3, 4, 5, 9], edges, 0.5, different=[(9, 1)])
    assert groups(result) == [[1, 2, 3, 4, 5], [9]]
    top = result.refusals()[0]
    assert top["records"] == [1, 9] and top["kind"] == "different" and top["links_refused"] == 4
    assert top["strongest"]["match_probability"] == 0.88 and "a reviewer said 'different'" in top["why"]
    assert sum(len(v) for v in result.refused_by.values()) == len(result.refused)
    vetoed = cluster([1, 2, 3], [(1, 2, 0.99), (2, 3, 0.7)], 0.5, veto=[(1, 3)])
    assert vetoed.refusals({(1, 3)})[0]["kind"] == "veto"


def test_a_same_decision_joins_records_the_model_kept_apart():
    result = cluster([1, 2, 3], [(1, 2, 0.3)], 0.9, same=[(3, 1)])
    assert groups(result) == [[1, 3], [2]]


def test_a_same_decision_that_contradicts_a_different_one_is_reported_and_not_applied():
    result = cluster([1, 2, 3], [], 0.9, same=[(1, 2), (2, 3)], different=[(1, 3)])
    assert result.conflicts == [(2, 3)] and groups(result) == [[1, 2], [3]]


def test_the_models_own_vetoes_refuse_links_but_never_a_reviewers_same():
    edges = [(1, 2, 0.99), (2, 3, 0.98)]
    vetoed = cluster([1, 2, 3], edges, 0.9, veto=[(1, 3)])
    assert groups(vetoed) == [[1, 2], [3]]
    overruled = cluster([1, 2, 3], edges, 0.9, same=[(1, 3)], veto=[(1, 3)])
    assert groups(overruled) == [[1, 2, 3]]


def test_clustering_ignores_records_it_was_not_asked_about():
    result = cluster([1, 2], [(1, 2, 0.99), (2, 9, 0.99)], 0.5, same=[(1, 8)])
    assert groups(result) == [[1, 2]]


def test_clustering_by_components_gives_what_growing_edge_by_edge_gives():
    """cluster() settles unconstrained components at once and grows only the others edge by edge (_grow):
    on random graphs with every kind of constraint both give the same clusters, refusals and conflicts. (Where
    two constraints each forbid a link, which of them the refusal is booked to may differ.)"""
    import random

    from dadkhah.linkage.cluster import _grow

    rng = random.Random(5)
    for trial in range(60):
        ids = rng.sample(range(1, 400), 60)
        edges = [(rng.choice(ids), rng.choice(ids), round(rng.random(), 3)) for _ in range(rng.randint(0, 120))]
        kw = {kind: [(rng.choice(ids), rng.choice(ids)) for _ in range(rng.randint(0, k))]
              for kind, k in (("same", 6), ("different", 6), ("veto", 10))}
        fast, slow = cluster(ids, edges, 0.4, **kw), _grow(ids, edges, 0.4, **kw)
        assert fast.clusters == slow.clusters, trial
        assert fast.refused == slow.refused, trial
        constraints = {(min(a, b), max(a, b)) for a, b in kw["different"] + kw["veto"]}
        booked = [e for edges_ in fast.refused_by.values() for e in edges_]
        assert sorted(booked) == sorted(fast.refused) and set(fast.refused_by) <= constraints, trial
        assert fast.conflicts == slow.conflicts and fast.edges_used == slow.edges_used, trial


def test_clustering_takes_a_frame_of_scored_pairs_as_edges():
    import pandas as pd

    frame = pd.DataFrame({"unique_id_l": [1, 2, 4], "unique_id_r": [2, 3, 5], "match_probability": [0.99, 0.95, 0.4]})
    assert groups(cluster([1, 2, 3, 4, 5], frame, 0.9)) == [[1, 2, 3], [4], [5]]
    assert groups(cluster([1, 2, 3], frame, 0.9, veto=[(1, 3)])) == [[1, 2], [3]]
