"""The fictional case of :mod:`dadkhah.casework.synthetic`, built once per test process and backend and
shared by tests/casework, tests/dossier and tests/publish (building it takes seconds).

``synthetic`` runs a test on SQLite and on PostgreSQL (in a schema of its own); ``synthetic_sqlite``
on SQLite only (for the command line, which takes a case folder). Tests read it; a test that needs
to write takes a private copy of the folder, or the empty ``case`` fixture. (The memorial tests clear
the fictional victims for publication, which nothing else reads.)
"""

from __future__ import annotations

import os

import pytest

from dadkhah.casework.synthetic import close_shared_cases, shared_synthetic_case

PG_URL = os.environ.get("DADKHAH_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def synthetic_store(tmp_path_factory):
    def get(backend: str) -> tuple:
        return shared_synthetic_case(backend, lambda: tmp_path_factory.mktemp(f"synthetic-{backend}"),
                                     db_url=PG_URL if backend == "postgresql" else None)

    yield get
    close_shared_cases()  # the first folder to finish closes them all; the others find nothing to do


@pytest.fixture(scope="session", params=[pytest.param("sqlite", id="sqlite"),
                                         pytest.param("postgresql", id="pg", marks=pytest.mark.postgres)])
def synthetic(request, synthetic_store):
    """``(case, ids)`` on each backend."""
    if request.param == "postgresql":
        request.getfixturevalue("pg_schema")  # skips (or fails under CI) without a server
    return synthetic_store(request.param)


@pytest.fixture(scope="session")
def synthetic_sqlite(synthetic_store):
    """``(case, ids)`` on SQLite."""
    return synthetic_store("sqlite")
