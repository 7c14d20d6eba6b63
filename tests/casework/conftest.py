"""The fictional case of :mod:`dadkhah.casework.synthetic`, built at most once per test session and backend.

Tests that only read share it: ``synthetic`` runs a test on SQLite and on PostgreSQL (in a schema of
its own), ``synthetic_sqlite`` on SQLite only (for the command line, which takes a case folder).
A test that writes takes a private copy, or the empty ``case`` fixture.
"""

from __future__ import annotations

import os
from contextlib import ExitStack

import pytest

from dadkhah.casework.synthetic import synthetic_case

PG_URL = os.environ.get("DADKHAH_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def synthetic_store(tmp_path_factory):
    built: dict[str, tuple] = {}
    with ExitStack() as stack:
        def get(backend: str) -> tuple:
            if backend not in built:
                folder = tmp_path_factory.mktemp(f"synthetic-{backend}")
                db_url = PG_URL if backend == "postgresql" else None
                built[backend] = stack.enter_context(synthetic_case(folder, db_url=db_url))
            return built[backend]

        yield get


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
