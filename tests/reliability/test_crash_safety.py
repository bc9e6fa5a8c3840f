"""Crash safety on SQLite: a process SIGKILLed in the middle of a 20,000-row import or of an edit leaves a
store that opens, passes ``PRAGMA integrity_check`` and holds all or none of the interrupted work.

The writer runs the same service the CLI and the data page call (``services.places.commit``,
``editing.save_place``) in a child process that says where it is on stdout; the test kills it (SIGKILL:
no handler, no rollback, no flush) as soon as it is inside the transaction. That the same 20,000-row
import completes when nothing kills it is checked in ``test_readers_during_writes.py``. (The PostgreSQL
counterpart lives in ``tests/dashboard/test_server_store.py``.)
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess

import pytest

from tests.reliability.conftest import CODE, REPO, python, write_places_csv

pytestmark = pytest.mark.timeout(600)

#: Imports a places file (argv: store, file, municipality code[, hold share]) and says where it is. With a
#: hold share (0–1) it stops inside the transaction once that share of the rows is written, says
#: ``holding``, and goes on only when a line arrives on stdin: the test decides how long the transaction
#: stays open (a 20,000-row import takes ≈ 1 s, too short to kill "in time" or to visit the map during it).
IMPORT_DRIVER = """
import sys
from pathlib import Path
from dashboard.services import places
from dashboard.store.engine import open_store
engine = open_store(f"sqlite:///{sys.argv[1]}")
hold_at = float(sys.argv[4]) if len(sys.argv) > 4 else None
parsed = places.read(engine, sys.argv[3], Path(sys.argv[2]), visibility="public")
print("read", len(parsed.parsed.records), flush=True)
def progress(share):
    global hold_at
    print(f"progress {share:.3f}", flush=True)
    if hold_at is not None and share >= hold_at:
        hold_at = None
        print("holding", flush=True)
        sys.stdin.readline()
places.commit(engine, sys.argv[3], parsed, progress=progress)
print("committed", flush=True)
"""

EDIT_DRIVER = """
import sys
from dashboard import editing
from dashboard.store import writes
from dashboard.store.engine import open_store
engine = open_store(f"sqlite:///{sys.argv[1]}")
place_id, code = sys.argv[2], sys.argv[3]
real_upsert = writes.upsert_places
def announced(*args, **kwargs):  # inside the edit's transaction: say so, then write
    print("inside", flush=True)
    return real_upsert(*args, **kwargs)
writes.upsert_places = announced
version = int(sys.argv[4])
from dashboard.store import models as m
from dashboard.store.engine import read_session
for n in range(1, 1000):
    with read_session(engine) as session:
        place = session.get(m.Place, place_id)
        values = editing.form_values({f: getattr(place, f) for f in editing.EDITABLE})
    values["notes"] = f"edit {n}"
    _, version = editing.save_place(engine, municipality_code=code, place_id=place_id, values=values,
                                    base_version=version, user="crash-test")
    print("saved", n, version, flush=True)
"""


def _integrity(db) -> None:
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []


def _wait_for(process: subprocess.Popen, prefix: str, lines: list[str]) -> str:
    for line in process.stdout:
        lines.append(line)
        if line.startswith(prefix):
            return line
    raise AssertionError(f"the writer ended before {prefix!r}: {''.join(lines)[-2000:]} "
                         f"{process.stderr.read()[-3000:]}")


def _kill(process: subprocess.Popen) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL


def test_sigkill_during_a_20000_row_import_leaves_none_of_it(store_copy, demo_db_path, tmp_path):
    """Killed late (≥ 90 % of the rows written: most of the transaction's pages are in the WAL by then)."""
    kill_at = 0.9
    csv = write_places_csv(tmp_path / "bulk.csv", demo_db_path, 20_000, "crash")
    with sqlite3.connect(store_copy) as connection:
        before = connection.execute("SELECT count(*) FROM places").fetchone()[0]
        batches = connection.execute("SELECT count(*) FROM import_batches").fetchone()[0]
    process = subprocess.Popen([python(), "-c", IMPORT_DRIVER, str(store_copy), str(csv), CODE, str(kill_at)],
                               cwd=REPO, text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    lines: list[str] = []
    try:
        assert _wait_for(process, "read", lines).split()[1] == "20000"
        _wait_for(process, "holding", lines)  # inside the transaction, ≥ kill_at of the rows written
        assert float(lines[-2].split()[1]) >= kill_at
        _kill(process)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=60)
    assert not any(line.startswith("committed") for line in lines)
    _integrity(store_copy)
    with sqlite3.connect(store_copy) as connection:
        assert connection.execute("SELECT count(*) FROM places").fetchone()[0] == before
        assert connection.execute("SELECT count(*) FROM places WHERE id LIKE 'crash-%'").fetchone()[0] == 0
        assert connection.execute("SELECT count(*) FROM import_batches").fetchone()[0] == batches


def test_sigkill_during_an_edit_keeps_every_finished_edit_and_nothing_of_the_killed_one(store_copy):
    with sqlite3.connect(store_copy) as connection:
        place_id, version = connection.execute(
            "SELECT id, version FROM places WHERE municipality_code = ? ORDER BY id LIMIT 1", (CODE,)).fetchone()
    process = subprocess.Popen([python(), "-c", EDIT_DRIVER, str(store_copy), place_id, CODE, str(version)],
                               cwd=REPO, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lines: list[str] = []
    try:
        for _ in range(4):  # three edits finish, the fourth is killed inside its transaction
            _wait_for(process, "inside", lines)
        _kill(process)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=60)
    saved = [line.split() for line in lines if line.startswith("saved")]
    assert len(saved) == 3
    _integrity(store_copy)
    with sqlite3.connect(store_copy) as connection:
        stored_version, notes = connection.execute("SELECT version, notes FROM places WHERE id = ?",
                                                   (place_id,)).fetchone()
        edits = connection.execute("SELECT count(*) FROM import_batches WHERE kind = 'edit' "
                                   "AND created_by = 'crash-test'").fetchone()[0]
        audited = connection.execute("SELECT count(*) FROM audit_log WHERE place_id = ? AND changed_by = 'crash-test' "
                                     "AND field = 'notes'", (place_id,)).fetchone()[0]
    assert stored_version == int(saved[-1][2]) == version + 3
    assert notes == "edit 3"
    assert edits == 3 and audited == 3
