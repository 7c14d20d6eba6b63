"""Fixtures for linkage: a small simulated population with its lists written to files, a model trained on
it once per session (so storage tests run the linkage in a second), and cases with the lists imported and
linked — one per module and backend for read-only tests (``linked_once``), and a fresh copy of it for
tests that change it (``linked``). Also registers the ``spark`` marker (the Spark test can be deselected
with ``-m "not spark"``; CI runs it)."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from dadkhah.testing.simulate_lists import Simulation, simulate

PG_URL = os.environ.get("DADKHAH_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def pytest_configure(config):
    config.addinivalue_line("markers", "spark: runs Splink on a local Spark session (needs pyspark and Java)")


@dataclass
class Lists:
    sim: Simulation
    folder: Path

    def truth(self) -> dict[tuple[str, int], int]:
        """(list, row) → person."""
        return {(name, row): person for name, row, person in self.sim.truth()}


@pytest.fixture(scope="session")
def lists(tmp_path_factory) -> Lists:
    sim = simulate(80, 5, seed=11)
    folder = tmp_path_factory.mktemp("lists")
    sim.write(folder)
    return Lists(sim, folder)


@pytest.fixture(scope="session")
def trained_model(lists) -> dict:
    from dadkhah.linkage import engine
    from dadkhah.linkage.features import feature_frame

    records, _truth, _errors = lists.sim.parsed()
    return engine.train(feature_frame(records)).model


def import_all(case, lists: Lists) -> None:
    from dadkhah.lists.importer import import_list
    from dadkhah.lists.mapping import load_mapping

    for sl in lists.sim.lists:
        import_list(case, lists.folder / sl.file_name, sl.name,
                    mapping=load_mapping(lists.folder / f"{sl.name}.mapping.yaml"))


def link(case, model: dict, **kw):
    from dadkhah.access import SYSTEM
    from dadkhah.linkage.engine import EngineOptions
    from dadkhah.linkage.service import run_linkage

    kw.setdefault("principal", SYSTEM)
    return run_linkage(case, options=EngineOptions(model=model), **kw)


@pytest.fixture
def import_lists(lists):
    """Import the simulated lists into a case."""
    return lambda case: import_all(case, lists)


@pytest.fixture
def relink(trained_model):
    """Run the linkage again on a case (with the session's model)."""
    return lambda case, **kw: link(case, trained_model, **kw)


@pytest.fixture(scope="module", params=[pytest.param("sqlite", id="sqlite"),
                                        pytest.param("postgresql", id="pg", marks=pytest.mark.postgres)])
def linked_once(request, tmp_path_factory, lists, trained_model, private_case):
    """The simulated lists imported and linked with the session's model, once per module and backend (on
    PostgreSQL in a schema of its own, so other tests' truncation does not touch it). For read-only tests;
    tests that change the case take ``linked``."""
    with private_case(request, tmp_path_factory.mktemp("linked"), "t_link") as (case, schema):
        import_all(case, lists)
        report = link(case, trained_model)
        case.template_schema = schema
        yield case, report


@pytest.fixture
def linked(request, linked_once, tmp_path):
    """A fresh copy of the module's linked case (same backend), for tests that change it: the SQLite case
    folder is copied; on PostgreSQL the worker's schema is emptied and filled from the linked schema."""
    from dadkhah.case import Case
    from dadkhah.model import Base

    template, report = linked_once
    if template.template_schema is None:
        shutil.copytree(template.data_dir, tmp_path / "case")
        case = Case.open(data_dir=tmp_path / "case", actor="tester")
    else:
        schema = request.getfixturevalue("pg_schema")
        case = Case.open(db_url=PG_URL, schema=schema, data_dir=tmp_path, actor="tester")
        copy_schema(case.engine, template.template_schema, schema, Base.metadata.sorted_tables)
    yield case, report
    case.close()


def copy_schema(engine, source: str, target: str, tables) -> None:
    """Empty every table of ``target`` and fill it from ``source``; serial counters follow."""
    names = [t.name for t in tables]
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY CASCADE"))
        for t in tables:
            conn.execute(text(f'INSERT INTO "{target}"."{t.name}" SELECT * FROM "{source}"."{t.name}"'))
            if "id" not in t.c or t.c.id.type.python_type is not int:
                continue
            qualified = f'"{target}"."{t.name}"'
            seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": qualified}).scalar()
            if seq:
                top = conn.execute(text(f'SELECT COALESCE(MAX(id), 0) FROM "{target}"."{t.name}"')).scalar()
                conn.execute(text("SELECT setval(CAST(:seq AS regclass), :v, false)"), {"seq": seq, "v": top + 1})
