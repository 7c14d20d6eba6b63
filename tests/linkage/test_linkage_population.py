"""Every listed victim is a victim of the case: merged persons get their roles in the case's events, citing
the lists, and every count — the case report, the memorial, the search index, the victim files and the
estimate's capture history — counts the same people (on both backends)."""

from __future__ import annotations

import csv
from collections import Counter

import pytest
from sqlalchemy import func, select

from dadkhah.access import SYSTEM, audience, operator
from dadkhah.dossier.report import case_report
from dadkhah.dossier.victim import victim_file
from dadkhah.linkage.capture import capture_history
from dadkhah.linkage.merge import active_merges
from dadkhah.linkage.review import decide, undo_merge
from dadkhah.linkage.victims import list_entries
from dadkhah.lists.importer import import_list
from dadkhah.lists.mapping import load_mapping
from dadkhah.lists.tables import ListRecord
from dadkhah.model import Citation, Claim, Event, Participation, Person
from dadkhah.publish.clearance import clear
from dadkhah.publish.memorial import memorial_entries
from dadkhah.records.population import FACET, FACET_VALUE, documented_victims
from dadkhah.store.search import SearchDoc

PUBLIC = audience("public")


def import_public(case, lists, sensitivity="public"):
    for sl in lists.sim.lists:
        mapping = load_mapping(lists.folder / f"{sl.name}.mapping.yaml")
        mapping.sensitivity = sensitivity
        import_list(case, lists.folder / sl.file_name, sl.name, mapping=mapping)


def facet_persons(s) -> set[str]:
    rows = s.execute(select(SearchDoc.record_id, SearchDoc.facets)
                     .where(SearchDoc.kind == "person", SearchDoc.sensitivity == "public")).all()
    return {rid for rid, facets in rows if FACET_VALUE in ((facets or {}).get(FACET) or [])}


def snapshot(case) -> dict:
    with case.reader(SYSTEM) as s:
        return {"parts": sorted(s.scalars(select(Participation.id))),
                "claims": sorted(s.execute(select(Claim.id, Claim.status, Claim.object_id, Claim.sensitivity)).all()),
                "citations": sorted(s.execute(select(Citation.claim_id, Citation.source_id, Citation.locator)).all()),
                "events": sorted(s.execute(select(Event.id, Event.sensitivity)).all())}


def test_the_case_report_memorial_search_victim_files_and_estimate_count_the_same_victims(case, lists, relink):
    import_public(case, lists)
    report = relink(case)
    with case.session(actor="reviewer") as s:
        for pid in sorted(documented_victims(s, PUBLIC)):
            clear(s, pid)
    table = capture_history(case, principal=SYSTEM)
    with case.reader(PUBLIC) as s:
        victims = documented_victims(s, PUBLIC)
        assert len(victims) == report.clusters == len(table) == table["person"].nunique()
        assert set(table["person"]) == victims
        assert case_report(s, "public")["counts"]["total"] == len(victims)
        assert {e.id for e in memorial_entries(s)} == victims
        assert facet_persons(s) == victims
        some = sorted(victims)[:5]
        for pid in some:
            fate = victim_file(s, pid, "public")["fate"]
            assert any(f["event"].event_type == "execution" and f["role"] == "victim" for f in fate)
    with case.reader(SYSTEM) as s:  # the team sees the same population
        assert documented_victims(s, operator()) == victims
        assert case_report(s, "internal")["counts"]["total"] == len(victims)


def test_the_report_says_how_many_documented_victims_are_on_the_lists_the_estimate_counts(case, lists, relink):
    """A victim known from a source but on no list is documented, not in the capture history: the report
    gives both numbers, and those on the lists are exactly the estimate's documented population."""
    from dadkhah.records.service import add_event, add_participation, add_person

    import_public(case, lists)
    relink(case)
    with case.session(actor="documenter") as s:
        ev = add_event(s, event_type="execution", label="Execution in Mashhad, 1988", date="1988")
        p = add_person(s, names=["Zahra Mirzaei", "زهرا میرزایی"], id="person-article-only")
        add_participation(s, event_id=ev.id, participant_id=p.id, role="victim")
    table = capture_history(case, principal=SYSTEM)
    with case.reader(operator()) as s:
        counts = case_report(s, "internal")["counts"]
        victims = documented_victims(s, operator())
    assert counts["total"] == len(victims) == len(table) + 1
    assert counts["on_lists"] == len(table) == table["person"].nunique()
    assert "person-article-only" in victims and "person-article-only" not in set(table["person"])


def test_each_role_cites_the_list_rows_it_comes_from_in_their_own_script(case, lists, relink):
    import_public(case, lists)
    relink(case)
    with case.reader(SYSTEM) as s:
        merge = max(active_merges(s), key=lambda m: len(m.records))
        person = s.get(Person, merge.person_id)
        prov = {(p["source_id"], f"row {p['row']}") for p in person.extra["linkage"]["records"]}
        fates = s.scalars(select(Claim).where(Claim.subject_id == person.id, Claim.predicate == "fate")).all()
        assert fates and all(c.object_id for c in fates)
        cited = {(ci.source_id, ci.locator) for c in fates for ci in c.citations}
        assert cited <= prov and cited
        for c in fates:
            for ci in c.citations:
                assert ci.quotation and ci.source.source_type == "list"
        parts = s.scalars(select(Participation).where(Participation.participant_id == person.id)).all()
        assert {p.role for p in parts} == {"victim"}
        assert "execution" in {s.get(Event, p.event_id).event_type for p in parts}
        entries = list_entries(s, person, operator())
        assert len(entries) == len(merge.records)
        assert {e["list"] for e in entries} == set(person.extra["linkage"]["lists"])
        if any(e["script"] == "fa" for e in entries):
            assert any(e["dir"] == "rtl" for e in entries)
        assert all(e["values"] for e in entries)


