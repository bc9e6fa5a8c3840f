"""Setting up a city from its own files (#10), the way a coordinator does it: the CLI commands
``municipality add`` → ``import towns`` → ``import population`` → ``import areas`` → ``import venues``
→ ``import places``, on 新座市 (a second real city) and beside the 蕨市 demo.

Expected figures come from the raw files, read here independently of the importers: the 住基 age
table (openpyxl), the synthetic 新座市 age table (csv + NFKC), Geolonia points (json + pyproj).

The city's setup and every importer run on both backends (SQLite and PostgreSQL + PostGIS: the
``niiza_db`` and ``store_url`` params) with the same expected figures.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from pyproj import Transformer
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from dashboard.cli import main
from dashboard.settings import to_database_url
from dashboard.store import models as m
from dashboard.store import reads
from dashboard.store.engine import read_session, revision
from tests.conftest import BACKENDS

REPO = Path(__file__).resolve().parents[2]
NIIZA = "11230"
NIIZA_RAW = REPO / "data" / "niiza" / "raw"
NIIZA_TEST = REPO / "tests" / "data" / "niiza"
GEOLONIA = NIIZA_RAW / "geolonia_japanese-addresses_新座市.json"
AGE_TABLE = NIIZA_TEST / "niiza_age_by_town_SYNTHETIC.csv"
AREAS = NIIZA_TEST / "niiza_areas_SYNTHETIC.csv"
PLACES = NIIZA_TEST / "niiza_places_SYNTHETIC.csv"
SHELTERS = [NIIZA_RAW / "gsi_shelter_evacuation_112305.json", NIIZA_RAW / "gsi_shelter_emergency_112305.json"]
JUKI = REPO / "data" / "saitama" / "soumu_juki_2204ssnen.xlsx"
WARABI_RAW = REPO / "data" / "warabi" / "raw"


def cli(db: Path | str, *args: str) -> int:
    return main(["--db", str(db), *map(str, args)])


def set_up_niiza(db: Path | str, capsys=None) -> None:
    steps = [("municipality", "add", NIIZA, "--name", "新座市"),
             ("import", "towns", GEOLONIA),
             ("import", "population", AGE_TABLE, "--as-of", "2022-01-01"),
             ("import", "areas", AREAS, "--provisional"),
             ("import", "venues", *SHELTERS),
             ("import", "places", PLACES)]
    for step in steps:
        code = cli(db, *step, *(("--municipality", NIIZA) if step[0] == "import" else ()))
        assert code == 0, (step, capsys.readouterr().err if capsys else "")


@pytest.fixture(scope="module", params=BACKENDS)
def niiza_db(request, tmp_path_factory) -> Path | str:
    """新座市 set up through the CLI, once per backend: a SQLite file, or a PostgreSQL database's URL."""
    if request.param == "sqlite":
        db = tmp_path_factory.mktemp("niiza") / "store.sqlite"
        set_up_niiza(db)
        yield db
        return
    server = request.getfixturevalue("pg_server")
    url = server.create(request.getfixturevalue("pg_postgis_template"))
    set_up_niiza(url)
    yield url
    server.drop(url)


def copy_store(source: Path, target: Path) -> Path:
    """A consistent copy of a SQLite store, WAL included (sqlite3's online backup)."""
    import sqlite3

    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


@pytest.fixture
def niiza_copy(request, niiza_db, tmp_path) -> Path | str:
    if isinstance(niiza_db, Path):
        yield copy_store(niiza_db, tmp_path / "niiza.sqlite")
        return
    server = request.getfixturevalue("pg_server")
    url = server.create(make_url(niiza_db).database)  # a template nobody is connected to (NullPool below)
    yield url
    server.drop(url)


def engine_of(db: Path | str):
    """An engine that keeps no connection open between uses (so a PostgreSQL store can be a template)."""
    return create_engine(to_database_url(db), poolclass=NullPool)


# --- independent figures ---------------------------------------------------------------------------

