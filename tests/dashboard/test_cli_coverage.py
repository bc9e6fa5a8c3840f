"""``python -m dashboard coverage`` and ``suggest`` run as a user runs them (subprocess, repo root),
each on a private copy of the 蕨市 demo store."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HEADER = "area_id,area_name,pop65,pop65_covered,coverage65,pop75,pop75_covered,coverage75,places,places_per_1000_65"
AREA_IDS = ["nishiki", "kita", "chuo", "minami", "tsukagoshi"]
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def run(db: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return subprocess.run([sys.executable, "-m", "dashboard", "--db", str(db), *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)


def coverage_csv(db: Path, out: Path, *options: str) -> list[dict]:
    result = run(db, "coverage", *options, "--out", str(out))
    assert result.returncode == 0, result.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0] == HEADER
    return list(csv.DictReader(io.StringIO(text)))


def test_coverage_writes_one_row_per_area_and_the_city(demo_db_copy, tmp_path):
    rows = coverage_csv(demo_db_copy, tmp_path / "x.csv", "--distance", "500")
    assert [r["area_id"] for r in rows] == AREA_IDS + ["ALL"]
    for row in rows:
        pop65, covered = float(row["pop65"]), float(row["pop65_covered"])
        assert 0 <= float(row["coverage65"]) <= 1
        assert 0 <= float(row["coverage75"]) <= 1
        assert 0 <= covered <= pop65 and pop65 > 0
        assert float(row["coverage65"]) == pytest.approx(covered / pop65)
        assert float(row["places_per_1000_65"]) == pytest.approx(int(row["places"]) / pop65 * 1000)
    city = rows[-1]
    assert city["area_name"] == "市全体"
    assert float(city["pop65"]) == pytest.approx(sum(float(r["pop65"]) for r in rows[:-1]))
    assert int(city["places"]) == sum(int(r["places"]) for r in rows[:-1])


def test_coverage_weekly_is_at_most_any(demo_db_copy, tmp_path):
    any_rows = coverage_csv(demo_db_copy, tmp_path / "any.csv", "--distance", "500")
    weekly_rows = coverage_csv(demo_db_copy, tmp_path / "weekly.csv", "--distance", "500", "--frequency", "weekly")
    for any_row, weekly_row in zip(any_rows, weekly_rows, strict=True):
        assert weekly_row["area_id"] == any_row["area_id"]
        assert float(weekly_row["coverage65"]) <= float(any_row["coverage65"]) + 1e-12
        assert int(weekly_row["places"]) <= int(any_row["places"])
    assert int(weekly_rows[-1]["places"]) < int(any_rows[-1]["places"])  # the filter did something


def test_suggest_writes_a_json_list_of_picks(demo_db_copy, tmp_path):
    out = tmp_path / "x.json"
    result = run(demo_db_copy, "suggest", "--distance", "300", "--k", "2", "--out", str(out))
    assert result.returncode == 0, result.stderr
    picks = json.loads(out.read_text(encoding="utf-8"))
    assert isinstance(picks, list) and 1 <= len(picks) <= 2
    for pick in picks:
        assert set(pick) == {"candidate_id", "name", "lat", "lon", "gain65"}
        assert isinstance(pick["gain65"], int) and pick["gain65"] > 0
        assert 35.7 < pick["lat"] < 35.9 and 139.6 < pick["lon"] < 139.8  # 蕨市
        assert pick["name"] in result.stdout
    assert [p["gain65"] for p in picks] == sorted((p["gain65"] for p in picks), reverse=True)


@pytest.mark.parametrize("options", [("--category", "謎"), ("--distance", "0")])
def test_bad_option_exits_2_with_a_japanese_message(demo_db_copy, tmp_path, options):
    out = tmp_path / "x.csv"
    result = run(demo_db_copy, "coverage", *options, "--out", str(out))
    assert result.returncode == 2
    assert JAPANESE.search(result.stderr), result.stderr
    assert "Traceback" not in result.stderr
    assert options[1] in result.stderr
    assert not out.exists()


def _venue_areas(db_path) -> dict[str, str]:
    with sqlite3.connect(db_path) as db:
        return dict(db.execute("select id, area_id from candidate_venues"))


def test_suggest_for_an_area_picks_only_its_venues_and_explains_a_shortfall(demo_db_copy, tmp_path):
    out = tmp_path / "minami.json"
    result = run(demo_db_copy, "suggest", "--distance", "300", "--k", "3", "--area", "minami", "--out", str(out))
    assert result.returncode == 0, result.stderr
    picks = json.loads(out.read_text(encoding="utf-8"))
    venue_area = _venue_areas(demo_db_copy)
    assert 1 <= len(picks) < 3
    assert {venue_area[p["candidate_id"]] for p in picks} == {"minami"}
    assert "南町地区の中の候補会場" in result.stdout
    assert f"{len(picks)}件だけです" in result.stdout  # asked for 3, got fewer: said why


def test_suggest_area_option_keeps_the_other_options(demo_db_copy, tmp_path):
    inside = tmp_path / "inside.json"
    anywhere = tmp_path / "anywhere.json"
    common = ("suggest", "--distance", "500", "--frequency", "monthly", "--k", "2", "--area", "chuo")
    assert run(demo_db_copy, *common, "--out", str(inside)).returncode == 0
    result = run(demo_db_copy, *common, "--venues-anywhere", "--out", str(anywhere))
    assert result.returncode == 0, result.stderr
    assert "市内すべての候補会場" in result.stdout
    venue_area = _venue_areas(demo_db_copy)
    assert {venue_area[p["candidate_id"]] for p in json.loads(inside.read_text(encoding="utf-8"))} <= {"chuo"}
    # the first greedy pick is the best single venue: over more venues it can only gain as much or more
    first = [json.loads(path.read_text(encoding="utf-8")) for path in (inside, anywhere)]
    assert (first[1][0]["gain65"] if first[1] else 0) >= (first[0][0]["gain65"] if first[0] else 0)


def test_suggest_unknown_area_exits_2_naming_the_areas(demo_db_copy, tmp_path):
    out = tmp_path / "x.json"
    result = run(demo_db_copy, "suggest", "--k", "2", "--area", "nowhere", "--out", str(out))
    assert result.returncode == 2
    assert "nowhere" in result.stderr and "minami（南町地区）" in result.stderr
    assert not out.exists()