def test_a_rerun_changes_no_role_claim_or_citation(case, lists, relink):
    import_public(case, lists)
    relink(case)
    before = snapshot(case)
    again = relink(case)
    assert again.persons["created"] == again.persons["updated"] == again.persons["refreshed"] == 0
    assert snapshot(case) == before


def test_undoing_a_merge_moves_the_roles_with_the_records(case, lists, relink):
    import_public(case, lists)
    relink(case)
    with case.reader(SYSTEM) as s:
        merge = next(m for m in active_merges(s) if len(m.parts) >= 2)
        person, records = merge.person_id, set(merge.records)
    undo_merge(case, person, actor="maryam", principal=SYSTEM)
    with case.reader(SYSTEM) as s:
        merges = [m for m in active_merges(s) if set(m.records) & records]
        assert len(merges) >= 2
        victims = documented_victims(s, operator())
        for m in merges:
            assert m.person_id in victims
            rows = {(r["source_id"], f"row {r['row']}")
                    for r in s.get(Person, m.person_id).extra["linkage"]["records"]}
            cites = s.execute(select(Citation.source_id, Citation.locator).join(Claim)
                              .where(Claim.subject_id == m.person_id, Claim.id.like("link-%"))).all()
            assert cites and set(cites) <= rows  # no claim of a person cites a record it no longer stands for
        n_clusters = len({r for m in active_merges(s) for r in [m.person_id]})
        assert len(victims) == n_clusters


def test_a_restricted_list_gives_restricted_roles_the_public_does_not_count(case, lists, relink):
    import_public(case, lists, sensitivity="restricted")
    report = relink(case)
    with case.reader(SYSTEM) as s:
        assert len(documented_victims(s, operator())) == report.clusters
        assert documented_victims(s, PUBLIC) == set()
        assert case_report(s, "public")["counts"]["total"] == 0
        levels = Counter(s.scalars(select(Participation.sensitivity)))
        assert set(levels) == {"restricted"}
        assert s.scalar(select(func.count()).select_from(Claim).where(Claim.sensitivity == "public",
                                                                      Claim.id.like("link-%"))) == 0


def _write(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


@pytest.fixture
def two_lists(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    _write(a, ["نام و نام خانوادگی", "نام پدر", "تاریخ اعدام", "زندان"],
           [["مهدی رضایی", "علی", "۱۳۶۷/۰۵/۱۰", "زندان اوین"], ["زهرا احمدی", "حسن", "۱۳۶۷/۰۶/۰۲", "گوهردشت"]])
    _write(b, ["name", "father", "date of execution", "prison", "burial site"],
           [["Mehdi Rezaei", "Ali", "1988-09-20", "Gohardasht", "Khavaran"]])
    return a, b


def test_lists_that_disagree_give_contested_claims_side_by_side(case, two_lists, relink):
    a, b = two_lists
    import_list(case, a, "family-list")
    import_list(case, b, "ngo-list")
    relink(case)
    with case.reader(SYSTEM) as s:
        ids = {r.fields["full_name"]: r.id for r in s.scalars(select(ListRecord))}
    decide(case, (ids["مهدی رضایی"], ids["Mehdi Rezaei"]), "same", reviewer="maryam", principal=SYSTEM)
    with case.reader(SYSTEM) as s:
        merge = next(m for m in active_merges(s) if set(m.records) == {ids["مهدی رضایی"], ids["Mehdi Rezaei"]})
        pid = merge.person_id
        fates = s.scalars(select(Claim).where(Claim.subject_id == pid, Claim.predicate == "fate")).all()
        assert len(fates) == 2 and {c.status for c in fates} == {"contested"}
        places = {s.get(Event, c.object_id).label for c in fates}
        assert any("Evin" in p for p in places) and any("Gohardasht" in p for p in places)
        deaths = s.scalars(select(Claim).where(Claim.subject_id == pid, Claim.predicate == "death_date")).all()
        assert len(deaths) == 2 and {c.status for c in deaths} == {"contested"}
        lists_cited = {ci.source.title for c in fates for ci in c.citations}
        assert lists_cited == {"family-list", "ngo-list"}
        parts = s.scalars(select(Participation).where(Participation.participant_id == pid)).all()
        kinds = Counter(s.get(Event, p.event_id).event_type for p in parts)
        assert kinds["execution"] == 2 and kinds["burial"] == 1 and kinds["detention"] == 2
        # the one documented victim is counted once
        assert pid in documented_victims(s, operator())
        assert case_report(s, "internal")["counts"]["total"] == len(documented_victims(s, operator())) == 2
