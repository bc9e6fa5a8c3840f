"""Two imports started at once against one SQLite store: both succeed (the second waits for the first's
lock, up to the busy timeout) or one fails with a clear message — never a traceback, never a half
import; the count of places is exact."""

from __future__ import annotations

import sqlite3
import subprocess

import pytest

from tests.reliability.conftest import CODE, REPO, SUBPROCESS_TIMEOUT_S, python, write_places_csv

pytestmark = pytest.mark.timeout(600)
ROWS = 5_000


def test_two_imports_at_once_both_land_or_one_fails_clearly(store_copy, demo_db_path, tmp_path):
    files = [write_places_csv(tmp_path / f"{name}.csv", demo_db_path, ROWS, name, seed=n)
             for n, name in enumerate(("first", "second"))]
    with sqlite3.connect(store_copy) as connection:
        before = connection.execute("SELECT count(*) FROM places").fetchone()[0]
    processes = [subprocess.Popen([python(), "-m", "dashboard", "--db", str(store_copy), "import", "places", str(path),
                                   "--municipality", CODE, "--visibility", "public"], cwd=REPO, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE) for path in files]
    outcomes = []
    for process in processes:
        try:
            out, err = process.communicate(timeout=SUBPROCESS_TIMEOUT_S)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate(timeout=60)
        outcomes.append((process.returncode, out, err))
    landed = 0
    for code, out, err in outcomes:
        assert "Traceback" not in out + err
        if code == 0:
            landed += 1
        else:  # refused: said in Japanese why, and nothing of it written
            assert code in (1, 2) and err.strip(), (code, out, err)
    assert landed >= 1, outcomes
    with sqlite3.connect(store_copy) as connection:
        after = connection.execute("SELECT count(*) FROM places").fetchone()[0]
        per_file = [connection.execute("SELECT count(*) FROM places WHERE id LIKE ?", (f"{name}-%",)).fetchone()[0]
                    for name in ("first", "second")]
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert sorted(per_file) in ([0, ROWS], [ROWS, ROWS])
    assert after == before + sum(per_file) == before + landed * ROWS


HOLDER = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN EXCLUSIVE")
print("holding", flush=True)
sys.stdin.readline()
connection.execute("ROLLBACK")
"""


def test_an_import_that_cannot_get_the_store_says_so_and_writes_nothing(store_copy, demo_db_path, tmp_path,
                                                                       monkeypatch, capsys):
    """Another writer holds the store longer than the busy timeout (shortened here from 30 s to 1 s): the
    import ends with a message that says the store is busy and nothing was written — not 「内部エラー」."""
    from dashboard.cli import main
    from dashboard.store import engine

    path = write_places_csv(tmp_path / "late.csv", demo_db_path, 50, "late")
    with sqlite3.connect(store_copy) as connection:
        before = connection.execute("SELECT count(*) FROM places").fetchone()[0]
    holder = subprocess.Popen([python(), "-c", HOLDER, str(store_copy)], text=True, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == "holding"
        monkeypatch.setattr(engine, "SQLITE_BUSY_TIMEOUT_S", 1)
        code = main(["--db", str(store_copy), "import", "places", str(path), "--municipality", CODE])
    finally:
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(timeout=60)
    err = capsys.readouterr().err
    assert code != 0
    assert "内部エラー" not in err and "書き込み中" in err and "変更されていません" in err, err
    with sqlite3.connect(store_copy) as connection:
        assert connection.execute("SELECT count(*) FROM places").fetchone()[0] == before
