"""The second, independently designed population (dadkhah.testing.population)."""

import csv

import pytest

from dadkhah.testing import population as P


def test_persian_names_are_paired_with_the_latin_spellings_of_the_same_name_only():
    persian = {"محمدی": (5, None, "IR"), "حسینی": (28, None, "IR"), "جان": (9, "M", "IR")}
    latin = {"Mohammadi": (2, None, "IR"), "Mohamadi": (11, None, "IR"), "Hosseini": (10, None, "IR"),
             "Hoseini": (37, None, "IR"), "Jan": (8, "M", "CZ"), "Sadeghi": (13, None, "IR")}
    entries = {e.fa: e for e in P._pair(persian, latin, ["محمدی", "حسینی"])}
    assert entries["محمدی"].latin == ["Mohammadi", "Mohamadi"] and entries["محمدی"].rank == 2
    assert entries["حسینی"].latin == ["Hosseini", "Hoseini"]
    assert "جان" not in entries  # the Czech "Jan" is not the Persian name
    assert P._pattern("حسن").match("hasan") and not P._pattern("حسن").match("hosein")


def test_a_zipf_law_is_fitted_to_the_commonest_names_share():
    entries = [P.NameEntry(fa=f"n{i}", latin=[f"N{i}"], latin_weights=[1.0], rank=r)
               for i, r in enumerate([1, 2, 5, 9, 30, 100, 400, 1000])]
    z = P._Zipf(entries, 0.3)
    assert z.cum[0] / z.cum[-1] == pytest.approx(0.3, abs=0.01)


@pytest.mark.slow
def test_the_population_writes_five_lists_their_mappings_and_the_truth(tmp_path):
    pop = P.population(400, seed=1)
    folder = pop.write(tmp_path)
    assert (folder / "lists.txt").read_text(encoding="utf-8").split() == [s.file for s in P.LISTS]
    raw = (folder / "register.csv").read_bytes()
    assert "ي".encode("cp1256") in raw  # Arabic letter forms, Windows-1256
    with open(folder / "truth.csv", encoding="utf-8") as f:
        truth = list(csv.DictReader(f))
    assert len(truth) == pop.records
    records, rtruth, errors = pop.parsed()
    assert len(records) == pop.records and errors == []  # every row reads with its own mapping
    press = [f for _, name, f in records if name == "press"]
    assert press and all(f["notes"] is None or isinstance(f["notes"], str) for f in press)
    assert any(f["notes"] for f in press)
    people = [rtruth[r] for r, name, _ in records if name == "ngo"]
    assert len(people) > len(set(people))  # duplicates inside a list
