"""Readers during writes: the map keeps answering anonymous visitors while a 20,000-row import is
inside its transaction (SQLite in WAL mode, ``dashboard/store/engine.py``). Before WAL, 2 of 6 page loads
failed with a red ``OperationalError: database is locked`` (issue #11).

A real server on the store, visitors over Streamlit's websocket protocol, the import in a child process
that reports its progress; visits that start after the import has written its first chunk and end
before it commits are the ones that count.
"""

from __future__ import annotations

import sqlite3
import subprocess
import threading
import time

import pytest

from benchmarks.public_map_load import AppServer, run_visits
from tests.reliability.conftest import CODE, REPO, SUBPROCESS_TIMEOUT_S, python, write_places_csv
from tests.reliability.test_crash_safety import IMPORT_DRIVER

pytestmark = pytest.mark.timeout(600)


#: Visits (of two pages each) made while the import holds its transaction open after its first chunk.
VISITS_INSIDE = 3


class Progress:
    """Reads a child's stdout in a thread; remembers when it first said ``progress`` and ``committed``."""

    def __init__(self, process: subprocess.Popen):
        self.lines: list[str] = []
        self.inside_at: float | None = None
        self.committed_at: float | None = None
        self.holding = threading.Event()
        self._thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._thread.start()

    def _read(self, process) -> None:
        for line in process.stdout:
            self.lines.append(line)
            if line.startswith("progress") and self.inside_at is None:
                self.inside_at = time.monotonic()
            if line.startswith("holding"):
                self.holding.set()
            if line.startswith("committed"):
                self.committed_at = time.monotonic()


def test_the_map_answers_while_a_20000_row_import_writes(store_copy, demo_db_path, tmp_path):
    csv = write_places_csv(tmp_path / "bulk.csv", demo_db_path, 20_000, "bulk")
    with sqlite3.connect(store_copy) as connection:
        before = connection.execute("SELECT count(*) FROM places").fetchone()[0]
    with AppServer({"DATABASE_URL": f"sqlite:///{store_copy}"}, tmp_path / "server.log") as server:
        assert run_visits(server.port, [""])[0].ok  # warm: modules imported, caches filled
        # the import stops inside its transaction after its first chunk (the whole import takes ≈ 1 s) and
        # goes on when told to, after the visits: they are inside the transaction by construction
        process = subprocess.Popen([python(), "-c", IMPORT_DRIVER, str(store_copy), str(csv), CODE, "0"], cwd=REPO,
                                   text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        progress = Progress(process)
        visits = []  # (started, ended, visit)
        try:
            assert progress.holding.wait(SUBPROCESS_TIMEOUT_S), "".join(progress.lines)[-2000:]
            for _ in range(VISITS_INSIDE):
                started = time.monotonic()
                for visit in run_visits(server.port, ["", "area=chuo"], timeout_s=120):
                    visits.append((started, time.monotonic(), visit))
            process.stdin.write("go on\n")
            process.stdin.flush()
            process.wait(timeout=SUBPROCESS_TIMEOUT_S)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=60)
        assert process.returncode == 0, process.stderr.read()[-3000:]
        failed = [v.problems for _, _, v in visits if not v.ok]
        assert not failed, failed
        assert "database is locked" not in server.log()
    during = [v for s, e, v in visits
              if progress.inside_at is not None and progress.committed_at is not None
              and s >= progress.inside_at and e <= progress.committed_at]
    assert len(during) >= 2 * VISITS_INSIDE, f"only {len(during)} visits fell inside the import's transaction"
    with sqlite3.connect(store_copy) as connection:  # all of the import
        assert connection.execute("SELECT count(*) FROM places").fetchone()[0] == before + 20_000
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
