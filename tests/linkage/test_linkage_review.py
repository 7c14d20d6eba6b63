"""Clerical review: uncertain pairs side by side, decisions as hard constraints that survive re-runs, undo."""

from collections import Counter

import pytest
from sqlalchemy import select

from dadkhah.access import SYSTEM, Forbidden, Principal, Role
from dadkhah.errors import InputError
from dadkhah.linkage.merge import active_merges
from dadkhah.linkage.review import decide, next_pairs, pair_detail, undo_merge
from dadkhah.linkage.service import current_clusters
from dadkhah.linkage.tables import LinkDecision


def clusters(case) -> dict[int, str]:
    with case.reader(SYSTEM) as s:
        return current_clusters(s)


def a_cluster_of(case, size: int) -> list[int]:
    c = clusters(case)
    key = next(k for k, n in Counter(c.values()).items() if n >= size)
    return sorted(r for r, k in c.items() if k == key)


def test_review_offers_the_most_uncertain_undecided_pairs_first(linked):
    case, report = linked
    pairs = next_pairs(case, 5, principal=SYSTEM)
    assert pairs, "the simulated lists have uncertain pairs"
    distance = [abs(p["match_probability"] - report.threshold) for p in pairs]
    assert all(0.2 <= p["match_probability"] < 0.995 for p in pairs)
    assert distance[0] <= distance[-1] + 0.5


def test_a_pair_is_shown_side_by_side_in_the_original_script_with_the_models_reasons(linked):
    case, _ = linked
    a, b = a_cluster_of(case, 2)[:2]
    d = pair_detail(case, (b, a), principal=SYSTEM)
    assert d["records"] == [a, b] and d["same_cluster"]
    sides = (d["left"], d["right"])
    assert all(side["original"] and side["list"] and side["row"] >= 1 for side in sides)
    headers = {h for side in sides for h in side["original"]}
    assert headers  # the list's own headers, e.g. "نام پدر" or "Father's Name"
    assert {c["comparison"] for c in d["comparisons"]} >= {"given", "family"} or d["pair"] is None


def test_a_different_decision_splits_a_cluster_and_survives_a_rerun(linked, relink):
    case, _ = linked
    members = a_cluster_of(case, 2)
    a, b = members[0], members[-1]
    result = decide(case, (a, b), "different", "maryam", note="different fathers", principal=SYSTEM)
    assert result["clusters_before"][0] == result["clusters_before"][1]
    assert result["clusters_after"][0] != result["clusters_after"][1]
    with case.reader(SYSTEM) as s:
        d = s.scalars(select(LinkDecision)).one()
        assert (d.decision, d.reviewer, d.note, d.record_l, d.record_r) == ("different", "maryam",
                                                                            "different fathers", a, b)
        assert d.decided_at is not None
    again = relink(case)
    assert again.decisions["different"] == 1
    after = clusters(case)
    assert after[a] != after[b]


def test_a_same_decision_merges_two_clusters_and_survives_a_rerun(linked, relink):
    case, _ = linked
    c = clusters(case)
    singles = [r for r, k in c.items() if list(c.values()).count(k) == 1][:2]
    a, b = singles
    result = decide(case, (a, b), "same", "maryam", principal=SYSTEM)
    assert result["clusters_after"][0] == result["clusters_after"][1]
    relink(case)
    after = clusters(case)
    assert after[a] == after[b]
    assert len(pair_detail(case, (a, b), principal=SYSTEM)["decisions"]) == 1


def test_an_unsure_decision_is_recorded_but_changes_no_cluster(linked):
    case, _ = linked
    before = clusters(case)
    a, b = a_cluster_of(case, 2)[:2]
    decide(case, (a, b), "unsure", "maryam", principal=SYSTEM)
    assert clusters(case) == before
    everything = next_pairs(case, 1000, principal=SYSTEM)
    assert next_pairs(case, 1000, include_decided=False, principal=SYSTEM) == [
        p for p in everything if set(p["records"]) != {a, b}]


def test_a_later_decision_on_the_same_pair_supersedes_the_earlier_one(linked):
    case, _ = linked
    a, b = a_cluster_of(case, 2)[:2]
    decide(case, (a, b), "different", "maryam", principal=SYSTEM)
    decide(case, (a, b), "same", "reza", note="same father after all", principal=SYSTEM)
    assert clusters(case)[a] == clusters(case)[b]
    history = pair_detail(case, (a, b), principal=SYSTEM)["decisions"]
    assert [(h["decision"], h["reviewer"]) for h in history] == [("different", "maryam"), ("same", "reza")]


