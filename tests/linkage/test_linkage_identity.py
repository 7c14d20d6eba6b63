"""Identity numbers, addresses and postcodes (issue #14, FEBRL 4), and training on lists that name no father."""

import random

import pytest
from record_fields import day, fields

from dadkhah.linkage import engine
from dadkhah.linkage import model as M
from dadkhah.linkage.evaluate import score
from dadkhah.linkage.features import address_key, code, feature_frame, features
from dadkhah.lists.mapping import propose_mapping
from dadkhah.lists.readers import RawRow
from dadkhah.lists.rows import parse_row


@pytest.mark.parametrize(("headers", "expected"), [
    (["نام", "نام خانوادگی", "کد ملی", "نشانی", "کد پستی"], {"id_number": "کد ملی", "address": "نشانی",
                                                              "postcode": "کد پستی"}),
    (["given_name", "surname", "soc_sec_id", "address", "postcode"], {"id_number": "soc_sec_id",
                                                                     "address": "address", "postcode": "postcode"}),
    (["First name", "Last name", "National ID", "Street address", "Zip code"],
     {"id_number": "National ID", "address": "Street address", "postcode": "Zip code"}),
])
def test_identity_number_address_and_postcode_columns_are_proposed(headers, expected):
    columns = propose_mapping(headers).columns
    assert {f: columns.get(f) for f in expected} == expected
    assert "record_id" not in columns  # an identity number is compared; a list's row number is not


def test_a_row_keeps_identity_number_address_and_postcode_as_written():
    mapping = propose_mapping(["name", "family", "کد ملی", "نشانی", "کد پستی"])
    row = RawRow(line=2, row=1, values={"name": "علی", "family": "کریمی", "کد ملی": "۰۰۱۲۳۴۵۶۷۸",
                                        "نشانی": "تهران، خیابان آزادی ۱۲", "کد پستی": "۱۳۴۵۶"})
    got = parse_row(row, mapping)
    assert (got["id_number"], got["address"], got["postcode"]) == ("۰۰۱۲۳۴۵۶۷۸", "تهران، خیابان آزادی ۱۲", "۱۳۴۵۶")


def test_numbers_compare_in_either_script_and_addresses_word_by_word():
    assert code("۰۰۱۲-۳۴۵۶۷۸") == code("0012 345678") == "0012345678"
    assert code("AB 12") == "ab12" and code("  ") is None and code(None) is None
    assert address_key("12 Stanley Street, Miami") == "12 stnli strit mimi"
    assert address_key("۱۲ stanley street") == address_key("12 STANLEY STREET")
    assert address_key("خیابان آزادی ۱۲") == address_key("Khiaban Azadi 12")
    got = features(1, "a", fields(given="Ali", family="Karimi", id_number="۱۲۳", postcode="4223", address="8 Main St"))
    assert (got["id_number"], got["postcode"], got["address_key"]) == ("123", "4223", "8 min st")


def test_lists_that_name_no_father_still_train_the_given_and_the_family_name():
    """FEBRL-like lists: names, a birth date, no father. Every earlier alternative needs a father, so the
    names were never trained there and weighed nothing (F1 0.59 on FEBRL 4)."""
    rows = []
    for i in range(300):
        for copy in range(2):
            rows.append((len(rows) + 1, f"list{copy}",
                         fields(given=f"G{chr(97 + i % 26)}{chr(97 + i // 26)}", family=f"F{chr(97 + i % 17)}a",
                                birth=day(f"19{40 + i % 50}-0{1 + i % 9}-1{i % 10}"))))
    rules = [rule for rule, _n in M.training_rules(feature_frame(rows))]
    assert ("family_key", "birth_lo") in rules  # trains the given name
    assert ("given_key", "birth_lo") in rules  # trains the family name
    assert ("family_key", "given_key", "birth_lo") in rules  # trains the rest


def _two_lists(n: int, seed: int):
    """Two lists of the same ``n`` people (no fathers, no dates of death), the second with typos."""
    rng = random.Random(seed)
    letters = "bdfgklmnprstvz"
    vowels = "aeiou"

    def word(k):
        return "".join(rng.choice(letters) + rng.choice(vowels) for _ in range(k)).title()

    givens, families = [word(2) for _ in range(40)], [word(3) for _ in range(120)]
    people = [{"given": rng.choice(givens), "family": rng.choice(families),
               "birth": f"19{rng.randint(30, 70)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
               "id": str(rng.randint(10**6, 10**7 - 1)), "postcode": str(rng.randint(2000, 2999))} for _ in range(n)]

    def typo(s):
        i = rng.randrange(len(s))
        return s[:i] + rng.choice(letters) + s[i + 1:]

    rows, truth = [], {}
    for p, person in enumerate(people):
        for name in ("a", "b"):
            f = dict(person)
            if name == "b" and rng.random() < 0.3:
                f["given"] = typo(f["given"])
            if name == "b" and rng.random() < 0.3:
                f["family"] = typo(f["family"])
            if name == "b" and rng.random() < 0.1:
                f["id"] = typo(f["id"][:-1]) + rng.choice("0123456789")
            rid = len(rows) + 1
            rows.append((rid, name, fields(given=f["given"], family=f["family"], birth=day(f["birth"]),
                                           id_number=f["id"], postcode=f["postcode"])))
            truth[rid] = p
    return rows, truth, people


def test_an_identity_number_links_records_whose_names_are_mistyped_in_both():
    rows, truth, _people = _two_lists(400, seed=3)
    out = engine.link(feature_frame(rows), 0.5)
    got = score(out.clustering.clusters, truth)
    assert got.precision > 0.97 and got.recall > 0.95
    levels = {c["name"]: {lv["label"]: lv["weight"] for lv in c["levels"]} for c in out.comparisons}
    assert levels["identity"]["same number"] > 8  # learnt from the data: a shared number is strong evidence
    assert levels["identity"]["All other comparisons"] < -3  # and a different one against
    by_id = {rid: f for rid, _name, f in rows}
    both_mistyped = [(a, a + 1) for a in range(1, len(rows), 2)
                     if by_id[a]["given"] != by_id[a + 1]["given"] and by_id[a]["family"] != by_id[a + 1]["family"]]
    assert len(both_mistyped) > 15
    clusters = out.clustering.clusters
    linked = sum(clusters[a] == clusters[b] for a, b in both_mistyped)
    assert linked / len(both_mistyped) > 0.9


def test_comparisons_of_fields_no_record_has_are_left_out_of_the_model():
    rows, _truth, _people = _two_lists(120, seed=4)  # identity numbers and postcodes, no addresses
    df = feature_frame(rows)
    assert M.present_comparisons(df) == {"identity", "postcode", "whole_name"}
    out = engine.link(df, 0.5)
    names = {c["name"] for c in out.comparisons}
    assert {"identity", "postcode", "whole_name", "given", "family"} <= names and "address" not in names
    assert not any(c.startswith("gamma_address") for c in out.pairs.columns)
    # a model trained without a comparison scores another data set with what both have, never the missing one
    plain = feature_frame([(rid, name, {**f, "id_number": None, "postcode": None}) for rid, name, f in rows])
    again = engine.predict(plain, options=engine.EngineOptions(model=out.model))
    assert {c["name"] for c in again.comparisons} == names - {"identity", "postcode"}
    assert len(again.pairs) > 0
