"""Schema migrations (Alembic), run programmatically on either backend.

Each capability owns one migration *branch* in ``store/migrations/versions`` (core, vault, lists,
web…), labelled with its name and depending on ``core``; ``upgrade`` applies all heads. To add a
migration for a capability::

    python -m dadkhah.store.migrate revision --branch vault -m "add thumbnails"
"""

from __future__ import annotations

import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(connection=None, url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("path_separator", "os")
    if url:
        cfg.set_main_option("sqlalchemy.url", url)
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine: Engine) -> None:
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "heads")


def heads() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def current(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def is_current(engine: Engine) -> bool:
    """True when every migration (of every capability branch) has been applied."""
    cur = current(engine)
    if not cur:
        return False
    script = ScriptDirectory.from_config(alembic_config())
    applied = {r.revision for r in script.iterate_revisions(tuple(cur), "base")}
    return heads() <= applied


def main(argv: list[str]) -> None:  # pragma: no cover - developer tool
    import argparse

    p = argparse.ArgumentParser(prog="python -m dadkhah.store.migrate")
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("revision")
    r.add_argument("--branch", required=True)
    r.add_argument("-m", "--message", required=True)
    r.add_argument("--url", default="sqlite:////tmp/dadkhah-migrate.sqlite")
    r.add_argument("--new-branch", action="store_true", help="start the branch (depends on core)")
    args = p.parse_args(argv)
    from dadkhah.store.engine import make_engine

    engine = make_engine(args.url)
    upgrade(engine)
    with engine.begin() as conn:
        cfg = alembic_config(conn)
        if args.new_branch:
            command.revision(cfg, message=args.message, autogenerate=True, head="base",
                             branch_label=args.branch, depends_on="core", rev_id=f"{args.branch}_0001")
        else:
            command.revision(cfg, message=args.message, autogenerate=True, head=f"{args.branch}@head")


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
