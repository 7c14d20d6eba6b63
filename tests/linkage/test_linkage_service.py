"""Linking imported lists in a case: clusters, export, capture histories, merged persons."""

from collections import Counter

from sqlalchemy import select

from dadkhah.access import SYSTEM
from dadkhah.linkage.capture import capture_history
from dadkhah.linkage.evaluate import score
from dadkhah.linkage.merge import active_merges
from dadkhah.linkage.service import current_clusters, explain_cluster, export_rows
from dadkhah.lists.tables import ListRecord
from dadkhah.model import Person


def exported(case):
    with case.reader(SYSTEM) as s:
        return export_rows(s, principal=SYSTEM)


def test_linking_a_generated_population_finds_its_victims(linked_once, lists):
    case, report = linked_once
    rows = exported(case)
    truth = lists.truth()
    s = score({(name, row): c for name, row, c in rows}, {k: truth[k] for name, row, _ in rows for k in [(name, row)]})
    assert s.f1 >= 0.9 and s.b3_f1 >= 0.95, s.line()
    assert report.records == len(rows) == lists.sim.records
    assert report.clusters == len({c for _, _, c in rows})


def test_export_rows_give_list_row_and_cluster_for_every_record_in_file_order(linked_once, lists):
    case, _ = linked_once
    rows = exported(case)
    names = [sl.name for sl in lists.sim.lists]
    assert [r[0] for r in rows] == sorted((r[0] for r in rows), key=names.index)
    first = [r for r in rows if r[0] == names[0]]
    assert [r[1] for r in first] == list(range(1, len(first) + 1))
    assert all(c.startswith("c") for _, _, c in rows)


def test_capture_history_has_one_row_per_cluster_a_column_per_list_and_the_strata(linked_once, lists):
    case, _ = linked_once
    table = capture_history(case, strata=("province", "gender", "period"), principal=SYSTEM)
    names = [sl.name for sl in lists.sim.lists]
    assert list(table.columns) == [*names, "province", "gender", "period", "cluster", "person"]
    rows = exported(case)
    assert len(table) == len({c for _, _, c in rows}) and table["cluster"].is_unique
    for name in names:
        assert table[name].dtype == "int64" and set(table[name]) <= {0, 1}
        assert table[name].sum() == len({c for n, _, c in rows if n == name})
    assert (table[names].sum(axis=1) >= 1).all()
    assert set(table["gender"].dropna()) <= {"male", "female"}
    assert set(table["period"].dropna()) <= set(range(1981, 1989))
    assert table["province"].notna().mean() > 0.5


def test_capture_history_at_a_stricter_threshold_has_at_least_as_many_clusters(linked_once):
    case, _ = linked_once
    assert len(capture_history(case, threshold=0.99, principal=SYSTEM)) >= len(capture_history(case, principal=SYSTEM))


def test_every_cluster_has_a_merged_person_with_every_name_form_and_its_provenance(linked_once):
    case, report = linked_once
    with case.reader(SYSTEM) as s:
        clusters = current_clusters(s)
        merges = active_merges(s)
        assert report.persons["created"] == len(merges) == len(set(clusters.values()))
        big = max(merges, key=lambda m: len(m.records))
        person = s.get(Person, big.person_id)
        records = s.scalars(select(ListRecord).where(ListRecord.id.in_(big.records))).all()
        assert {n.text for n in person.names} == {r.fields["full_name"] for r in records}
        assert {n.script for n in person.names} >= {"fa", "latin"} or len(records) < 2
        assert person.sensitivity == "restricted"
        provenance = person.extra["linkage"]["records"]
        where = {r.id: r.file_row for r in records}
        assert sorted((p["record"], p["row"]) for p in provenance) == sorted(where.items())
        assert all(p["source_id"].startswith("source-") and p["list"] for p in provenance)


def test_a_rerun_keeps_every_person_and_creates_nothing_new(linked, relink):
    case, first = linked
    with case.reader(SYSTEM) as s:
        before = {m.person_id: sorted(m.records) for m in active_merges(s)}
    again = relink(case)
    with case.reader(SYSTEM) as s:
        after = {m.person_id: sorted(m.records) for m in active_merges(s)}
    assert again.persons["created"] == 0 and again.persons["unchanged"] == first.clusters
    assert after == before


