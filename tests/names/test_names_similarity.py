"""name_similarity: 0..1 across scripts, built on the keys (dadkhah.names.similarity)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dadkhah.names import name_key, name_similarity

NAMES = ["Ebrahim Raisi", "ابراهیم رئیسی", "Hamid Nouri", "Hamid Nori", "حمید نوری", "Ali Rezaei", "Ali Rezvani",
         "Rezaei Ali", "Mohammad Reza Rezaei", "محمدعلی رضایی", "Seyed Ali Khamenei", "Raisi", ""]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(NAMES) | st.text(max_size=30), st.sampled_from(NAMES) | st.text(max_size=30))
def test_similarity_is_symmetric_and_between_zero_and_one(a, b):
    s = name_similarity(a, b)
    assert 0.0 <= s <= 1.0
    assert s == name_similarity(b, a)


def test_names_with_equal_keys_are_fully_similar():
    assert name_key("Mohammad Rezaei") == name_key("محمد رضایی")
    assert name_similarity("Mohammad Rezaei", "محمد رضایی") == 1.0


def test_a_name_without_letters_is_similar_to_nothing():
    assert name_similarity("", "") == 0.0
    assert name_similarity("1367", "Ali Rezaei") == 0.0


def test_word_order_barely_matters():
    s = name_similarity("Rezaei Ali", "Ali Rezaei")
    assert 0.95 <= s < 1.0


def test_a_latin_o_may_stand_for_the_persian_long_vowel():
    assert name_key("Hamid Nori") != name_key("حمید نوری")
    assert name_similarity("Hamid Nori", "حمید نوری") >= 0.9
    assert name_similarity("Hassan Rohani", "حسن روحانی") >= 0.9


def test_that_reading_does_not_reach_names_without_an_o():
    # محمود/محمد and رضایی/رضوی differ only in و, but no Latin "o" is in doubt here
    assert name_similarity("Mahmoud Karimi", "Mohammad Karimi") < 0.9
    assert name_similarity("علی رضایی", "علی رضوی") < 0.9


@pytest.mark.parametrize(("a", "b"), [
    ("Mohammad Rezaei", "Mohammad Rezvani"),
    ("Ali Hosseini", "Ali Hassani"),
    ("Mohammad Reza Rezaei", "Mohammad Ali Rezaei"),
    ("Ebrahim Raisi", "Raisi"),
])
def test_one_clearly_different_part_keeps_the_score_below_the_match_threshold(a, b):
    assert name_similarity(a, b) < 0.9


def test_closer_spellings_score_higher():
    assert name_similarity("Ali Rezaei", "Ali Rezai") >= name_similarity("Ali Rezaei", "Ali Razavi")
    assert name_similarity("Hamid Nouri", "Hamid Nuri") > name_similarity("Hamid Nouri", "Hamid Nasiri")
