"""Pairwise and B-cubed precision, recall and F1 against the truth."""

import pytest

from dadkhah.linkage.evaluate import score


def test_a_perfect_clustering_scores_one_everywhere():
    s = score({1: "a", 2: "a", 3: "b"}, {1: 10, 2: 10, 3: 20})
    assert (s.precision, s.recall, s.f1, s.b3_precision, s.b3_recall, s.b3_f1) == (1, 1, 1, 1, 1, 1)


def test_pairwise_and_b_cubed_scores_of_a_hand_worked_example():
    # truth: {1,2,3} and {4,5}; predicted: {1,2} and {3,4,5}
    s = score({1: "x", 2: "x", 3: "y", 4: "y", 5: "y"}, {1: 1, 2: 1, 3: 1, 4: 2, 5: 2})
    # predicted pairs: 12, 34, 35, 45 → correct 12, 45; true pairs: 12, 13, 23, 45
    assert (s.predicted_pairs, s.true_pairs, s.correct_pairs) == (4, 4, 2)
    assert s.precision == pytest.approx(0.5) and s.recall == pytest.approx(0.5)
    # B3 precision: (1 + 1 + 1/3 + 2/3 + 2/3) / 5; recall: (2/3 + 2/3 + 1/3 + 1 + 1) / 5
    assert s.b3_precision == pytest.approx((1 + 1 + 1 / 3 + 2 / 3 + 2 / 3) / 5)
    assert s.b3_recall == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1 + 1) / 5)


def test_scores_need_the_same_records_on_both_sides():
    with pytest.raises(ValueError, match="same records"):
        score({1: "a"}, {1: 1, 2: 2})
