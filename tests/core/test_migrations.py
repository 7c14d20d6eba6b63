"""The migrations build exactly the schema the models describe, on both backends."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from dadkhah.model import Base, load_all_tables
from dadkhah.store import migrate


def _ignore_fts(obj, name, type_, reflected, compare_to):
    return not (type_ == "table" and name and name.startswith("search_fts")) and not (
        type_ == "index" and name == "ix_search_doc_fts")


def test_migrated_database_matches_the_models(case):
    load_all_tables()
    with case.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_object": _ignore_fts, "compare_type": False})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []


def test_case_is_at_every_migration_head(case):
    assert migrate.is_current(case.engine)
