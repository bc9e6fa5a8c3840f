"""Alembic environment: migrations run on the connection handed over by dashboard.store.engine."""

from alembic import context
from sqlalchemy import create_engine

from dashboard.store.models import Base

target_metadata = Base.metadata


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:  # command-line use: alembic -x url=sqlite:///var/tsudoi.sqlite upgrade head
        url = context.get_x_argument(as_dictionary=True)["url"]
        with create_engine(url).begin() as connection:
            _run_on(connection)
    else:
        _run_on(connection)


def _run_on(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run()
