"""The composition root: one open case = a database (SQLite or PostgreSQL) + a blob store.

    with Case.open(data_dir="dadkhah-data", create=True) as case:
        with case.session(actor="alice") as s:
            ...

``Case.session`` commits on success and rolls back on error, so an import either lands whole or
not at all. Before each commit the session keeps derived state current: claim statuses
(:mod:`dadkhah.claims.status`) and the search index (:mod:`dadkhah.store.search`). Every ORM write
is appended to the audit chain by :mod:`dadkhah.store.audit`.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, inspect, select
from sqlalchemy.orm import Session, sessionmaker

import dadkhah.records.indexing  # noqa: F401  (registers the core search indexers)
from dadkhah.access import Principal, need, operator, screen
from dadkhah.errors import DadkhahError
from dadkhah.model import Base, Citation, Claim, Entity, Event, Membership, NameForm, Participation, load_all_tables
from dadkhah.store import audit, migrate
from dadkhah.store.engine import make_engine, sqlite_url
from dadkhah.vault.anchor import note_appended

# automatic anchors (DADKHAH_ANCHOR_DIR): the store appends, the vault signs — wired here, above both
audit.set_append_hook(note_appended)


class CaseError(DadkhahError, RuntimeError):
    """A case cannot be opened or used as asked (message says why and what to do)."""


def default_actor() -> str:
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no user database in some containers
        return "operator"


@dataclass
class Case:
    engine: Engine
    data_dir: Path
    blob_spec: str | None = None
    actor: str = field(default_factory=default_actor)
    _blobs: Any = None
    # Told of each text a write session stored that names a protected witness (the writer is warned):
    # the CLI prints to stderr; the web sets its own to flash the message or return it in the API.
    warn: Any = None

    # --- opening ---------------------------------------------------------------------------------
    @classmethod
    def open(cls, *, data_dir: str | Path = "dadkhah-data", db_url: str | None = None,
             blobs: str | None = None, actor: str | None = None, create: bool = False,
             schema: str | None = None) -> Case:
        load_all_tables()
        data_dir = Path(data_dir)
        if db_url:
            try:
                engine = make_engine(db_url, schema=schema)
                with engine.connect():
                    pass
            except Exception as exc:
                raise CaseError(f"cannot connect to the database {db_url!r}: {exc}") from exc
        else:
            db_file = data_dir / "case.sqlite"
            if not db_file.exists() and not create:
                raise CaseError(f"no case in {data_dir}/ — run `dadkhah init` (or `dadkhah demo`) first, "
                                "or point --data/--db at an existing case")
            data_dir.mkdir(parents=True, exist_ok=True)
            engine = make_engine(sqlite_url(data_dir))
        if create or not migrate.is_current(engine):
            migrate.upgrade(engine)
        return cls(engine=engine, data_dir=data_dir, blob_spec=blobs or os.environ.get("DADKHAH_BLOBS"),
                   actor=actor or default_actor())

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Case:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- sessions --------------------------------------------------------------------------------
    @property
    def _sessionmaker(self) -> sessionmaker:
        sm = getattr(self, "_sm", None)
        if sm is None:
            sm = self._sm = sessionmaker(self.engine, expire_on_commit=False)
        return sm

    @contextmanager
    def session(self, *, actor: str | None = None, principal: Principal | None = None,
                on_warning=None) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back (nothing written) on error. Each text
        it stored that names a protected witness is reported to ``on_warning`` (default: ``self.warn``,
        else stderr) after the commit."""
        s = self._sessionmaker()
        s.info["actor"] = actor or self.actor
        s.info["principal"] = principal or operator(actor or self.actor)
        s.info["case"] = self
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise
        finally:
            warnings = screen.take_warnings(s)
            s.close()
        for message in warnings:
            (on_warning or self.warn or _warn_stderr)(message)

    @contextmanager
    def reader(self, principal: Principal) -> Iterator[Session]:
        """A read-only session (rolled back at the end), bound to ``principal`` — who will read what it
        loads; there is no default (:class:`dadkhah.access.MissingPrincipal`): the command line passes the
        audience it writes for, or the operator; internal jobs pass :data:`dadkhah.access.SYSTEM`. A reader
        who may not read witness identities reads protected witnesses' names as their pseudonyms in every
        row it loads."""
        principal = need(principal, "a read session")
        s = self._sessionmaker()
        s.info["principal"] = principal
        s.info["case"] = self
        screen.read_as(s, s.info["principal"])
        try:
            yield s
        finally:
            s.rollback()
            s.close()

    # --- blobs -----------------------------------------------------------------------------------
    @property
    def blobs(self):
        """The content-addressed store of originals (see :mod:`dadkhah.vault.blobs`)."""
        if self._blobs is None:
            from dadkhah.vault.blobs import open_blob_store

            self._blobs = open_blob_store(self.blob_spec, self.data_dir)
        return self._blobs

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def refresh_statistics(self) -> None:
        """Let the database's planner see the tables as they are now: after a bulk load, stale statistics
        make it pick nested loops over thousands of rows (PostgreSQL's autovacuum catches up only later)."""
        from sqlalchemy import text

        if self.backend == "postgresql":
            # The case's own tables only (a bare ANALYZE takes every table of the database, other cases'
            # schemas included, and deadlocks with a TRUNCATE or migration running in one of them).
            names = ", ".join(self.engine.dialect.identifier_preparer.quote(t.name)
                              for t in Base.metadata.sorted_tables)
            statement = f"ANALYZE {names}"
        else:
            statement = "PRAGMA optimize"
        with self.engine.connect() as conn:
            conn.execute(text(statement))
            conn.commit()