def juki_figures(code6: str) -> dict[str, int]:
    """Total, 65+, 75+, 85+ of one municipality from the 住基 xlsx (総数 row; 5-year bands)."""
    sheet = openpyxl.load_workbook(JUKI, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(r for r in rows if r and any(str(c or "").startswith("0歳") for c in r))
    row = next(r for r in rows if r and str(r[0]) == code6 and str(r[3]).strip() == "計")
    starts = {i: int(re.match(r"(\d+)", str(c)).group(1)) for i, c in enumerate(header)
              if c and re.match(r"\d+歳", str(c))}
    total = int(row[header.index("総数")])
    return {"total": total, **{f"pop{a}": sum(int(row[i]) for i, s in starts.items() if s >= a) for a in (65, 75, 85)}}


def synthetic_rows() -> list[dict]:
    """The synthetic age table read with csv + NFKC: name, total, 65+, 75+ per row (合計 excluded)."""
    with AGE_TABLE.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header = [unicodedata.normalize("NFKC", h) for h in rows[0]]
    starts = {i: int(re.match(r"(\d+)", h).group(1)) for i, h in enumerate(header) if re.match(r"\d+[-歳]", h)}
    result = []
    for raw in rows[1:]:
        cells = [unicodedata.normalize("NFKC", c) for c in raw]
        if cells[4] == "合計":
            continue
        result.append({"name": cells[4], "total": int(cells[5]),
                       **{f"pop{a}": sum(int(cells[i]) for i, s in starts.items() if s >= a) for a in (65, 75)}})
    return result


def test_the_synthetic_table_adds_up_to_the_real_juki_figures():
    # guards the fixture itself: every figure below leans on it
    rows, real = synthetic_rows(), juki_figures("112305")
    assert len(rows) == 82
    assert sum(r["total"] for r in rows) == real["total"] == 166_108
    assert sum(r["pop65"] for r in rows) == real["pop65"] == 42_803


# --- 新座市 end to end -------------------------------------------------------------------------------

def test_niiza_city_totals_equal_the_juki_table(niiza_db):
    real = juki_figures("112305")
    engine = engine_of(niiza_db)
    towns, areas = reads.towns(engine, NIIZA), reads.areas(engine, NIIZA)
    assert len(towns) == 82 and set(towns["geometry_kind"]) == {"point"}
    assert towns["est_pop_total"].sum() == pytest.approx(real["total"])
    assert towns["est_pop65"].sum() == pytest.approx(real["pop65"])
    assert towns["est_pop75"].sum() == pytest.approx(real["pop75"])
    assert len(areas) == 7 and areas["is_demo"].all()
    assert areas["pop65"].sum() == pytest.approx(real["pop65"])


def test_each_area_holds_the_people_of_its_towns_as_the_files_say(niiza_db):
    # The synthetic table has one row per Geolonia entry, in the Geolonia file's order (its README);
    # the areas table names towns as Geolonia writes them. Join the raw files by position and name.
    geolonia = [e["town"] for e in json.loads(GEOLONIA.read_text(encoding="utf-8"))]
    with AREAS.open(encoding="utf-8-sig", newline="") as handle:
        area_of = {row["町丁目名"]: row["日常生活圏域"] for row in csv.DictReader(handle)}
    expected: dict[str, int] = {}
    for town, row in zip(geolonia, synthetic_rows()):
        expected[area_of[town]] = expected.get(area_of[town], 0) + row["pop65"]
    areas = reads.areas(engine_of(niiza_db), NIIZA).set_index("area_name")
    assert {name: round(areas.at[name, "pop65"]) for name in expected} == expected


def test_a_town_known_by_a_point_counts_its_people_at_that_point(niiza_db, tmp_path, capsys):
    # Coverage by hand: a town's 65+ are covered when an active gathering place lies within 500 m
    # of its Geolonia point, measured here with pyproj in JGD2011 zone IX and numpy.
    to_plane = Transformer.from_crs("EPSG:4326", "EPSG:6677", always_xy=True)
    engine = engine_of(niiza_db)
    towns = reads.towns(engine, NIIZA)
    with PLACES.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    gathering = [r for r in rows if r["status"] == "active" and r["category"] in
                 ("サロン", "通いの場（体操）", "通いの場（その他）", "居場所")]
    px, py = to_plane.transform([float(r["lon"]) for r in gathering], [float(r["lat"]) for r in gathering])
    tx, ty = to_plane.transform(towns["rep_lon"].to_numpy(), towns["rep_lat"].to_numpy())
    nearest = np.sqrt((np.asarray(tx)[:, None] - np.asarray(px)[None, :]) ** 2
                      + (np.asarray(ty)[:, None] - np.asarray(py)[None, :]) ** 2).min(axis=1)
    expected_covered = towns.loc[nearest <= 500, "est_pop65"].sum()
    assert 0 < expected_covered < towns["est_pop65"].sum()  # the check means something

    out = tmp_path / "coverage.csv"
    assert cli(niiza_db, "coverage", "--distance", 500, "--out", out) == 0
    with out.open(encoding="utf-8-sig", newline="") as handle:
        city = next(r for r in csv.DictReader(handle) if r["area_id"] == "ALL")
    assert float(city["pop65_covered"]) == pytest.approx(expected_covered)
    assert int(city["places"]) == len(gathering)


def test_every_command_works_for_the_new_city(niiza_db, tmp_path, capsys):
    assert cli(niiza_db, "suggest", "--k", 3, "--out", tmp_path / "picks.json") == 0
    picks = json.loads((tmp_path / "picks.json").read_text(encoding="utf-8"))
    venues = {v["name"] for v in reads.candidate_venues(engine_of(niiza_db), NIIZA).to_dict("records")}
    assert picks and {p["name"] for p in picks} <= venues
    assert cli(niiza_db, "export", "karte", "--all", "--out", tmp_path / "k.pdf") == 0
    assert (tmp_path / "k.pdf").read_bytes().startswith(b"%PDF")
    assert cli(niiza_db, "areas", "--out", tmp_path / "areas.csv") == 0
    assert cli(niiza_db, "export", "places", "--public", "--out", tmp_path / "p.geojson") == 0
    public = json.loads((tmp_path / "p.geojson").read_text(encoding="utf-8"))["features"]
    assert "ひばりヶ丘 こもれびの会（サンプル・架空）" not in {f["properties"]["name"] for f in public}  # internal
    capsys.readouterr()
    assert cli(niiza_db, "municipality", "status") == 0
    status = capsys.readouterr().out
    assert "✔ 町丁目: 82 件（代表点のみ）" in status and "65歳以上 42,803 人" in status


def test_the_city_names_its_sources_and_as_of_dates(niiza_db):
    meta = reads.meta(engine_of(niiza_db), NIIZA)
    assert meta["population_as_of"] == "2022-01-01"
    assert meta["boundary_as_of"] == "2021-01-01"  # from the bundled N03 file's name
    from dashboard import sources

    text = sources.city_attribution(meta)
    assert "国土数値情報" in text and "Geolonia" in text and "国土地理院" in text
    assert "e-Stat" not in text  # 新座市 used no e-Stat file


# --- two cities in one store --------------------------------------------------------------------------

def test_demo_and_niiza_side_by_side(demo_store_url, demo_db_url, tmp_path, capsys):
    set_up_niiza(demo_store_url, capsys)
    capsys.readouterr()
    assert cli(demo_store_url, "coverage", "--out", tmp_path / "c.csv") == 2
    err = capsys.readouterr().err
    assert "--municipality" in err and "11223（蕨市）" in err and "11230（新座市）" in err
    for code in ("11223", "11230"):
        assert cli(demo_store_url, "coverage", "--municipality", code, "--out", tmp_path / f"{code}.csv") == 0
    # the demo city is untouched by the second city (and equal to the SQLite demo's, whatever the backend)
    alone, both = create_engine(demo_db_url), engine_of(demo_store_url)
    assert reads.areas(both, "11223")["pop65"].tolist() == reads.areas(alone, "11223")["pop65"].tolist()
    assert len(reads.places(both, "11223", internal=True)) == len(reads.places(alone, "11223", internal=True))
    assert reads.meta(both, "11223")["demo"] == "true" and "demo" not in reads.meta(both, "11230")


# --- e-Stat files as downloaded --------------------------------------------------------------------

def zip_estat(target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for part in (WARABI_RAW / "estat_h27ka11223").iterdir():
            archive.write(part, f"h27ka11223/{part.name}")
    return target


def test_warabi_from_the_estat_zip_and_mesh_gives_the_demo_figures(store_url, tmp_path, capsys):
    db = store_url
    assert cli(db, "municipality", "add", "11223", "--name", "蕨市") == 0
    assert cli(db, "import", "towns", zip_estat(tmp_path / "A002005212015DDSWC11223.zip")) == 0
    mesh = tmp_path / "tblT001142Q5339.zip"  # e-Stat ships the table as a .txt inside a zip
    with zipfile.ZipFile(mesh, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.write(WARABI_RAW / "estat_tblT001142Q5339_subset_warabi.csv", "tblT001142Q5339.txt")
    assert cli(db, "import", "population", mesh) == 0
    assert cli(db, "import", "areas", REPO / "data" / "warabi" / "demo" / "area_assignment.csv") == 0
    engine = engine_of(db)
    towns = reads.towns(engine, "11223")
    assert len(towns) == 29 and "錦町1丁目" in set(towns["name"])
    # README: independently derived 2020 totals 75,193 people, 17,059 aged 65+ (mesh clipped to the city)
    assert towns["est_pop65"].sum() == pytest.approx(17_059, abs=1)
    assert towns["est_pop_total"].sum() == pytest.approx(75_193, abs=1)
    assert towns["pop_2015"].sum() == 72_260  # JINKO of the 2015 census
    assert sorted(reads.areas(engine, "11223")["area_id"]) == sorted(["nishiki", "kita", "chuo", "minami", "tsukagoshi"])


def test_areas_from_a_polygon_file_assign_each_town_to_the_area_holding_it(store_url, tmp_path, demo_engine):
    db = store_url
    assert cli(db, "municipality", "add", "11223", "--name", "蕨市") == 0
    assert cli(db, "import", "towns", zip_estat(tmp_path / "towns.zip")) == 0
    polygons = tmp_path / "areas.geojson"
    demo_areas = reads.areas(demo_engine, "11223")[["area_id", "area_name", "geometry"]]
    demo_areas.rename(columns={"area_name": "圏域名"}).to_file(polygons, driver="GeoJSON")
    assert cli(db, "import", "areas", polygons) == 0
    mine = reads.towns(engine_of(db), "11223").set_index("code")["area_id"]
    demo = reads.towns(demo_engine, "11223").set_index("code")["area_id"]
    assert mine.sort_index().tolist() == demo.sort_index().tolist()


# --- bad files: a clear message naming file, row and column; nothing written ---------------------

def state(db: Path | str) -> tuple:
    engine = engine_of(db)
    with read_session(engine) as session:
        counts = tuple(session.scalar(select(func.count()).select_from(model))
                       for model in (m.Town, m.Area, m.PopulationCell, m.Place, m.CandidateVenue))
    return revision(engine), counts


def refused(db: Path | str, capsys, *args) -> str:
    before = state(db)
    capsys.readouterr()
    assert cli(db, *args) == 2
    assert state(db) == before, "a refused import must leave the store unchanged"
    return capsys.readouterr().err


def test_an_unmatched_town_name_is_listed_with_candidates_until_skipped_or_renamed(niiza_copy, tmp_path, capsys):
    text = AGE_TABLE.read_text(encoding="utf-8-sig").replace("あたご１丁目", "あたご１丁目東", 1)
    bad = tmp_path / "age.csv"
    bad.write_text(text, encoding="utf-8-sig")
    err = refused(niiza_copy, capsys, "import", "population", bad)
    assert "age.csv 2行目 列「地域名」" in err and "「あたご1丁目東」" in err and "近い町丁目：あたご1丁目" in err
    # explicitly renamed: the row counts for あたご1丁目 again
    assert cli(niiza_copy, "import", "population", bad, "--rename", "あたご１丁目東=あたご1丁目") == 0
    assert reads.towns(engine_of(niiza_copy), NIIZA)["est_pop65"].sum() == pytest.approx(42_803)
    # explicitly skipped: imported without it, and the town is said to have no row
    capsys.readouterr()
    assert cli(niiza_copy, "import", "population", bad, "--skip", "あたご１丁目東") == 0
    out = capsys.readouterr().out
    assert "取り込まなかった行：あたご1丁目東" in out and "行がない町丁目 1 件は0人としました：あたご1丁目" in out


def test_a_town_named_twice_is_refused(niiza_copy, tmp_path, capsys):
    towns = tmp_path / "towns.csv"
    towns.write_text("町丁目名,緯度,経度\nあたご1丁目,35.787944,139.547549\nあたご1丁目,35.790235,139.544789\n",
                     encoding="utf-8")
    err = refused(niiza_copy, capsys, "import", "towns", towns)
    assert "towns.csv 3行目 列「町丁目名」" in err and "2回" in err


def test_a_town_in_two_areas_and_a_town_in_none_are_refused(niiza_copy, tmp_path, capsys):
    lines = AREAS.read_text(encoding="utf-8-sig").splitlines()
    two = tmp_path / "two.csv"
    two.write_text("\n".join(lines + [lines[1].replace("デモ第1圏域", "デモ第2圏域")]) + "\n", encoding="utf-8")
    err = refused(niiza_copy, capsys, "import", "areas", two)
    assert f"two.csv {len(lines) + 1}行目" in err and "2回割り当てられています" in err
    none = tmp_path / "none.csv"
    none.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    err = refused(niiza_copy, capsys, "import", "areas", none)
    assert lines[-1].split(",")[0] == "あたご三丁目"  # the left-out town, as the areas file writes it
    assert "none.csv: 圏域が割り当てられていない町丁目が 1 件あります：あたご3丁目" in err


def test_another_citys_boundary_is_refused(store_url, tmp_path, capsys):
    db = store_url
    from dashboard.store.engine import open_store

    open_store(db).dispose()  # an empty store (the refused command must not fill it)
    # an N03-format file of 蕨市 only, given for 新座市
    err = refused(db, capsys, "municipality", "add", NIIZA, "--name", "新座市",
                  "--boundary", WARABI_RAW / "niiyz_JapanCityGeoJson_11223.json")
    assert "行政区域コード 11230 の区域がこのファイルにありません" in err and "11223" in err
    # a plain polygon file (no N03 attributes) of 蕨市, given for 新座市: checked against the bundled N03
    plain = tmp_path / "outline.geojson"
    import geopandas as gpd

    frame = gpd.read_file(WARABI_RAW / "niiyz_JapanCityGeoJson_11223.json")
    gpd.GeoDataFrame(geometry=frame.geometry, crs=frame.crs).to_file(plain, driver="GeoJSON")
    err = refused(db, capsys, "municipality", "add", NIIZA, "--name", "新座市", "--boundary", plain)
    assert "outline.geojson" in err and "重なりません" in err
    # the right code with the wrong name
    err = refused(db, capsys, "municipality", "add", NIIZA, "--name", "蕨市")
    assert "「新座市」" in err


def test_another_citys_population_is_refused(demo_db_copy, capsys):
    err = refused(demo_db_copy, capsys, "import", "population", AGE_TABLE)
    assert "11230" in err and "列「全国地方公共団体コード」" in err


def test_a_mesh_that_misses_the_city_is_refused(niiza_copy, capsys):
    err = refused(niiza_copy, capsys, "import", "population", WARABI_RAW / "estat_tblT001142Q5339_subset_warabi.csv")
    assert "市の区域と重なりません" in err


@pytest.mark.parametrize("niiza_db", ["sqlite"], indirect=True)  # reading the file: one backend is enough
def test_a_climbing_or_inflating_zip_is_refused_and_nothing_is_extracted(niiza_copy, tmp_path, capsys, monkeypatch):
    slip = tmp_path / "slip.zip"
    with zipfile.ZipFile(slip, "w") as archive:
        archive.writestr("../../evil.geojson", '{"type": "FeatureCollection", "features": []}')
    monkeypatch.chdir(tmp_path)
    err = refused(niiza_copy, capsys, "import", "towns", slip)
    assert "slip.zip" in err and "evil.geojson" in err
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("towns.geojson", b" " * (600 * 1024 * 1024))
    err = refused(niiza_copy, capsys, "import", "towns", bomb)
    assert "bomb.zip" in err
    assert not (tmp_path.parent / "evil.geojson").exists() and not (tmp_path / "towns.geojson").exists()


def test_a_bad_municipality_code_and_a_missing_city_are_usage_errors(tmp_path, capsys):
    db = tmp_path / "s.sqlite"
    assert cli(db, "municipality", "add", "112306", "--name", "新座市") == 2  # wrong check digit
    assert "検査数字" in capsys.readouterr().err
    assert cli(db, "import", "towns", GEOLONIA) == 2
    assert "municipality add" in capsys.readouterr().err


def test_a_prefecture_wide_n03_zip_gives_the_citys_outline(store_url, tmp_path):
    n03 = REPO / "data" / "saitama" / "N03-21_11_210101_s0010.json"
    archive_path = tmp_path / "N03-20210101_11_GML.zip"
    with zipfile.ZipFile(archive_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.write(n03, f"N03-20210101_11_GML/{n03.name}")
    db = store_url
    assert cli(db, "municipality", "add", "112305", "--boundary", archive_path) == 0  # name from N03_004
    engine = engine_of(db)
    city = reads.municipalities(engine).set_index("code").loc[NIIZA]
    assert city["name"] == "新座市" and city["prefecture"] == "埼玉県"
    # the outline equals the union of the file's features with N03_007 = 11230, read with json + shapely
    import shapely.geometry

    features = json.loads(n03.read_text(encoding="utf-8"))["features"]
    expected = shapely.union_all([shapely.geometry.shape(f["geometry"]) for f in features
                                  if str(f["properties"]["N03_007"]) == NIIZA])
    assert reads.municipality_boundary(engine, NIIZA).symmetric_difference(expected).area < 1e-9


def test_towns_from_polygons_with_a_name_column_and_from_a_point_csv(store_url, tmp_path, demo_engine, capsys):
    db = store_url
    assert cli(db, "municipality", "add", "11223", "--name", "蕨市") == 0
    polygons = tmp_path / "chome.geojson"
    demo_towns = reads.towns(demo_engine, "11223")
    demo_towns[["name", "geometry"]].rename(columns={"name": "町丁目名"}).to_file(polygons, driver="GeoJSON")
    assert cli(db, "import", "towns", polygons) == 0
    mine = reads.towns(engine_of(db), "11223")
    assert sorted(mine["name"]) == sorted(demo_towns["name"]) and set(mine["geometry_kind"]) == {"polygon"}
    # the same towns as points, Excel-style CSV in CP932 with Japanese headers
    points = tmp_path / "chome.csv"
    lines = ["町丁目名,緯度,経度"] + [f"{r.name},{r.rep_lat},{r.rep_lon}" for r in demo_towns.itertuples()]
    points.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp932"))
    capsys.readouterr()
    assert cli(db, "import", "towns", points) == 0
    assert "これまでの町丁目 29 件を置き換えました" in capsys.readouterr().out
    mine = reads.towns(engine_of(db), "11223")
    assert len(mine) == 29 and set(mine["geometry_kind"]) == {"point"}
    # each point lies in its own Voronoi cell
    import geopandas as gpd

    inside = gpd.GeoSeries(gpd.points_from_xy(mine["rep_lon"], mine["rep_lat"]), crs=4326).within(mine.geometry.buffer(0))
    assert inside.all()


def test_a_column_mapping_reads_any_town_age_table(niiza_copy, tmp_path, capsys):
    # a municipality's own layout: 町名 / 人口総数 / 65〜74 and 75+ in separate columns (hand-made)
    table = tmp_path / "own.csv"
    table.write_text("町名,人口総数,前期高齢者,後期高齢者\nあたご1丁目,1000,150,120\nあたご2丁目,800,100,60\n", encoding="utf-8")
    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps({"town": "町名", "total": ["人口総数"], "pop65": ["前期高齢者", "後期高齢者"],
                                   "pop75": ["後期高齢者"]}, ensure_ascii=False), encoding="utf-8")
    assert cli(niiza_copy, "import", "population", table, "--mapping", mapping) == 0
    towns = reads.towns(engine_of(niiza_copy), NIIZA).set_index("name")
    assert towns.at["あたご1丁目", "est_pop65"] == 270 and towns.at["あたご2丁目", "est_pop75"] == 60
    assert towns["est_pop65"].sum() == 270 + 160  # every other town has no row → 0, and the report says so
    assert "ファイルに行がない町丁目 80 件は0人としました" in capsys.readouterr().out


def test_an_areas_table_may_name_a_whole_oaza_or_a_range_of_chome(niiza_copy, tmp_path, capsys):
    # as cities write 圏域 tables: 「野火止」 for every 野火止N丁目, 「栄1～5丁目」, 「あたご1・2丁目」
    towns = reads.towns(engine_of(niiza_copy), NIIZA)
    names = set(towns["name"])
    nobidome = sorted(n for n in names if n.startswith("野火止") and n.endswith("丁目"))
    sakae = sorted(n for n in names if re.fullmatch(r"栄\d丁目", n))
    assert len(nobidome) == 8 and len(sakae) == 5  # as Geolonia lists them (data/niiza/raw)
    rest = sorted(names - set(nobidome) - set(sakae) - {"あたご1丁目", "あたご2丁目"})
    lines = ["町丁目名,日常生活圏域", "野火止,北圏域", "栄1～5丁目,東圏域", "あたご1・2丁目,西圏域"]
    lines += [f"{n},南圏域" for n in rest]
    table = tmp_path / "areas.csv"
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert cli(niiza_copy, "import", "areas", table) == 0, capsys.readouterr().err
    stored = reads.towns(engine_of(niiza_copy), NIIZA)
    area_name = dict(zip(reads.areas(engine_of(niiza_copy), NIIZA)["area_id"],
                         reads.areas(engine_of(niiza_copy), NIIZA)["area_name"]))
    by_town = {n: area_name[a] for n, a in zip(stored["name"], stored["area_id"])}
    assert {by_town[n] for n in nobidome} == {"北圏域"} and {by_town[n] for n in sakae} == {"東圏域"}
    assert by_town["あたご1丁目"] == by_town["あたご2丁目"] == "西圏域" and by_town["あたご3丁目"] == "南圏域"


def test_a_city_on_a_mesh_grid_line_loads_one_mesh_file_per_first_level_mesh(store_url, tmp_path, capsys):
    # split the real 蕨市 mesh table in two files (as e-Stat ships a city spanning two 1st-level meshes)
    source = (WARABI_RAW / "estat_tblT001142Q5339_subset_warabi.csv").read_bytes().decode("cp932").splitlines()
    header, body = source[:1], [line for line in source[1:] if line.strip()]  # (this subset has no label line)
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("\n".join(header + body[::2]) + "\n", encoding="cp932")
    second.write_text("\n".join(header + body[1::2]) + "\n", encoding="cp932")
    db = store_url
    assert cli(db, "municipality", "add", "11223", "--name", "蕨市") == 0
    assert cli(db, "import", "towns", zip_estat(tmp_path / "towns.zip")) == 0
    assert cli(db, "import", "population", first, second) == 0
    assert reads.towns(engine_of(db), "11223")["est_pop65"].sum() == pytest.approx(17_059, abs=1)
    capsys.readouterr()
    assert cli(db, "import", "population", first, first) == 2  # the same cells twice
    assert "複数のファイルにあります" in capsys.readouterr().err


def test_venues_from_a_places_file_and_another_citys_shelters_refused(niiza_copy, tmp_path, capsys):
    own = tmp_path / "halls.csv"
    own.write_text("name,lat,lon,venue_type\n栗原集会所,35.76112,139.550786,公民館・自治会館・集会所\n"
                   "畑中集会所,35.785304,139.572959,公民館・自治会館・集会所\n", encoding="utf-8")
    assert cli(niiza_copy, "import", "venues", own) == 0
    venues = reads.candidate_venues(engine_of(niiza_copy), NIIZA)
    assert sorted(venues["name"]) == ["栗原集会所", "畑中集会所"] and venues["area_id"].notna().all()
    err = refused(niiza_copy, capsys, "import", "venues", WARABI_RAW / "gsi_shelter_evacuation_112232.json")
    assert "gsi_shelter_evacuation_112232.json" in err and "区域外" in err