def test_explaining_a_cluster_lists_its_records_and_the_levels_that_linked_them(linked_once):
    case, _ = linked_once
    with case.reader(SYSTEM) as s:
        sizes = Counter(current_clusters(s).values())
        key = next(c for c, n in sizes.items() if n >= 2)
        d = explain_cluster(s, key, SYSTEM)
    assert len(d["records"]) == sizes[key] and d["person"]
    assert d["links"] and all(link["levels"] for link in d["links"])
    assert {lv["comparison"] for lv in d["links"][0]["levels"]} >= {"given", "family", "death"}
    assert "joined by" in d["why"]


def test_an_explanation_names_no_record_above_its_reader(linked):
    """A near miss points at a record outside the cluster: one the reader may not read is left out."""
    from sqlalchemy import update

    from dadkhah.access import audience
    from dadkhah.lists.tables import ListRecord

    case, _ = linked
    with case.reader(SYSTEM) as s:
        sizes = Counter(current_clusters(s).values())
        full = next(d for d in (explain_cluster(s, c, SYSTEM) for c in sorted(sizes)) if d["near_misses"])
    members = {r["id"] for r in full["records"]}
    outside = {x for item in full["near_misses"] for x in item["records"]} - members
    with case.session() as s:
        s.execute(update(ListRecord).where(ListRecord.id.in_(outside)).values(sensitivity="confidential"))
        s.execute(update(ListRecord).where(ListRecord.id.in_(members)).values(sensitivity="restricted"))
    reader = audience("restricted")
    with case.reader(reader) as s:
        shown = explain_cluster(s, full["cluster"], reader)
    assert {r["id"] for r in shown["records"]} == members
    named = {x for item in shown["near_misses"] + shown["links"] for x in item["records"]}
    assert not named & outside


def test_a_decision_with_a_record_above_the_reader_is_not_shown_in_an_explanation(linked):
    """A reviewer's decision between a cluster's record and one outside it names the other record and carries
    the reviewer's note: it is shown only to a reader who may read both records."""
    from sqlalchemy import update

    from dadkhah.access import audience
    from dadkhah.linkage.review import decide
    from dadkhah.lists.tables import ListRecord

    case, _ = linked
    with case.reader(SYSTEM) as s:
        clusters = current_clusters(s)
    sizes = Counter(clusters.values())
    key = next(c for c in sorted(sizes) if sizes[c] >= 2)
    member = min(r for r, c in clusters.items() if c == key)
    stranger = min(r for r, c in clusters.items() if c != key)
    decide(case, (member, stranger), "different", "maryam", note="Confidah says she knew him", principal=SYSTEM)
    with case.session() as s:
        s.execute(update(ListRecord).where(ListRecord.id == stranger).values(sensitivity="confidential"))
    with case.reader(SYSTEM) as s:
        key = current_clusters(s)[member]
        assert any(d["note"] == "Confidah says she knew him" for d in explain_cluster(s, key, SYSTEM)["decisions"])
    reader = audience("restricted")
    with case.reader(reader) as s:
        shown = explain_cluster(s, key, reader)
    assert member in {r["id"] for r in shown["records"]}
    assert not any(stranger in d["records"] for d in shown["decisions"]) and "Confidah" not in str(shown)


def test_re_clustering_at_the_runs_own_threshold_gives_the_runs_clusters(linked_once):
    """clusters_at() rebuilds clusters from the stored pairs and vetoes; at the run's threshold it must give
    exactly what the run wrote (the estimate's threshold comparison relies on it)."""
    from dadkhah.linkage.service import clusters_at, require_run

    case, _report = linked_once
    with case.reader(SYSTEM) as s:
        run = require_run(s)
        again = clusters_at(s, run.summary["threshold"], principal=SYSTEM)
        assert again == current_clusters(s)


def test_the_coherence_checks_vetoes_are_kept_with_the_run():
    import pandas as pd

    from dadkhah.linkage import engine
    from dadkhah.linkage.service import _kept_apart_pairs

    pairs = pd.DataFrame({"unique_id_l": [1, 2, 4], "unique_id_r": [2, 3, 5], "match_probability": [0.001, 0.9, 0.99]})
    out = engine.LinkOutput(pairs=pairs, model={}, blocking=[], comparisons=[], veto_pairs={(1, 2), (5, 4), (6, 7)})
    # (1, 2) the stored pairs show (scored below the veto); (4, 5), a brother pair linked at 0.99, and (6, 7),
    # never scored, only the run's own list can tell
    assert _kept_apart_pairs(out, 0.01) == [[4, 5], [6, 7]]