def _warn_stderr(message: str) -> None:
    import sys

    print(f"warning: {message}", file=sys.stderr)


# --- derived state kept current on every commit ----------------------------------------------------

def _touch(session: Session, obj) -> None:
    from dadkhah.store.search import indexer_for

    touched: dict = session.info.setdefault("touched", {})
    if isinstance(obj, NameForm):
        if obj.entity is not None:
            touched[("entity", obj.entity_id)] = obj.entity
        return
    if isinstance(obj, Citation):
        claim = obj.claim
        if claim is not None:
            touched[("claim", claim.id)] = claim
        return
    if isinstance(obj, (Membership, Participation)):
        other = session.get(Entity, obj.member_id if isinstance(obj, Membership) else obj.participant_id)
        if other is not None:
            touched[("entity", other.id)] = other
    if isinstance(obj, Event) and inspect(obj).key is not None and _moved(obj):
        # participants' place and period facets come from their events
        ids = select(Participation.participant_id).where(Participation.event_id == obj.id)
        for other in session.scalars(select(Entity).where(Entity.id.in_(ids))):
            touched[("entity", other.id)] = other
    if indexer_for(obj) is not None:
        state = inspect(obj)
        # a row inserted by this flush has no identity key yet, but its primary key is set
        ident = state.identity or state.mapper.primary_key_from_instance(obj)
        key = ident[0] if ident and ident[0] is not None else id(obj)
        family = "entity" if isinstance(obj, Entity) else "claim" if isinstance(obj, Claim) else type(obj).__name__
        touched[(family, key)] = obj


def _moved(event_: Event) -> bool:
    state = inspect(event_)
    return any(state.attrs[a].history.has_changes() for a in ("place_id", "date_low", "date_high", "sensitivity"))


@event.listens_for(Session, "after_flush")
def _collect_touched(session: Session, _ctx) -> None:
    if session.info.get("indexing") or "case" not in session.info:
        return
    for obj in (*session.new, *session.dirty, *session.deleted):
        _touch(session, obj)


@event.listens_for(Session, "before_commit", insert=True)  # before the audit chain's
def _refresh_derived(session: Session) -> None:
    if "case" not in session.info:
        return
    from dadkhah.claims.status import refresh_statuses
    from dadkhah.store.search import reindex

    session.flush()
    touched = session.info.pop("touched", {})
    if not touched:
        return
    claims = [o for o in touched.values() if isinstance(o, Claim) and not inspect(o).was_deleted]
    if claims:
        refresh_statuses(session, claims)
        session.flush()
        touched.update(session.info.pop("touched", {}))
    session.info["indexing"] = True
    try:
        for obj in touched.values():
            reindex(session, obj)
        session.flush()
    finally:
        session.info["indexing"] = False
