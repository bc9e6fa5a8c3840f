"""``python -m dashboard`` run as a user runs it: a subprocess from the repository root.

Tests that write get a copy of the session's demo store (``demo_db_copy``); the import and the areas
table run on both backends (``demo_store_url``: SQLite and PostgreSQL + PostGIS)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from dashboard.settings import database_url, to_database_url
from dashboard.store import reads
from dashboard.store.engine import revision

REPO = Path(__file__).resolve().parents[2]
CODE = "11223"
AREA_IDS = ["nishiki", "kita", "chuo", "minami", "tsukagoshi"]  # data/warabi/demo/area_assignment.csv order
# two real points inside 蕨市: 総合社会福祉センター (GSI) and the Geolonia point of 中央5丁目
INSIDE = [(35.827789, 139.672853), (35.823725, 139.680588)]


def run(*args: str, db: str | os.PathLike | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    base_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    base_env.update(env or {})
    command = [sys.executable, "-m", "dashboard"] + (["--db", str(db)] if db is not None else []) + list(args)
    return subprocess.run(command, cwd=REPO, env=base_env, capture_output=True, text=True, timeout=120)


def store_state(store: Path | str) -> tuple[int, int]:
    """(number of places, revision) of a store (a SQLite file or a URL)."""
    engine = create_engine(to_database_url(store))
    try:
        return len(reads.places(engine, CODE, internal=True)), revision(engine)
    finally:
        engine.dispose()


def read_areas_csv(path: Path) -> list[dict]:
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


# --- demo build and exports ----------------------------------------------------------------------

def test_demo_build_prints_counts_and_exits_0(tmp_path):
    db = tmp_path / "new" / "demo.sqlite"  # the folder does not exist yet
    result = run("demo", "build", db=db)
    assert result.returncode == 0, result.stderr
    assert "(towns): 29" in result.stdout
    assert "(areas): 5" in result.stdout
    assert "(places_sample):" in result.stdout and "(places_real): 55" in result.stdout
    assert db.is_file()
    places, _ = store_state(db)
    assert places > 55


def test_areas_csv_has_the_five_areas_with_population(demo_store_url, tmp_path):
    out = tmp_path / "out" / "areas.csv"
    result = run("areas", "--out", str(out), db=demo_store_url)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = read_areas_csv(out)
    assert list(rows[0]) == ["area_id", "area_name", "pop_total", "pop65", "pop75"]
    assert [r["area_id"] for r in rows] == AREA_IDS
    totals = {c: sum(int(r[c]) for r in rows) for c in ("pop_total", "pop65", "pop75")}
    # the independently derived 町丁目 estimates sum to 75,193 / 17,059 / 8,810 (±0.5 %)
    assert totals["pop_total"] == pytest.approx(75_193, rel=0.005)
    assert totals["pop65"] == pytest.approx(17_059, rel=0.005)
    assert totals["pop75"] == pytest.approx(8_810, rel=0.005)
    assert all(int(r["pop75"]) <= int(r["pop65"]) <= int(r["pop_total"]) for r in rows)


def test_export_places_writes_a_feature_collection(demo_db_path, tmp_path):
    out = tmp_path / "places.geojson"
    result = run("export", "places", "--out", str(out), db=demo_db_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    places, _ = store_state(demo_db_path)
    assert len(data["features"]) == places
    for feature in data["features"]:
        assert feature["geometry"]["type"] == "Point"
        lon, lat = feature["geometry"]["coordinates"]
        assert 139.6 < lon < 139.75 and 35.78 < lat < 35.86  # lon first (RFC 7946)
        assert {"id", "name", "category", "frequency_class", "area_id", "visibility", "status"} <= set(feature["properties"])
        assert feature["properties"]["area_id"] in AREA_IDS
    assert any(f["properties"]["visibility"] == "internal" for f in data["features"])


def test_export_public_places_leaves_out_internal_places_and_fields(demo_db_path, tmp_path):
    out = tmp_path / "public.geojson"
    result = run("export", "places", "--public", "--out", str(out), db=demo_db_path)
    assert result.returncode == 0, result.stderr
    features = json.loads(out.read_text(encoding="utf-8"))["features"]
    assert features
    for feature in features:
        assert not {"contact_internal", "notes", "visibility"} & set(feature["properties"])
    internal_ids = {f["properties"]["id"] for f in json.loads(run_export_all(demo_db_path, tmp_path))["features"]
                    if f["properties"]["visibility"] == "internal"}
    assert internal_ids and not internal_ids & {f["properties"]["id"] for f in features}


def run_export_all(db: Path, tmp_path: Path) -> str:
    out = tmp_path / "all.geojson"
    assert run("export", "places", "--out", str(out), db=db).returncode == 0
    return out.read_text(encoding="utf-8")


def test_export_areas_writes_five_polygons(demo_db_path, tmp_path):
    out = tmp_path / "areas.geojson"
    result = run("export", "areas", "--out", str(out), db=demo_db_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    assert [f["properties"]["area_id"] for f in data["features"]] == AREA_IDS
    for feature in data["features"]:
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
        assert {"area_name", "is_demo", "pop_total", "pop65", "pop75"} <= set(feature["properties"])


# --- import places -----------------------------------------------------------------------------------

def places_csv(path: Path, rows: list[tuple[str, str, str]], encoding: str = "utf-8") -> Path:
    lines = ["名称,種別,緯度,経度"] + [",".join(r) for r in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def test_import_utf8_file_adds_places_and_bumps_the_revision(demo_store_url, tmp_path):
    before_places, before_revision = store_state(demo_store_url)
    path = places_csv(tmp_path / "new.csv", [("新しいサロン", "サロン", *map(str, INSIDE[0])),
                                             ("新しい体操", "通いの場（体操）", *map(str, INSIDE[1]))])
    result = run("import", "places", str(path), db=demo_store_url)
    assert result.returncode == 0, result.stderr
    assert "新規 2" in result.stdout
    assert store_state(demo_store_url) == (before_places + 2, before_revision + 1)


def test_import_cp932_file(demo_db_copy, tmp_path):
    before_places, _ = store_state(demo_db_copy)
    path = places_csv(tmp_path / "sjis.csv", [("髙橋さんちのサロン", "サロン", *map(str, INSIDE[0]))], encoding="cp932")
    result = run("import", "places", str(path), db=demo_db_copy)
    assert result.returncode == 0, result.stderr
    assert "cp932" in result.stdout
    engine = create_engine(f"sqlite:///{demo_db_copy}")
    names = set(reads.places(engine, CODE, internal=True)["name"])
    engine.dispose()
    assert "髙橋さんちのサロン" in names
    assert store_state(demo_db_copy)[0] == before_places + 1


def test_dry_run_checks_but_writes_nothing(demo_store_url, tmp_path):
    before = store_state(demo_store_url)
    path = places_csv(tmp_path / "new.csv", [("試しのサロン", "サロン", *map(str, INSIDE[0]))])
    result = run("import", "places", str(path), "--dry-run", db=demo_store_url)
    assert result.returncode == 0, result.stderr
    assert "新規 1" in result.stdout
    assert store_state(demo_store_url) == before


def test_bad_file_exits_2_naming_row_and_column_and_writes_nothing(demo_store_url, tmp_path):
    before = store_state(demo_store_url)
    path = places_csv(tmp_path / "bad.csv", [("よいサロン", "サロン", *map(str, INSIDE[0])),
                                             ("緯度が文字", "サロン", "北緯35度", str(INSIDE[0][1]))])
    result = run("import", "places", str(path), db=demo_store_url)
    assert result.returncode == 2
    assert "bad.csv 3行目 列「lat」" in result.stderr
    assert store_state(demo_store_url) == before


def test_point_outside_the_city_exits_2_and_writes_nothing(demo_store_url, tmp_path):
    before = store_state(demo_store_url)
    # 東京駅 (35.681°N, 139.767°E) is about 17 km from 蕨市
    path = places_csv(tmp_path / "far.csv", [("よいサロン", "サロン", *map(str, INSIDE[0])),
                                             ("遠いサロン", "サロン", "35.681", "139.767")])
    result = run("import", "places", str(path), db=demo_store_url)
    assert result.returncode == 2
    assert "3行目" in result.stderr and "lat/lon" in result.stderr
    assert store_state(demo_store_url) == before


def test_nonexistent_file_exits_2(demo_db_copy, tmp_path):
    before = store_state(demo_db_copy)
    result = run("import", "places", str(tmp_path / "missing.csv"), db=demo_db_copy)
    assert result.returncode == 2
    assert "missing.csv" in result.stderr
    assert store_state(demo_db_copy) == before


def test_commands_on_an_empty_store_exit_2_with_advice(tmp_path):
    result = run("areas", "--out", str(tmp_path / "a.csv"), db=tmp_path / "empty.sqlite")
    assert result.returncode == 2
    assert "demo build" in result.stderr
    assert not (tmp_path / "a.csv").exists()


# --- where the store is --------------------------------------------------------------------------------

@pytest.mark.parametrize("how", ["path", "url", "env"])
def test_store_given_as_path_as_url_or_in_database_url(how, demo_db_copy, tmp_path):
    out = tmp_path / "areas.csv"
    if how == "path":
        result = run("areas", "--out", str(out), db=demo_db_copy)
    elif how == "url":
        result = run("areas", "--out", str(out), db=f"sqlite:///{demo_db_copy}")
    else:
        result = run("areas", "--out", str(out), env={"DATABASE_URL": f"sqlite:///{demo_db_copy}"})
    assert result.returncode == 0, result.stderr
    assert [r["area_id"] for r in read_areas_csv(out)] == AREA_IDS


def test_relative_db_path_resolves_against_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert to_database_url("var/x.sqlite") == f"sqlite:///{tmp_path.resolve() / 'var' / 'x.sqlite'}"
    assert to_database_url("postgresql://u@h/db") == "postgresql://u@h/db"


def test_database_url_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "sqlite:////env.sqlite")
    assert database_url("sqlite:////option.sqlite") == "sqlite:////option.sqlite"
    assert database_url(None) == "sqlite:////env.sqlite"
    monkeypatch.delenv("DATABASE_URL")
    assert database_url(None).endswith("/var/tsudoi.sqlite")
