"""Alembic environment: runs on the connection dadkhah hands it (see dadkhah.store.migrate)."""

from alembic import context

from dadkhah.model import Base, load_all_tables

load_all_tables()
target_metadata = Base.metadata


def _include_object(obj, name, type_, reflected, compare_to):
    # The FTS5 shadow tables are created by raw DDL in the core migration.
    if type_ == "table" and name and name.startswith("search_fts"):
        return False
    return True


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        from sqlalchemy import create_engine

        url = context.config.get_main_option("sqlalchemy.url")
        if not url:
            raise RuntimeError("no sqlalchemy.url to migrate (dadkhah passes its connection)")
        connection = create_engine(url).connect()
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_object=_include_object,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
