"""Every read takes a principal: a missing one is an error (MissingPrincipal), never "everything" — the
read session itself, the linkage (review queue, pairs, clusters, their export and the capture history),
the chain of command, web captures and the memorial's clearance. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from dadkhah.access import SYSTEM, MissingPrincipal, audience
from dadkhah.records import add_person

PUBLIC = audience("public")


def test_a_read_session_needs_its_reader(case):
    with pytest.raises(TypeError):
        with case.reader():  # type: ignore[call-arg]
            pass
    with pytest.raises(MissingPrincipal):
        with case.reader(None):  # type: ignore[arg-type]
            pass
    with case.reader(PUBLIC) as s:
        assert s.info["principal"] is PUBLIC


def test_the_linkage_reads_need_a_principal(case):
    from dadkhah.linkage import review, service
    from dadkhah.linkage.capture import capture_history

    with case.reader(SYSTEM) as s:
        for call in (lambda: service.active_records(s, None), lambda: service.export_rows(s, None),
                     lambda: service.clusters_at(s, principal=None), lambda: service.explain_cluster(s, "c1", None)):
            with pytest.raises(MissingPrincipal):
                call()
    for call in (lambda: review.next_pairs(case, 5, principal=None),
                 lambda: review.pair_detail(case, 1, principal=None),
                 lambda: review.decide(case, 1, "same", "maryam", principal=None),
                 lambda: review.undo_merge(case, "person-x", principal=None),
                 lambda: service.recluster(case, principal=None),
                 lambda: service.run_linkage(case, principal=None),
                 lambda: capture_history(case, principal=None)):
        with pytest.raises(MissingPrincipal):
            call()


def test_a_reviewer_may_decide_and_recluster_but_not_run_the_linkage(case):
    from dadkhah.access import Forbidden, Principal, Role
    from dadkhah.linkage import service

    reviewer = Principal("rev", Role.reviewer)
    with pytest.raises(Forbidden):
        service.run_linkage(case, principal=reviewer)
    with pytest.raises(Forbidden):
        service.recluster(case, principal=Principal("viewer", Role.viewer))


def test_the_chain_of_command_needs_a_principal(case):
    from dadkhah.casework.chain import build_command_graph, co_members, subordinates, superiors

    with case.session() as s:
        add_person(s, names=["Hamid Nouri"], id="person-nouri")
    with case.reader(SYSTEM) as s:
        for call in (lambda: build_command_graph(s, None, principal=None),
                     lambda: superiors(s, "person-nouri", principal=None),
                     lambda: subordinates(s, "person-nouri", principal=None),
                     lambda: co_members(s, "person-nouri", principal=None)):
            with pytest.raises(MissingPrincipal):
                call()
        graph = build_command_graph(s, None, principal=SYSTEM)
        with pytest.raises(ValueError, match="built for system"):
            superiors(s, "person-nouri", principal=PUBLIC, graph=graph)  # a graph is read by whom it was built for


def test_a_capture_needs_a_principal(case):
    from dadkhah.capture.service import capture_urls

    with pytest.raises(MissingPrincipal):
        capture_urls(case, ["https://example.org/"], principal=None)


def test_clearing_for_the_memorial_in_a_bare_session_is_refused(case):
    from dadkhah.publish.clearance import clear

    with Session(case.engine) as s:  # no principal bound: refused, not waved through
        with pytest.raises(MissingPrincipal):
            clear(s, "person-nobody")


def test_a_dossier_names_its_audience():
    import inspect

    from dadkhah.dossier.person import person_dossier
    from dadkhah.dossier.report import case_report
    from dadkhah.dossier.site import site_file
    from dadkhah.dossier.victim import victim_file

    for build in (person_dossier, case_report, site_file, victim_file):
        assert inspect.signature(build).parameters["audience"].default is inspect.Parameter.empty, build.__name__
