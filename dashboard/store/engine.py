"""Engine creation, schema migration (Alembic) and the write transaction helper."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, select
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


def make_engine(url: str) -> Engine:
    """An engine for ``url``; for SQLite the parent folder is created, foreign keys are enforced, the
    journal is WAL (readers never wait for a writer) and writers wait up to :data:`SQLITE_BUSY_TIMEOUT_S`."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url)
    # pysqlite's timeout is SQLite's busy timeout: writers queue behind each other instead of failing.
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (creates it on an empty database)."""
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


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """One write transaction: commits on success, rolls back on any exception, bumps ``revision``.

    The revision lets caches key on "what is in the store" without hashing data.
    """
    session = sessionmaker(engine, expire_on_commit=False)()
    try:
        with session.begin():
            yield session
            meta = session.get(Meta, "revision")
            if meta is None:
                session.add(Meta(key="revision", value="1"))
            else:
                meta.value = str(int(meta.value) + 1)
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
