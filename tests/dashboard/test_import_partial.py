"""A file with only some columns changes only those columns of places already in the store."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIELDS = "name, visibility, address, contact_public, contact_internal, last_verified, lat, lon, rrule, source"


def _row(db_path, place_id):
    with sqlite3.connect(db_path) as db:
        return dict(zip([f.strip() for f in FIELDS.split(",")],
                        db.execute(f"select {FIELDS} from places where id=?", (place_id,)).fetchone()))


def _import(db_path, csv_path, *extra):
    return subprocess.run([sys.executable, "-m", "dashboard", "--db", str(db_path), "import", "places", str(csv_path),
                           *extra], capture_output=True, text=True, cwd=REPO, timeout=300)


def test_missing_columns_never_blank_data_or_unpublish(demo_db_copy, tmp_path):
    before = _row(demo_db_copy, "demo-002")
    assert before["visibility"] == "public" and before["address"] and before["contact_internal"]
    csv = tmp_path / "names.csv"
    csv.write_text("id,name,category,lat,lon\ndemo-002,新しい名前,サロン,35.8201,139.6801\n", encoding="utf-8")
    preview = _import(demo_db_copy, csv, "--dry-run")
    assert "変更 1" in preview.stdout
    changed_line = next(line for line in preview.stdout.splitlines() if "demo-002" in line)
    assert "visibility" not in changed_line and "address" not in changed_line and "name" in changed_line
    assert _import(demo_db_copy, csv).returncode == 0
    after = _row(demo_db_copy, "demo-002")
    assert after["name"] == "新しい名前" and (after["lat"], after["lon"]) == (35.8201, 139.6801)
    for field in ("visibility", "address", "contact_public", "contact_internal", "last_verified", "rrule", "source"):
        assert after[field] == before[field], field


def test_address_only_file_does_not_move_an_existing_point(demo_db_copy, tmp_path):
    before = _row(demo_db_copy, "demo-003")
    csv = tmp_path / "addresses.csv"
    csv.write_text(f"id,name,category,address\ndemo-003,{before['name']},サロン,埼玉県蕨市中央1-1-1\n", encoding="utf-8")
    assert _import(demo_db_copy, csv).returncode == 0
    after = _row(demo_db_copy, "demo-003")
    assert after["address"] == "埼玉県蕨市中央1-1-1"
    assert (after["lat"], after["lon"]) == (before["lat"], before["lon"])  # 町丁目 point would be less precise
    assert after["visibility"] == before["visibility"]
