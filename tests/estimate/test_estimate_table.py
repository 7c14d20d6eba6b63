"""Capture-history tables: reading CSVs, building from per-victim records, and clear errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dadkhah.estimate.table import (
    CaptureTable,
    TableError,
    parse_table_text,
    read_table_csv,
    table_from_counts,
    table_from_records,
)


def test_the_kosovo_table_has_4400_documented_victims_on_four_named_lists(kosovo):
    assert kosovo.lists == ("EXH", "ABA", "OSCE", "HRW")
    assert kosovo.documented == 4400
    assert kosovo.list_sizes == {"EXH": 1910, "ABA": 1528, "OSCE": 1786, "HRW": 685}


def test_pattern_digits_follow_list_order_with_list_one_first():
    tab = parse_table_text("pattern,count\n100,5\n011,7\n").total
    assert tab.counts[0b100] == 5 and tab.counts[0b011] == 7
    assert tab.list_sizes == {"1": 5, "2": 7, "3": 7}


def test_lists_are_numbered_when_the_file_does_not_name_them():
    assert parse_table_text("pattern,count\n10,1\n01,2\n11,3\n").lists == ("1", "2")


def test_patterns_missing_from_the_file_count_zero():
    tab = parse_table_text("pattern,count\n100,5\n").total
    assert tab.documented == 5
    assert int(tab.counts.sum()) == 5


def test_stratum_columns_are_summed_over_unless_requested():
    text = "pattern,count,province\n10,3,North\n10,4,South\n11,1,North\n01,2,South\n"
    whole = parse_table_text(text)
    assert not whole.is_stratified
    assert whole.total.documented == 10
    split = parse_table_text(text, strata=["province"])
    assert split.fields == ("province",)
    assert {k: t.documented for k, t in split.tables.items()} == {("North",): 4, ("South",): 6}
    assert split.total == whole.total


def test_read_table_csv_reads_a_file(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("# lists: A,B\npattern,count\n10,3\n01,4\n11,2\n", encoding="utf-8")
    tab = read_table_csv(path).total
    assert tab.lists == ("A", "B") and tab.documented == 9


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty table"),
        ("pat,count\n10,1\n", "'pattern' column"),
        ("pattern,n\n10,1\n", "'count' column"),
        ("pattern,count\n", "no rows"),
        ("pattern,count\n10,1\n101,2\n", "line 3, field 'pattern'"),
        ("pattern,count\n10,1\n12,2\n", "must be 2 digits of 0 or 1"),
        ("pattern,count\n00,4\n", "on no list"),
        ("pattern,count\n10,-1\n", "line 2, field 'count'"),
        ("pattern,count\n10,2.5\n", "whole number"),
        ("pattern,count\n10,many\n", "is not a number"),
        ("pattern,count\n10,1\n01,1\n10,2\n", "line 4: pattern 10 repeats line 2"),
        ("pattern,count\n10,1,extra\n", "3 fields, expected 2"),
        ("# lists: A,B,C\npattern,count\n10,1\n", "names 3 lists but patterns have 2 digits"),
    ],
)
def test_malformed_tables_are_rejected_with_the_line_and_field(text, fragment):
    with pytest.raises(TableError, match=None) as info:
        parse_table_text(text, source="lists.csv")
    assert fragment in str(info.value)
    if "line" in fragment:
        assert str(info.value).startswith("lists.csv")


def test_an_unknown_stratum_field_is_named():
    with pytest.raises(TableError, match="province"):
        parse_table_text("pattern,count,region\n10,1,a\n", strata=["province"])


def test_a_missing_file_is_reported_by_path(tmp_path):
    with pytest.raises(TableError, match="no such file"):
        read_table_csv(tmp_path / "absent.csv")


def test_the_same_pattern_may_appear_once_per_stratum():
    tabs = parse_table_text("pattern,count,g\n10,1,a\n10,2,b\n", strata=["g"])
    assert [t.documented for t in tabs.tables.values()] == [1, 2]


def _records() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "cluster": [1, 2, 3, 4, 5],
            "A": [1, 1, 0, 1, 0],
            "B": [0, 1, 1, 0, 1],
            "C": [0, 0, 0, 1, 1],
            "province": ["N", "N", "S", "S", "S"],
        }
    )


def test_records_become_a_table_with_one_count_per_victim():
    tabs = table_from_records(_records(), strata=["province"])
    assert tabs.lists == ("A", "B", "C")
    assert tabs.total.documented == 5
    assert dict(p for p in tabs.total.patterns() if p[1]) == {"100": 1, "110": 1, "010": 1, "101": 1, "011": 1}
    assert {k: t.documented for k, t in tabs.tables.items()} == {("N",): 2, ("S",): 3}


def test_record_columns_that_are_not_lists_must_be_named_as_strata_or_excluded():
    # Without strata, province would be read as a list column and rejected as non-0/1.
    with pytest.raises(TableError, match="'province' must hold 0/1"):
        table_from_records(_records())
    tabs = table_from_records(_records(), lists=["A", "B", "C"])
    assert tabs.total.documented == 5


def test_a_record_on_no_list_is_an_error_naming_its_cluster():
    df = _records()
    df.loc[2, "B"] = 0
    with pytest.raises(TableError, match="cluster 3"):
        table_from_records(df, strata=["province"])


def test_boolean_list_columns_are_accepted():
    df = pd.DataFrame({"A": [True, False, True], "B": [False, True, True]})
    assert table_from_records(df).total.documented == 3


def test_tables_refuse_a_count_in_the_unobserved_cell():
    with pytest.raises(TableError, match="on no list"):
        CaptureTable(("A", "B"), np.array([1, 2, 3, 4]))


def test_table_from_counts_and_addition():
    a = table_from_counts({"10": 2, "11": 1}, ["A", "B"])
    b = table_from_counts({"01": 3}, ["A", "B"])
    assert (a + b).documented == 6
    with pytest.raises(TableError):
        a + table_from_counts({"01": 3}, ["A", "C"])
