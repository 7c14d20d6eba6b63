"""Fixtures for the estimate tests: the reference tables shipped with the package."""

from __future__ import annotations

import pytest

from dadkhah.access import SYSTEM
from dadkhah.estimate.table import CaptureTable, example_path, read_table_csv


@pytest.fixture(scope="session")
def kosovo() -> CaptureTable:
    """Kosovo 1999, four lists (EXH, ABA, OSCE, HRW), 4,400 documented killings."""
    return read_table_csv(example_path("kosovo")).total


@pytest.fixture(scope="session")
def madigan_york() -> CaptureTable:
    """Madigan & York's (1997) three-list example, 626 observed."""
    return read_table_csv(example_path("madigan-york-3")).total


# --- a case with simulated lists imported and linked, at several sensitivities -------------------------------
# Lists: family-network and ngo public, roster and cemetery restricted, witness confidential. Built once per
# module and backend (on PostgreSQL in a schema of its own).

import os  # noqa: E402

LEVELS = {"family-network": "public", "ngo": "public", "roster": "restricted", "cemetery": "restricted",
          "witness": "confidential"}
PG_URL = os.environ.get("DADKHAH_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def sim_lists(tmp_path_factory):
    from dadkhah.testing.simulate_lists import simulate

    sim = simulate(150, 5, seed=21)
    folder = tmp_path_factory.mktemp("estimate-lists")
    sim.write(folder)
    return sim, folder


@pytest.fixture(scope="session")
def link_model(sim_lists):
    from dadkhah.linkage import engine
    from dadkhah.linkage.features import feature_frame

    records, _truth, _errors = sim_lists[0].parsed()
    return engine.train(feature_frame(records)).model


def _build_linked(case, sim_lists, model) -> None:
    from sqlalchemy import update

    from dadkhah.linkage.engine import EngineOptions
    from dadkhah.linkage.service import run_linkage
    from dadkhah.lists.importer import import_list
    from dadkhah.lists.mapping import load_mapping
    from dadkhah.lists.tables import ListRecord, VictimList

    sim, folder = sim_lists
    for sl in sim.lists:
        import_list(case, folder / sl.file_name, sl.name, mapping=load_mapping(folder / f"{sl.name}.mapping.yaml"))
    with case.session() as s:
        for name, level in LEVELS.items():
            vl = s.query(VictimList).filter_by(name=name).one()
            vl.sensitivity = level
            s.execute(update(ListRecord).where(ListRecord.list_id == vl.id).values(sensitivity=level))
    run_linkage(case, options=EngineOptions(model=model), principal=SYSTEM)


@pytest.fixture(scope="module", params=[pytest.param("sqlite", id="sqlite"),
                                        pytest.param("postgresql", id="pg", marks=pytest.mark.postgres)])
def linked_case(request, tmp_path_factory, sim_lists, link_model, private_case):
    with private_case(request, tmp_path_factory.mktemp("estimate-linked"), "t_est") as (case, _schema):
        _build_linked(case, sim_lists, link_model)
        yield case
