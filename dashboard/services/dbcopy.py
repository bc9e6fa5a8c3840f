"""Moving a whole store between backends, and upgrading one: ``db copy`` and ``db upgrade``.

A copy moves an embedded store (SQLite) onto a PostgreSQL server, or a server store back into a file,
or any store to any other. It is one transaction on the target: the target's rows are replaced by the
source's, every table is counted and checksummed on both sides *inside* that transaction, and a
difference rolls the whole copy back — so a target is either an exact, verified copy or unchanged.

A table's checksum is the SHA-256 of its rows in a canonical text (values by column type: floats by
``repr``, dates ISO, geometries as 2-D WKB), sorted in Python, so it does not depend on the backend,
its collation or the order rows come back in. Equal checksums mean equal stores, value for value.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime

import shapely
from sqlalchemy import Boolean, Connection, Date, DateTime, Float, Integer, Table, delete, func, select, text
from sqlalchemy.engine import make_url

from dashboard.settings import database_url
from dashboard.store.engine import is_current, is_postgresql, make_engine, migrate
from dashboard.store.models import Base
from dashboard.store.types import Geometry

#: Rows sent to the target per INSERT (a batch, not the table: a prefecture's mesh cells are many).
BATCH_ROWS = 2_000
#: Tables the migrations themselves fill; a target holding only these rows counts as empty.
MIGRATION_ROWS = frozenset({"meta", "app_secrets"})


class CopyError(Exception):
    """A copy that was refused or failed its check; the target is unchanged."""


@dataclass(frozen=True)
class TableCheck:
    """One table of a store: its row count and the SHA-256 of its canonical rows (hex)."""

    table: str
    rows: int
    sha256: str


@dataclass(frozen=True)
class CopyReport:
    source: str  # URLs with the password hidden
    target: str
    tables: tuple[tuple[TableCheck, TableCheck], ...]  # (source, target) per table, in copy order

    @property
    def rows(self) -> int:
        return sum(source.rows for source, _ in self.tables)


@dataclass(frozen=True)
class UpgradeReport:
    url: str
    backend: str
    before: str | None  # Alembic revision before (None: an empty database)
    after: str
    collation: str | None = None  # PostgreSQL: the database's LC_COLLATE

    @property
    def sorts_like_sqlite(self) -> bool:
        """True unless a PostgreSQL database sorts text by a language's rules: lists ordered by id or
        name would then come out in another order than from an embedded store."""
        return self.collation is None or self.collation in BYTE_ORDER_COLLATIONS


#: Collations that order text by code point, as SQLite does (glibc's C.UTF-8 since 2.35).
BYTE_ORDER_COLLATIONS = frozenset({"C", "POSIX", "C.UTF-8", "C.utf8", "ucs_basic"})


def resolve_url(option: str | None) -> str:
    """A store named as on every command: a SQLite path or an SQLAlchemy URL; None = ``$DATABASE_URL``,
    else ``var/tsudoi.sqlite``."""
    return database_url(option)


def shown(url: str) -> str:
    """The URL with any password replaced by ``***`` (for messages and reports)."""
    return make_url(url).render_as_string(hide_password=True)


# --- upgrade -----------------------------------------------------------------------------------------

def _alembic_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def upgrade(url: str) -> UpgradeReport:
    """Migrate the store at ``url`` to the newest schema (creating it on an empty database)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            before = _alembic_revision(connection)
        migrate(engine)
        with engine.connect() as connection:
            after = _alembic_revision(connection)
            collation = connection.scalar(text("SELECT datcollate FROM pg_database WHERE datname = current_database()")) \
                if is_postgresql(connection) else None
        return UpgradeReport(shown(url), engine.dialect.name, before, after, collation)
    finally:
        engine.dispose()


# --- checksums ---------------------------------------------------------------------------------------

def _canonical(value, column_type) -> str:
    """One value as text that is the same whichever backend it was read from."""
    if value is None:
        return "null"
    if isinstance(column_type, Geometry):
        return shapely.to_wkb(value, output_dimension=2, hex=True)
    if isinstance(column_type, Boolean):
        return "true" if value else "false"
    if isinstance(column_type, Float):
        return repr(float(value))
    if isinstance(column_type, Integer):
        return str(int(value))
    if isinstance(column_type, (DateTime, Date)) or isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    return json.dumps(value, ensure_ascii=False)  # quotes and escapes: no value can fake a separator


def table_checks(connection: Connection) -> list[TableCheck]:
    """Row count and checksum of every table of the store, in dependency order (parents first)."""
    return [_check(table, connection.execute(select(table)).all()) for table in Base.metadata.sorted_tables]


