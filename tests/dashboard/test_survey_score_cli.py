"""``python -m dashboard survey score FILE``: scores a survey file without storing it.

The oracle is the other way to the same table: import the file into a copy of the store and run
``survey table`` on it. Both must write the same CSV byte for byte (same profile, same suppression),
and ``score`` must leave the store untouched. The small-area case is read off the file by hand.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def run(db: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return subprocess.run([sys.executable, "-m", "dashboard", "--db", str(db), *map(str, args)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=180)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def stored_surveys(path: Path) -> tuple[int, int]:
    with sqlite3.connect(path) as db:
        return (db.execute("select count(*) from survey_batches").fetchone()[0],
                db.execute("select count(*) from survey_responses").fetchone()[0])


def rows_of(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


@pytest.fixture(scope="module")
def survey_file(demo_db_path, tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("score") / "store.sqlite"
    store.write_bytes(demo_db_path.read_bytes())
    out = store.parent / "survey.csv"
    result = run(store, "survey", "generate", "--seed", "7", "--n", "400", "--out", out)
    assert result.returncode == 0, result.stderr
    return out


def small_area_file(source: Path, target: Path, area: str, keep: int) -> Path:
    """``source`` with only the first ``keep`` respondents of ``area``."""
    text = source.read_bytes().decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    kept, seen = [], 0
    for row in reader:
        if row["area_id"] == area:
            seen += 1
            if seen > keep:
                continue
        kept.append(row)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=reader.fieldnames, lineterminator="\n")
    writer.writeheader()
    writer.writerows(kept)
    target.write_text(buffer.getvalue(), encoding="utf-8")
    return target


def table_after_import(store: Path, survey: Path, out: Path, *options: str) -> Path:
    assert run(store, "survey", "import", survey, "--synthetic").returncode == 0
    result = run(store, "survey", "table", "--out", out, *options)
    assert result.returncode == 0, result.stderr
    return out


@pytest.mark.parametrize("options", [(), ("--profile", "variant_strict", "--min-n", "30")])
def test_score_writes_what_table_writes_after_an_import(demo_db_copy, survey_file, tmp_path, options):
    before = digest(demo_db_copy), stored_surveys(demo_db_copy)
    scored = tmp_path / "score.csv"
    result = run(demo_db_copy, "survey", "score", survey_file, "--out", scored, *options)
    assert result.returncode == 0, result.stderr
    assert "400 人の回答を読みました（ストアには保存しません）" in result.stdout
    assert (digest(demo_db_copy), stored_surveys(demo_db_copy)) == before  # nothing stored
    tabled = table_after_import(demo_db_copy, survey_file, tmp_path / "table.csv", *options)
    assert scored.read_bytes() == tabled.read_bytes()


def test_a_small_area_is_suppressed_as_survey_table_does(demo_db_copy, survey_file, tmp_path):
    small = small_area_file(survey_file, tmp_path / "small.csv", "kita", keep=4)
    scored = tmp_path / "score.csv"
    result = run(demo_db_copy, "survey", "score", small, "--min-n", "10", "--out", scored)
    assert result.returncode == 0, result.stderr
    rows = rows_of(scored)
    # 北町 has 4 respondents < 10: every cell of it is hidden, its figures blank
    kita = [r for r in rows if r["area_id"] == "kita"]
    assert kita and all(r["suppressed"] == "True" and r["n_total"] == "" and r["rate"] == "" for r in kita)
    assert all(r["suppressed"] == "False" for r in rows if r["area_id"] == "ALL")
    with sqlite3.connect(demo_db_copy) as db:
        assert db.execute("select count(*) from survey_batches where title = 'small'").fetchone()[0] == 0
    tabled = table_after_import(demo_db_copy, small, tmp_path / "table.csv", "--min-n", "10")
    assert scored.read_bytes() == tabled.read_bytes()


def test_a_missing_file_or_unknown_profile_exits_2_and_writes_nothing(demo_db_copy, survey_file, tmp_path):
    out = tmp_path / "x.csv"
    missing = run(demo_db_copy, "survey", "score", tmp_path / "nope.csv", "--out", out)
    assert missing.returncode == 2 and "nope.csv" in missing.stderr
    profile = run(demo_db_copy, "survey", "score", survey_file, "--profile", "謎", "--out", out)
    assert profile.returncode == 2 and "判定基準" in profile.stderr
    assert not out.exists()
