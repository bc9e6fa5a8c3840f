"""Alembic environment: migrations run on the connection handed over by dashboard.store.engine."""

from alembic import context
from sqlalchemy import create_engine, text

from dashboard.store.models import Base

target_metadata = Base.metadata

#: Key of the PostgreSQL advisory lock held while migrating: app processes that start together on one
#: server migrate one after the other instead of racing to create the same tables.
MIGRATION_LOCK_KEY = 0x75D01_0013


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:  # command-line use: alembic -x url=sqlite:///var/tsudoi.sqlite upgrade head
        url = context.get_x_argument(as_dictionary=True)["url"]
        with create_engine(url).begin() as connection:
            _run_on(connection)
    else:
        _run_on(connection)


def _prepare_postgresql(connection) -> None:
    """Take the migration lock and make sure PostGIS is there (geometry columns need it).

    Creating an extension needs a superuser or the database owner with PostGIS trusted; a server whose
    administrator already ran ``CREATE EXTENSION postgis`` needs no such right.
    """
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    if connection.scalar(text("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")):
        return
    try:
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    except Exception as error:
        database = connection.scalar(text("SELECT current_database()"))
        raise RuntimeError(f"PostGIS がありません。サーバーの管理者が「CREATE EXTENSION postgis;」をデータベース {database} で"
                           f"実行してください (the PostGIS extension is missing and this role may not create it: "
                           f"{type(error).__name__}: {error})") from error


def _run_on(connection) -> None:
    if connection.dialect.name == "postgresql":
        _prepare_postgresql(connection)
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run()