def _check(table: Table, rows) -> TableCheck:
    types = [column.type for column in table.columns]
    lines = sorted("\t".join(_canonical(value, kind) for value, kind in zip(row, types)) for row in rows)
    digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    return TableCheck(table.name, len(lines), digest)


def checksums(url: str) -> list[TableCheck]:
    """:func:`table_checks` of the store at ``url`` (which must be at the newest schema)."""
    engine = make_engine(url)
    try:
        _require_current(engine, url)
        with engine.connect() as connection:
            return table_checks(connection)
    finally:
        engine.dispose()


# --- copy --------------------------------------------------------------------------------------------

def copy(source_url: str, target_url: str, *, replace: bool = False) -> CopyReport:
    """Copy every row of the store at ``source_url`` into the store at ``target_url``, verified.

    The source is read in one snapshot and never written; it must be at the newest schema (``db
    upgrade`` it first). The target is created or migrated as needed and must hold no data unless
    ``replace``. Raises :class:`CopyError` (target unchanged) when refused or when a table's count or
    checksum differs after the copy.
    """
    if make_url(source_url) == make_url(target_url):
        raise CopyError(f"コピー元とコピー先が同じです (source and target are the same store): {shown(source_url)}")
    source, target = make_engine(source_url), make_engine(target_url)
    try:
        _require_current(source, source_url)
        migrate(target)
        with _snapshot(source) as reading, target.begin() as writing:
            _require_empty(writing, target_url, replace)
            _clear(writing)
            read = []
            for table in Base.metadata.sorted_tables:  # parents first, for the foreign keys
                rows = reading.execute(select(table)).all()
                for start in range(0, len(rows), BATCH_ROWS):
                    writing.execute(table.insert(), [row._asdict() for row in rows[start:start + BATCH_ROWS]])
                read.append(_check(table, rows))
            _restart_sequences(writing)
            # read back inside the transaction: a mismatch rolls the whole copy back
            pairs = tuple(zip(read, table_checks(writing)))
            bad = [s.table for s, t in pairs if (s.rows, s.sha256) != (t.rows, t.sha256)]
            if bad:
                raise CopyError("コピーした内容が元と一致しません。コピー先は変更していません "
                                f"(count or checksum differs after the copy, rolled back): {', '.join(bad)}")
        return CopyReport(shown(source_url), shown(target_url), pairs)
    finally:
        source.dispose()
        target.dispose()


def _require_current(engine, url: str) -> None:
    if not is_current(engine):
        raise CopyError(f"{shown(url)} のスキーマが最新ではありません。先に `python -m dashboard --db URL db upgrade` を"
                        "実行してください (the store is not at the newest schema)")


class _snapshot:
    """A read connection that sees one committed state of the source for the whole copy, so rows of
    different tables agree with each other even if an app process writes meanwhile."""

    def __init__(self, engine):
        self.engine = engine

    def __enter__(self) -> Connection:
        if is_postgresql(self.engine):
            self.connection = self.engine.connect().execution_options(isolation_level="REPEATABLE READ")
            self.connection.begin()
        else:
            self.connection = self.engine.connect()
            # pysqlite starts transactions only for writes: a deferred BEGIN plus a first read pins the
            # WAL snapshot that every later read of this connection sees
            self.connection.exec_driver_sql("BEGIN")
            self.connection.exec_driver_sql("SELECT count(*) FROM meta")
        return self.connection

    def __exit__(self, *exc) -> None:
        self.connection.rollback()
        self.connection.close()


def _require_empty(connection: Connection, url: str, replace: bool) -> None:
    if replace:
        return
    filled = {}
    for table in Base.metadata.sorted_tables:
        if table.name not in MIGRATION_ROWS:
            count = connection.scalar(select(func.count()).select_from(table))
            if count:
                filled[table.name] = count
    if filled:
        listing = ", ".join(f"{name} {count}" for name, count in filled.items())
        raise CopyError(f"コピー先 {shown(url)} には既にデータがあります（{listing} 行）。置き換えるときは --replace を"
                        "付けてください (the target store is not empty)")


def _clear(connection: Connection) -> None:
    """Delete every row of the target, children before parents (the rows the migrations made too:
    the copy brings the source's revision and session signing key, so its logins stay valid)."""
    for table in reversed(Base.metadata.sorted_tables):
        connection.execute(delete(table))


def _restart_sequences(connection: Connection) -> None:
    """On PostgreSQL, rows copied with their ids leave each id sequence behind: move it past them."""
    if not is_postgresql(connection):
        return
    for table in Base.metadata.sorted_tables:
        for column in table.primary_key.columns:
            if isinstance(column.type, Integer) and column.autoincrement in (True, "auto"):
                connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence(:table, :column), "
                    f"COALESCE((SELECT MAX({column.name}) FROM {table.name}), 0) + 1, false)"),
                    {"table": table.name, "column": column.name})
