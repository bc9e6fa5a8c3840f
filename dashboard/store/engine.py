"""Engine creation, schema migration (Alembic) and the write transaction helper.

Two backends: an embedded SQLite file (the default) and a PostgreSQL server with PostGIS
(``DATABASE_URL=postgresql+psycopg://…``) that several app processes share. Everything above this
module is the same for both.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, Integer, Text, cast, create_engine, event, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from dashboard.store.models import Meta

_MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return config


#: How long a SQLite writer waits for another writer before "database is locked" (seconds). Readers
#: never wait: in WAL mode they read the last committed state while an import is writing.
SQLITE_BUSY_TIMEOUT_S = 30


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL: a long import no longer locks out the residents reading the map (issue #11: 2 of 6 page
    # loads failed during a 20,000-row import). The mode is stored in the file, so this is a no-op
    # after the first connection; in-memory databases stay "memory". WAL needs a local disk (not NFS/SMB).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


#: Connections one app process keeps open to a PostgreSQL server, and how many more it may open at a
#: peak. A Streamlit process runs every browser session's page in a thread of its own, each holding a
#: connection only while it reads or writes; 5 + 10 per process lets 10 processes share a server's
#: default ``max_connections = 100``.
POSTGRES_POOL_SIZE = 5
POSTGRES_MAX_OVERFLOW = 10
#: Server connections older than this are replaced (seconds): firewalls and poolers drop idle ones.
POSTGRES_POOL_RECYCLE_S = 1800
#: How long a PostgreSQL writer waits for a row another process holds (an edit of a place an import is
#: rewriting) before failing instead of hanging: as long as a SQLite writer waits for the file.
POSTGRES_LOCK_TIMEOUT_S = SQLITE_BUSY_TIMEOUT_S
#: Connection options sent to PostgreSQL. ``timezone=UTC``: ``CURRENT_TIMESTAMP`` defaults are stored
#: in UTC, as SQLite stores them, whatever the server's zone.
POSTGRES_OPTIONS = f"-c timezone=UTC -c lock_timeout={POSTGRES_LOCK_TIMEOUT_S * 1000}"


def is_postgresql(engine_or_url) -> bool:
    """True for a PostgreSQL store (an engine, a connection or a URL)."""
    if isinstance(engine_or_url, str):
        return make_url(engine_or_url).get_backend_name() == "postgresql"
    return engine_or_url.dialect.name == "postgresql"


def make_engine(url: str) -> Engine:
    """An engine for ``url``.

    SQLite: the parent folder is created, foreign keys are enforced, the journal is WAL (readers never
    wait for a writer) and writers wait up to :data:`SQLITE_BUSY_TIMEOUT_S`. PostgreSQL: a pool of
    :data:`POSTGRES_POOL_SIZE` connections checked before use (``pool_pre_ping``: a restarted server
    or a dropped idle connection costs a reconnect, not an error on a page), in UTC.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":  # a plain postgresql:// URL: psycopg 3 is the driver we ship
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, pool_pre_ping=True, pool_size=POSTGRES_POOL_SIZE,
                             max_overflow=POSTGRES_MAX_OVERFLOW, pool_recycle=POSTGRES_POOL_RECYCLE_S,
                             connect_args={"options": POSTGRES_OPTIONS})
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url)
    # pysqlite's timeout is SQLite's busy timeout: writers queue behind each other instead of failing.
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (creates it on an empty database).

    On PostgreSQL the whole upgrade is one transaction (DDL included) under an advisory lock, so app
    processes starting together migrate one after the other; the PostGIS extension is created when
    missing (which needs a role allowed to, see ``migrations/env.py``)."""
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def is_current(engine: Engine) -> bool:
    """True when the database is at the newest migration."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() == head


def open_store(url: str) -> Engine:
    """Engine for ``url`` with the schema migrated to head."""
    engine = make_engine(url)
    migrate(engine)
    return engine


def _bump_revision(session: Session) -> None:
    """``revision + 1`` in one UPDATE, so concurrent writers never read the same value and write the
    same successor (a lost bump would leave other processes' caches stale). On PostgreSQL the UPDATE
    locks the row until commit: writers' commits queue here, each seeing its predecessor's value. It
    runs last in the transaction (after the autoflush), so no other lock is ever awaited while it is held."""
    bumped = session.execute(update(Meta).where(Meta.key == "revision")
                             .values(value=cast(cast(Meta.value, Integer) + 1, Text))
                             .execution_options(synchronize_session=False))
    if bumped.rowcount == 0:  # a store whose row was removed by hand (migration 0007 creates it)
        session.add(Meta(key="revision", value="1"))


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """One write transaction: commits on success, rolls back on any exception, bumps ``revision``.

    The revision lets caches key on "what is in the store" without hashing data; it is the store's,
    so every app process sharing a server sees another's write at its next page run.
    """
    session = sessionmaker(engine, expire_on_commit=False)()
    try:
        with session.begin():
            yield session
            _bump_revision(session)
    finally:
        session.close()


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    session = sessionmaker(engine)()
    try:
        yield session
    finally:
        session.close()


def revision(engine: Engine) -> int:
    """The store revision (0 for a store never written)."""
    with read_session(engine) as session:
        value = session.scalar(select(Meta.value).where(Meta.key == "revision"))
    return int(value) if value else 0
