"""Shared fixtures: every test that takes ``case`` runs on BOTH backends.

- SQLite: a case folder in ``tmp_path`` (copied from a template migrated once per session).
- PostgreSQL: the server at ``DADKHAH_TEST_PG`` (default ``postgresql://postgres@127.0.0.1:5432/test``),
  in a schema of its own per test worker, migrated once and emptied between tests.
  Without a server the PostgreSQL variant is skipped — except under ``CI=true``, where it fails.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

from dadkhah.case import Case
from dadkhah.testing.synthetic_case import close_shared_cases, shared_synthetic_case

PG_URL = os.environ.get("DADKHAH_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
BACKENDS = [pytest.param("sqlite", id="sqlite"), pytest.param("postgresql", id="pg", marks=pytest.mark.postgres)]


def _pg_available() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_URL.replace("postgresql+psycopg", "postgresql"), connect_timeout=3):
            return None
    except Exception as exc:  # noqa: BLE001
        return str(exc)


@pytest.fixture(scope="session")
def pg_schema(worker_id="master"):
    problem = _pg_available()
    if problem:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required under CI but cannot be reached at {PG_URL}: {problem}")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {problem}")
    from sqlalchemy import create_engine

    schema = f"t_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://"))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    case = Case.open(db_url=PG_URL, schema=schema, create=True, data_dir=Path("/nonexistent"))
    case.close()
    yield schema
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("template")
    Case.open(data_dir=folder, create=True).close()
    return folder


def _truncate_all(case: Case) -> None:
    from dadkhah.model import Base

    names = [t.name for t in Base.metadata.sorted_tables]
    with case.engine.begin() as conn:
        conn.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def case(request, backend, tmp_path, sqlite_template) -> Case:
    """An empty case on the backend under test, with its blob folder in ``tmp_path``."""
    data = tmp_path / "case"
    if backend == "sqlite":
        shutil.copytree(sqlite_template, data)
        c = Case.open(data_dir=data, actor="tester")
    else:
        schema = request.getfixturevalue("pg_schema")
        data.mkdir()
        c = Case.open(db_url=PG_URL, schema=schema, data_dir=data, actor="tester")
        _truncate_all(c)
    yield c
    c.close()


@pytest.fixture
def sqlite_case(tmp_path, sqlite_template) -> Case:
    """A case on SQLite only (for tests about the embedded default itself)."""
    data = tmp_path / "case"
    shutil.copytree(sqlite_template, data)
    c = Case.open(data_dir=data, actor="tester")
    yield c
    c.close()


# --- the fictional case of dadkhah.testing.synthetic_case, built once per test process and backend ------------
# Shared by tests/casework, tests/dossier and tests/publish (building it takes seconds). ``synthetic`` runs a
# test on SQLite and on PostgreSQL; ``synthetic_sqlite`` on SQLite only (for the command line, which takes a
# case folder). Tests read it; a test that writes takes a private copy of the folder or the empty ``case``.


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


@pytest.fixture(scope="session")
def private_case():
    """``with private_case(request, folder, prefix) as (case, schema)``: a case of its own for module-scoped
    fixtures — a copy of the SQLite template, or a PostgreSQL schema of its own (so other tests' truncation
    does not touch it), dropped afterwards. ``request.param`` names the backend."""
    from sqlalchemy import create_engine

    @contextlib.contextmanager
    def make(request, folder: Path, prefix: str):
        schema, admin = None, None
        if request.param == "sqlite":
            shutil.copytree(request.getfixturevalue("sqlite_template"), folder / "case")
            case = Case.open(data_dir=folder / "case", actor="tester")
        else:
            request.getfixturevalue("pg_schema")  # skips (or fails under CI) without a server
            schema = f"{prefix}_{uuid.uuid4().hex[:8]}"
            admin = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://"))
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            case = Case.open(db_url=PG_URL, schema=schema, data_dir=folder, actor="tester", create=True)
        try:
            yield case, schema
        finally:
            case.close()
            if admin is not None:
                with admin.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()

    return make
