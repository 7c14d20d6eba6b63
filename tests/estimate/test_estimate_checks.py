"""Data checks: each problem yields a plain-language warning with a stable code."""

from __future__ import annotations

from dadkhah.estimate.checks import check_table
from dadkhah.estimate.table import table_from_counts


def codes(table) -> set[str]:
    return {w.code for w in check_table(table)}


def test_the_kosovo_table_raises_no_warnings(kosovo):
    assert check_table(kosovo) == []


def test_fewer_than_three_lists_warns_that_independence_is_assumed():
    warnings = check_table(table_from_counts({"10": 300, "01": 200, "11": 100}))
    assert [w.code for w in warnings] == ["few_lists"]
    assert "independently" in warnings[0].message


def test_a_list_overlapping_no_other_is_named():
    tab = table_from_counts({"100": 50, "010": 40, "001": 60, "110": 20}, ["A", "B", "C"])
    warnings = [w for w in check_table(tab) if w.code == "isolated_list"]
    assert len(warnings) == 1
    assert "List C shares no victims" in warnings[0].message


def test_zero_and_sparse_cells_are_counted():
    tab = table_from_counts({"100": 50, "010": 40, "001": 60, "110": 20, "101": 3, "011": 2})
    found = {w.code: w.message for w in check_table(tab)}
    assert found["zero_cells"].startswith("1 of the 7")
    assert found["sparse_cells"].startswith("2 list combinations")


def test_a_pair_of_lists_with_nothing_in_common_is_flagged():
    tab = table_from_counts({"100": 50, "010": 40, "001": 60, "101": 20, "011": 15}, ["A", "B", "C"])
    messages = [w.message for w in check_table(tab) if w.code == "no_pair_overlap"]
    assert messages == [
        "Lists A and B have no victim in common; models with an interaction between them cannot be estimated."
    ]


def test_a_small_table_is_flagged():
    assert "small_sample" in codes(table_from_counts({"100": 5, "010": 4, "001": 6, "111": 2}))


def test_warnings_can_be_attributed_to_a_stratum():
    w = check_table(table_from_counts({"10": 3, "01": 2, "11": 1}))[0].in_stratum("province=North")
    assert w.to_dict()["stratum"] == "province=North"
