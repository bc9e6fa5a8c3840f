"""Readers never wait on writers (issue #11: during a 20,000-row import, 2 of 6 public page loads
failed with ``OperationalError: database is locked``).

The writer is a separate process holding the strongest lock SQLite has (``BEGIN EXCLUSIVE``, what a
large import reaches once its changes no longer fit in memory) until the test tells it to commit.
The control test shows that this very lock locks readers out of a store without WAL.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from dashboard.store import reads
from dashboard.store.engine import make_engine

REPO = Path(__file__).resolve().parents[2]
CODE = "11223"  # 蕨市
MARK = "（更新中）"

# Renames every place inside one exclusive transaction, says so, and commits when told (a line on stdin).
WRITER = """
import sys
from dashboard.store.engine import make_engine
engine = make_engine(sys.argv[1])
connection = engine.raw_connection()
cursor = connection.cursor()
cursor.execute("BEGIN EXCLUSIVE")
cursor.execute("UPDATE places SET name = name || ?", (sys.argv[2],))
print("holding", flush=True)
sys.stdin.readline()
connection.commit()
print("committed", flush=True)
"""


class Writer:
    """The writer process; ``with`` waits until it holds its transaction and lets it commit at the end."""

    def __init__(self, url: str):
        self.process = subprocess.Popen([sys.executable, "-c", WRITER, url, MARK], cwd=REPO, text=True,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def __enter__(self) -> "Writer":
        assert self.process.stdout.readline().strip() == "holding"  # blocks until the lock is held
        return self

    def commit(self) -> None:
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        assert self.process.stdout.readline().strip() == "committed"

    def __exit__(self, *exc) -> None:
        if self.process.poll() is None and not self.process.stdin.closed:
            self.process.stdin.close()
        self.process.wait(timeout=60)


def test_the_store_is_in_wal_mode_with_a_busy_timeout(demo_db_copy):
    engine = make_engine(f"sqlite:///{demo_db_copy}")
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 10_000  # ms
    finally:
        engine.dispose()


def test_a_reader_reads_the_last_committed_state_while_a_writer_holds_its_transaction(demo_db_copy):
    url = f"sqlite:///{demo_db_copy}"
    with sqlite3.connect(demo_db_copy) as db:
        committed = sorted(r[0] for r in db.execute("SELECT name FROM places WHERE municipality_code = ?", (CODE,)))
    reader = make_engine(url)  # the app's engine, as a page run uses it
    try:
        reader.dispose()  # no pooled connection from before: the reader connects while the lock is held
        with Writer(url) as writer:
            started = time.monotonic()
            during = reads.places(reader, CODE, internal=True)
            waited_s = time.monotonic() - started
            assert sorted(during["name"]) == committed  # the writer's uncommitted names are not seen
            assert waited_s < 5, f"the reader waited {waited_s:.1f} s for the writer"
            writer.commit()
        after = reads.places(reader, CODE, internal=True)
        assert sorted(after["name"]) == sorted(name + MARK for name in committed)
    finally:
        reader.dispose()


def test_control_without_wal_the_same_writer_locks_readers_out(demo_db_copy):
    """Why WAL matters: in SQLite's default rollback journal the writer's lock stops every reader."""
    with sqlite3.connect(demo_db_copy) as db:
        assert db.execute("PRAGMA journal_mode=DELETE").fetchone()[0] == "delete"
    writer_url = f"sqlite:///{demo_db_copy}"
    # the writer uses make_engine, which would switch the file back to WAL at connect; a plain engine
    # (no pragmas) keeps the rollback journal for this control
    plain_writer = WRITER.replace("from dashboard.store.engine import make_engine\nengine = make_engine(sys.argv[1])",
                                  "from sqlalchemy import create_engine\nengine = create_engine(sys.argv[1])")
    process = subprocess.Popen([sys.executable, "-c", plain_writer, writer_url, MARK], cwd=REPO, text=True,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert process.stdout.readline().strip() == "holding"
        reader = sqlite3.connect(demo_db_copy, timeout=0.5)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            reader.execute("SELECT count(*) FROM places").fetchone()
        reader.close()
    finally:
        process.stdin.write("\n")
        process.stdin.close()
        process.wait(timeout=60)
