"""e-Stat importers: the real 蕨市 小地域 shapefile and 250 m mesh table, plus tiny hand-made tables."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from dashboard.errors import InputError
from dashboard.importers.estat import mesh_level_m, oaza_of, read_mesh_table, read_small_area_boundaries

RAW = Path(__file__).resolve().parents[2] / "data" / "warabi" / "raw"
SHAPEFILE = RAW / "estat_h27ka11223" / "h27ka11223.shp"
MESH_CSV = RAW / "estat_tblT001142Q5339_subset_warabi.csv"
AREA_ASSIGNMENT = RAW.parent / "demo" / "area_assignment.csv"

MESH_HEADER = "KEY_CODE,HTKSYORI,HTKSAKI,GASSAN,T001142001,T001142019,T001142022,T001142025"


@pytest.fixture(scope="module")
def towns():
    return read_small_area_boundaries(SHAPEFILE)


def test_warabi_has_29_towns_with_the_2015_census_total_72260(towns):
    assert len(towns) == 29
    assert towns["code"].is_unique
    assert int(towns["pop"].sum()) == 72_260  # SOURCES.md: sum of JINKO = 2015 census total


def test_town_codes_and_names_match_the_independent_assignment_table(towns):
    with AREA_ASSIGNMENT.open(encoding="utf-8") as f:
        expected = {row["town_code"]: row["town_name"] for row in csv.DictReader(f)}
    assert dict(zip(towns["code"], towns["name"])) == expected


def test_towns_are_in_epsg4326_inside_warabi_with_oaza_and_municipality(towns):
    assert towns.crs.to_epsg() == 4326
    min_lon, min_lat, max_lon, max_lat = towns.total_bounds
    assert 139.64 < min_lon < max_lon < 139.72 and 35.80 < min_lat < max_lat < 35.85
    assert set(towns["municipality_code"]) == {"11223"}
    assert set(towns["oaza"]) == {"錦町", "北町", "中央", "南町", "塚越"}
    assert all(name == name.strip() and "１" not in name for name in towns["name"])
    assert list(towns.columns) == ["code", "municipality_code", "name", "oaza", "pop", "households", "geometry"]


def test_shapefile_without_prj_is_rejected(tmp_path):
    for suffix in (".shp", ".shx", ".dbf"):
        shutil.copy(SHAPEFILE.with_suffix(suffix), tmp_path / f"x{suffix}")
    with pytest.raises(InputError) as error:
        read_small_area_boundaries(tmp_path / "x.shp")
    assert "座標系" in str(error.value)


def test_a_file_that_is_not_a_shapefile_is_an_input_error(tmp_path):
    bad = tmp_path / "broken.shp"
    bad.write_bytes(b"not a shapefile")
    with pytest.raises(InputError) as error:
        read_small_area_boundaries(bad)
    assert error.value.problems[0].file == "broken.shp"


def test_oaza_of():
    assert oaza_of("錦町1丁目") == "錦町"
    assert oaza_of("塚越12丁目") == "塚越"
    assert oaza_of("大字芝") == "大字芝"


def test_real_mesh_table_has_208_cells_with_totals_equal_to_the_raw_columns():
    table, encoding = read_mesh_table(MESH_CSV)
    with MESH_CSV.open(encoding="utf-8") as f:
        raw = list(csv.DictReader(f))
    assert len(table) == len(raw) == 208
    assert encoding == "utf-8"
    assert table["mesh_code"].str.len().eq(10).all()
    assert int(table["pop_total"].sum()) == sum(int(r["T001142001"]) for r in raw)
    assert int(table["pop65"].sum()) == sum(int(r["T001142019"]) for r in raw)
    assert int(table["pop75"].sum()) == sum(int(r["T001142022"]) for r in raw)
    assert not table["suppressed"].any()  # HTKSYORI = 0 everywhere
    first = table.set_index("mesh_code").loc["5339557411"]
    assert (first["pop_total"], first["pop65"], first["pop75"]) == (779, 210, 159)


def write_mesh(path: Path, lines: list[str], encoding="utf-8") -> Path:
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def test_japanese_label_line_in_cp932_is_skipped(tmp_path):
    path = write_mesh(tmp_path / "t.csv", [
        MESH_HEADER,
        ",,,,人口（総数）,６５歳以上人口,７５歳以上人口,８５歳以上人口",
        "5339557411,0,,,100,30,10,2",
        "5339557412,0,,,50,20,5,1",
    ], encoding="cp932")
    table, encoding = read_mesh_table(path)
    assert encoding == "cp932"
    assert table["mesh_code"].tolist() == ["5339557411", "5339557412"]
    assert table["pop_total"].tolist() == [100, 50]
    assert table["pop85"].tolist() == [2, 1]


def test_secret_cells_count_as_zero_and_are_flagged(tmp_path):
    path = write_mesh(tmp_path / "t.csv", [
        MESH_HEADER,
        "5339557411,2,5339557412,,*,*,*,*",
        "5339557412,0,,,50,-,5,",
        "5339557413,0,,,40,10,5,1",
    ])
    table, _ = read_mesh_table(path)
    assert table["suppressed"].tolist() == [True, True, False]
    assert table["pop_total"].tolist() == [0, 50, 40]
    assert table["pop65"].tolist() == [0, 0, 10]


def test_duplicate_mesh_code_names_row_and_column(tmp_path):
    path = write_mesh(tmp_path / "dup.csv", [
        MESH_HEADER,
        "5339557411,0,,,1,0,0,0",
        "5339557412,0,,,1,0,0,0",
        "5339557411,0,,,1,0,0,0",
    ])
    with pytest.raises(InputError) as error:
        read_mesh_table(path)
    problem = error.value.problems[0]
    assert (problem.file, problem.row, problem.column) == ("dup.csv", 4, "KEY_CODE")


def test_duplicate_row_number_counts_the_japanese_label_line(tmp_path):
    # e-Stat downloads have a 2nd header line of Japanese labels: the duplicate is on line 5.
    path = write_mesh(tmp_path / "dup.csv", [
        MESH_HEADER,
        ",,,,人口（総数）,６５歳以上人口,７５歳以上人口,８５歳以上人口",
        "5339557411,0,,,1,0,0,0",
        "5339557412,0,,,1,0,0,0",
        "5339557411,0,,,1,0,0,0",
    ], encoding="cp932")
    with pytest.raises(InputError) as error:
        read_mesh_table(path)
    problem = error.value.problems[0]
    assert (problem.row, problem.column) == (5, "KEY_CODE")


def test_mixed_mesh_sizes_are_rejected(tmp_path):
    path = write_mesh(tmp_path / "mixed.csv", [MESH_HEADER, "5339557411,0,,,1,0,0,0", "533955741,0,,,1,0,0,0"])
    with pytest.raises(InputError):
        read_mesh_table(path)


def test_missing_columns_are_named(tmp_path):
    path = write_mesh(tmp_path / "cols.csv", ["KEY_CODE,T001142001", "5339557411,1"])
    with pytest.raises(InputError) as error:
        read_mesh_table(path)
    message = str(error.value)
    assert "T001142019" in message and "T001142022" in message and "T001142025" in message


def test_table_without_mesh_rows_is_rejected(tmp_path):
    path = write_mesh(tmp_path / "empty.csv", [MESH_HEADER, ",,,,総数,65,75,85"])
    with pytest.raises(InputError):
        read_mesh_table(path)


@pytest.mark.parametrize("code, metres", [("53395574", 1000), ("533955741", 500), ("5339557411", 250),
                                          ("53395574111", 125)])
def test_mesh_level_m(code, metres):
    assert mesh_level_m(code) == metres