def test_decisions_need_a_known_decision_a_reviewer_and_the_right_to_review(linked):
    case, _ = linked
    a, b = a_cluster_of(case, 2)[:2]
    with pytest.raises(InputError, match="same, different, unsure"):
        decide(case, (a, b), "maybe", "maryam", principal=SYSTEM)
    with pytest.raises(InputError, match="reviewer"):
        decide(case, (a, b), "same", " ", principal=SYSTEM)
    with pytest.raises(Forbidden):
        decide(case, (a, b), "same", "guest", principal=Principal("guest", Role.viewer))


def test_undoing_a_merge_separates_its_records_and_keeps_them_apart_in_reruns(linked, relink):
    case, _ = linked
    with case.reader(SYSTEM) as s:
        merge = next(m for m in active_merges(s) if len(m.records) >= 2)
        person, records = merge.person_id, sorted(merge.records)
    result = undo_merge(case, person, actor="maryam", principal=SYSTEM)
    assert result["decisions"] == len(records) * (len(records) - 1) // 2
    after = clusters(case)
    assert len({after[r] for r in records}) == len(records)
    with case.reader(SYSTEM) as s:
        assert person in {m.person_id for m in active_merges(s)}  # the person keeps one of its records
        origins = {d.origin for d in s.scalars(select(LinkDecision))}
        assert origins == {"undo-merge"}
    relink(case)
    again = clusters(case)
    assert len({again[r] for r in records}) == len(records)


def test_undoing_a_person_of_a_single_record_is_refused(linked):
    case, _ = linked
    with case.reader(SYSTEM) as s:
        single = next(m.person_id for m in active_merges(s) if len(m.records) == 1)
    with pytest.raises(InputError, match="nothing to undo"):
        undo_merge(case, single, principal=SYSTEM)


@pytest.mark.slow  # trains the model twice (about 10 s)
def test_same_decisions_re_estimate_the_model_at_the_next_run(sqlite_case, import_lists):
    from dadkhah.linkage.engine import EngineOptions
    from dadkhah.linkage.service import run_linkage

    import_lists(sqlite_case)
    options = EngineOptions(min_labels=3)
    run_linkage(sqlite_case, options=options, principal=SYSTEM)
    for c in list({k for k in clusters(sqlite_case).values()})[:40]:
        members = sorted(r for r, k in clusters(sqlite_case).items() if k == c)
        if len(members) >= 2:
            decide(sqlite_case, (members[0], members[1]), "same", "maryam", principal=SYSTEM)
    again = run_linkage(sqlite_case, options=options, principal=SYSTEM)
    assert again.labels_used >= 3 and again.decisions["same"] == again.labels_used


def test_a_level_that_could_not_be_told_from_its_weight_is_shown_as_not_known_on_the_review_page(linked):
    from fastapi.testclient import TestClient

    from dadkhah.linkage.engine import LEVEL_UNKNOWN
    from dadkhah.linkage.service import UNKNOWN_LEVEL_LABEL
    from dadkhah.linkage.tables import LinkPair
    from dadkhah.web.app import Settings, create_app
    from dadkhah.web.users import create_user, issue_token

    case, _ = linked
    with case.session() as s:
        pair = s.scalars(select(LinkPair).order_by(LinkPair.id).limit(1)).one()
        pair.levels = {**pair.levels, "given": LEVEL_UNKNOWN}
        key, pair_id = (pair.record_l, pair.record_r), pair.id
        token = issue_token(s, create_user(s, "rev", "reviewer", "a-long-enough-password"), "tests")
    shown = {c["comparison"]: c for c in pair_detail(case, key, principal=SYSTEM)["comparisons"]}
    assert shown["given"]["level"] == UNKNOWN_LEVEL_LABEL and shown["given"]["gamma"] == LEVEL_UNKNOWN
    assert shown["family"]["level"] != UNKNOWN_LEVEL_LABEL

    client = TestClient(create_app(case, Settings()), headers={"Authorization": f"Bearer {token}"})
    for lang, words in (("en", "level not known"), ("fa", "میزان توافق معلوم نیست")):
        html = client.get(f"/review/{pair_id}", params={"lang": lang}).text
        assert words in html
