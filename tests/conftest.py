"""Shared fixtures.

The 蕨市 demo store is built once per test session (about a second) and reused: tests that
only read use ``demo_db_url``/``demo_db_path``; tests that write take ``demo_db_copy`` (a fresh
file copy per test) so the session build is never modified.

Both backends: ``store_url`` (an empty store) and ``demo_store_url`` (a private copy of the demo) run a
test once on SQLite and once on PostgreSQL + PostGIS, on the throwaway cluster ``./test.sh`` starts
(``$TSUDOI_TEST_PG_URL``; each test gets a database of its own, copied from a template). Without that
variable the PostgreSQL runs skip — and under CI=true a skip is a failure, so CI always runs them.
"""

from __future__ import annotations

import itertools
import os
import shutil
from pathlib import Path

import pytest

#: The repository root (holds ``dashboard/``, ``geo/``, ``data/``).
REPO_ROOT = Path(__file__).resolve().parent.parent
WARABI_RAW = REPO_ROOT / "data" / "warabi" / "raw"


@pytest.fixture(scope="session")
def demo_db_path(tmp_path_factory) -> Path:
    """Path of a SQLite file holding the 蕨市 demo store, built once per session. Do not write to it."""
    from dashboard.demo.build import build_demo
    from dashboard.store.engine import open_store

    path = tmp_path_factory.mktemp("demo_store") / "demo.sqlite"
    engine = open_store(f"sqlite:///{path}")
    try:
        build_demo(engine)
    finally:
        engine.dispose()
    return path


@pytest.fixture(scope="session")
def demo_db_url(demo_db_path: Path) -> str:
    """SQLAlchemy URL of the session's demo store (read-only by convention)."""
    return f"sqlite:///{demo_db_path}"


@pytest.fixture
def demo_db_copy(demo_db_path: Path, tmp_path: Path) -> Path:
    """A private copy of the demo store for a test that writes."""
    target = tmp_path / "store.sqlite"
    shutil.copy(demo_db_path, target)
    return target


@pytest.fixture(scope="session")
def demo_engine(demo_db_url):
    """A plain engine on the session's demo store (opening it writes nothing); read-only by convention."""
    from sqlalchemy import create_engine

    engine = create_engine(demo_db_url)
    yield engine
    engine.dispose()



# --- both backends -------------------------------------------------------------------------------

#: The superuser URL of a PostgreSQL cluster with PostGIS (``./test.sh`` starts one and sets it).
PG_URL_ENV = "TSUDOI_TEST_PG_URL"
#: ``params`` of the fixtures that run a test on each backend; ``-m "not postgresql"`` leaves the server out.
BACKENDS = ("sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql))


class PostgresServer:
    """The test cluster: makes and drops databases, each a copy of a template (a file copy: ~0.1 s)."""

    def __init__(self, url: str):
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url
        from sqlalchemy.pool import NullPool

        self.url = make_url(url)
        if self.url.get_backend_name() != "postgresql":
            raise ValueError(f"{PG_URL_ENV} must be a postgresql+psycopg:// URL, not {url!r}")
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self._names = (f"tsudoi_test_{os.getpid()}_{n}" for n in itertools.count())
        self.created: list[str] = []

    def url_of(self, database: str) -> str:
        return self.url.set(database=database).render_as_string(hide_password=False)

    def create(self, template: str = "template1") -> str:
        """A new database copied from ``template`` (no one may be connected to it); returns its URL."""
        from sqlalchemy import text

        name = next(self._names)
        with self.admin.connect() as connection:
            # FILE_COPY (PostgreSQL 15+) copies the template's files instead of logging every block
            strategy = " STRATEGY FILE_COPY" if connection.dialect.server_version_info >= (15,) else ""
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"{strategy}'))
        self.created.append(name)
        return self.url_of(name)

    def drop(self, url: str) -> None:
        from sqlalchemy import text
        from sqlalchemy.engine import make_url

        name = make_url(url).database
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if name in self.created:
            self.created.remove(name)

    def close(self) -> None:
        for name in list(self.created):
            self.drop(self.url_of(name))
        self.admin.dispose()


@pytest.fixture(scope="session")
def pg_server():
    """The PostgreSQL test cluster; skips (fails under CI=true) when ``$TSUDOI_TEST_PG_URL`` is unset."""
    url = os.environ.get(PG_URL_ENV, "").strip()
    if not url:
        pytest.skip(f"{PG_URL_ENV} is not set: run ./test.sh, which starts a throwaway PostgreSQL + PostGIS cluster")
    server = PostgresServer(url)
    yield server
    server.close()


@pytest.fixture(scope="session")
def pg_postgis_template(pg_server) -> str:
    """Name of a database with the PostGIS extension and nothing else (creating it takes ~1 s)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = pg_server.create()
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE EXTENSION postgis"))
    engine.dispose()
    return make_url(url).database


@pytest.fixture(scope="session")
def pg_demo_template(pg_server, pg_postgis_template) -> str:
    """Name of a database holding the 蕨市 demo store, built on PostgreSQL once per session."""
    from sqlalchemy.engine import make_url

    from dashboard.demo.build import build_demo
    from dashboard.store.engine import open_store

    url = pg_server.create(pg_postgis_template)
    engine = open_store(url)
    try:
        build_demo(engine)
    finally:
        engine.dispose()
    return make_url(url).database


@pytest.fixture(params=BACKENDS)
def store_url(request, tmp_path) -> str:
    """URL of an empty database (no tables yet) on each backend: a new SQLite file, or a new
    PostgreSQL database with PostGIS. ``open_store(store_url)`` creates the schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite'}"
        return
    server = request.getfixturevalue("pg_server")
    url = server.create(request.getfixturevalue("pg_postgis_template"))
    yield url
    server.drop(url)


@pytest.fixture(params=BACKENDS)
def demo_store_url(request, tmp_path) -> str:
    """URL of a private, writable copy of the 蕨市 demo store on each backend."""
    if request.param == "sqlite":
        target = tmp_path / "store.sqlite"
        shutil.copy(request.getfixturevalue("demo_db_path"), target)
        yield f"sqlite:///{target}"
        return
    server = request.getfixturevalue("pg_server")
    url = server.create(request.getfixturevalue("pg_demo_template"))
    yield url
    server.drop(url)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI=true a skipped test is a failed test: CI must run everything (browser, PDF tools)."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("CI", "").lower() == "true":
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"CI=true: this test was skipped ({reason}); in CI every test must run"
