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


def _enable_sqlite_foreign_keys(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; for SQLite the parent folder is created and foreign keys enforced."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
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
