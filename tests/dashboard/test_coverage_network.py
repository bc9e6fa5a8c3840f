"""dashboard.coverage with a street network and with 2SFCA, on the real 蕨市 demo store (read-only).

The street network is a synthetic grid built here: streets every 250 m in EPSG:6677 (埼玉 = 平面直角
座標系 IX) over 蕨市's bounding box plus 500 m, written as OSM XML in lon/lat. On a full grid the
shortest walk between two crossings is their Manhattan distance, and a point's nearest crossing is
its coordinates rounded to the grid, so expected walks are computed here without any graph code.
Expected 2SFCA values come from a units × places distance matrix measured here with geopandas.
"""

from __future__ import annotations

import csv
import io
import math
import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer
from sqlalchemy import create_engine

from dashboard import coverage
from dashboard.store import reads
from geo.network import load_walk_network

CODE, PREFECTURE = "11223", 11  # 蕨市, 埼玉県
METRIC = "EPSG:6677"
SPACING_M = 250
MARGIN_M = 500
AREA_IDS = ["nishiki", "kita", "chuo", "minami", "tsukagoshi"]
REPO = Path(__file__).resolve().parents[2]
HEADER = ["area_id", "area_name", "pop65", "pop65_covered", "coverage65", "pop75", "pop75_covered", "coverage75",
          "places", "places_per_1000_65"]


@pytest.fixture(scope="module")
def store(demo_db_url):
    engine = create_engine(demo_db_url)
    try:
        areas = reads.areas(engine, CODE)
        data = {"areas": areas, "places": reads.places(engine, CODE, internal=True),
                "units": coverage.build_units(areas, reads.population_cells(engine, CODE), reads.towns(engine, CODE),
                                              PREFECTURE)}
    finally:
        engine.dispose()
    return data


@pytest.fixture(scope="module")
def grid(store, tmp_path_factory) -> dict:
    """The grid's origin and size in EPSG:6677 metres, and the .osm file holding it."""
    x_min, y_min, x_max, y_max = store["areas"].to_crs(METRIC).total_bounds
    x0, y0 = x_min - MARGIN_M, y_min - MARGIN_M
    columns = math.ceil((x_max + MARGIN_M - x0) / SPACING_M) + 1
    rows = math.ceil((y_max + MARGIN_M - y0) / SPACING_M) + 1
    to_lonlat = Transformer.from_crs(METRIC, "EPSG:4326", always_xy=True)

    def node_id(i: int, j: int) -> int:
        return 1 + i * rows + j

    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="tsudoi-test">']
    for i in range(columns):
        for j in range(rows):
            lon, lat = to_lonlat.transform(x0 + SPACING_M * i, y0 + SPACING_M * j)
            lines.append(f'<node id="{node_id(i, j)}" lat="{lat:.10f}" lon="{lon:.10f}"/>')
    way = 10**6
    for i in range(columns):  # north–south streets
        way += 1
        lines.append(f'<way id="{way}">' + "".join(f'<nd ref="{node_id(i, j)}"/>' for j in range(rows))
                     + '<tag k="highway" v="residential"/></way>')
    for j in range(rows):  # east–west streets
        way += 1
        lines.append(f'<way id="{way}">' + "".join(f'<nd ref="{node_id(i, j)}"/>' for i in range(columns))
                     + '<tag k="highway" v="residential"/></way>')
    lines.append("</osm>")
    path = tmp_path_factory.mktemp("network") / "warabi_grid.osm"
    path.write_text("\n".join(lines), encoding="utf-8")
    return {"x0": x0, "y0": y0, "columns": columns, "rows": rows, "path": path}


@pytest.fixture(scope="module")
def network(grid):
    return coverage.load_network(grid["path"], PREFECTURE)


def run(store, query: coverage.CoverageQuery, network=None, places=None) -> coverage.CoverageResult:
    return coverage.compute(store["areas"], store["units"], store["places"] if places is None else places, query,
                            PREFECTURE, network=network)


def metric_xy(frame: pd.DataFrame) -> np.ndarray:
    points = gpd.GeoSeries(gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326").to_crs(METRIC)
    return np.column_stack([points.x, points.y])


def unit_xy(units: pd.DataFrame) -> np.ndarray:
    return units[["x_m", "y_m"]].to_numpy(dtype=float)


def grid_walk_matrix(grid: dict, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Walk (metres) between points a (rows) and b (columns) on the full grid: snap to the nearest
    crossing (rounding each coordinate), then Manhattan distance between the crossings."""
    def snap(points):
        cells = np.rint((points - [grid["x0"], grid["y0"]]) / SPACING_M)
        crossings = cells * SPACING_M + [grid["x0"], grid["y0"]]
        return cells, np.hypot(*(points - crossings).T)

    cells_a, snap_a = snap(a)
    cells_b, snap_b = snap(b)
    manhattan = np.abs(cells_a[:, None, :] - cells_b[None, :, :]).sum(axis=2) * SPACING_M
    return snap_a[:, None] + manhattan + snap_b[None, :]


# --- network distance --------------------------------------------------------------------------

def test_the_grid_network_is_what_was_written(grid, network):
    columns, rows = grid["columns"], grid["rows"]
    assert network.crs.to_epsg() == 6677
    assert network.node_count == columns * rows
    assert network.edge_count == (columns - 1) * rows + columns * (rows - 1)
    np.testing.assert_allclose(network.lengths_m, SPACING_M, atol=1e-4)


@pytest.mark.parametrize("distance_m", [300, 500])
def test_unit_distances_are_the_grid_walk_to_the_nearest_counted_place(store, grid, network, distance_m):
    result = run(store, coverage.CoverageQuery(distance_m=distance_m), network)
    assert result.on_network
    expected = grid_walk_matrix(grid, unit_xy(result.units), metric_xy(result.places)).min(axis=1)
    expected[expected > coverage.NETWORK_SEARCH_M] = np.inf  # the search stops there (3 km > the city's units)
    np.testing.assert_allclose(result.units["distance_m"].to_numpy(), expected, atol=1e-3)
    covered = expected <= distance_m
    assert result.units["covered"].tolist() == covered.tolist()
    assert 0 < covered.sum() < len(covered)
    # the table sums exactly the covered units' 65+
    frame = pd.DataFrame({"area_id": result.units["area_id"], "pop65": result.units["pop65"], "covered": covered})
    table = result.table.set_index("area_id")
    for area in AREA_IDS:
        mine = frame[frame["area_id"] == area]
        assert table.at[area, "pop65_covered"] == pytest.approx(mine.loc[mine["covered"], "pop65"].sum())


@pytest.mark.parametrize("distance_m", [300, 500, 800, 1000])
def test_network_coverage_never_exceeds_straight_line_coverage(store, network, distance_m):
    # A walk = straight snap to a crossing + straight street segments + straight snap to the place:
    # a chain of segments from the unit to the place, which by the triangle inequality is never
    # shorter than the straight line between them. So every unit's walk ≥ its straight-line
    # distance, whoever is covered on foot is covered in a straight line, and coverage can only fall.
    query = coverage.CoverageQuery(distance_m=distance_m)
    straight, walked = run(store, query), run(store, query, network)
    assert not straight.on_network
    assert (walked.units["distance_m"].to_numpy() >= straight.units["distance_m"].to_numpy() - 1e-6).all()
    assert not (walked.units["covered"] & ~straight.units["covered"]).any()
    s, w = straight.table.set_index("area_id"), walked.table.set_index("area_id")
    assert (w["coverage65"] <= s["coverage65"] + 1e-12).all()
    assert (w["coverage75"] <= s["coverage75"] + 1e-12).all()
    # same places and people either way: only the distance changed
    assert w["places"].tolist() == s["places"].tolist()
    np.testing.assert_allclose(w["pop65"], s["pop65"])
    if distance_m == 500:  # and on this grid the walk really does leave people out
        assert w.at["ALL", "coverage65"] < s.at["ALL", "coverage65"] - 0.01


def test_sensitivity_uses_the_network(store, network):
    query = coverage.CoverageQuery()
    table = coverage.sensitivity(store["areas"], store["units"], store["places"], query, PREFECTURE, network=network)
    for distance in (300, 1000):
        single = run(store, coverage.CoverageQuery(distance_m=distance), network).table.set_index("area_name")
        np.testing.assert_allclose(table[distance].to_numpy(), single["coverage65"].to_numpy())


def test_a_network_in_another_crs_is_refused(store, grid):
    utm = load_walk_network(grid["path"])  # UTM 54N, not 平面直角座標系 IX
    with pytest.raises(ValueError, match="6677"):
        run(store, coverage.CoverageQuery(), utm)


# --- 2SFCA -------------------------------------------------------------------------------------

def with_capacity(places: pd.DataFrame) -> pd.DataFrame:
    counted = coverage.counted_places(places, coverage.CoverageQuery())
    capacity = pd.to_numeric(counted["capacity"], errors="coerce")
    return counted[capacity.notna() & (capacity > 0)]


def test_2sfca_with_a_catchment_larger_than_the_city_is_total_capacity_over_total_65(store):
    # Every place reaches every unit: R_j = capacity_j ÷ all 65+, so each unit's A = Σ_j R_j =
    # total capacity ÷ total 65+ (Luo & Wang 2003), and so is every 65+-weighted area mean.
    supply = with_capacity(store["places"])
    assert len(supply) > 0
    ratio = pd.to_numeric(supply["capacity"]).sum() / store["units"]["pop65"].sum()
    result = run(store, coverage.CoverageQuery(distance_m=100_000))
    np.testing.assert_allclose(result.units["access_2sfca"].to_numpy(), ratio, rtol=1e-9)
    np.testing.assert_allclose(result.table[coverage.ACCESS_COLUMN].to_numpy(), ratio * 1000, rtol=1e-9)
    assert result.table["area_id"].tolist() == AREA_IDS + ["ALL"]


@pytest.mark.parametrize("distance_m", [300, 800])
def test_2sfca_per_area_matches_a_brute_force_computation(store, distance_m):
    units, supply = store["units"], with_capacity(store["places"])
    pop65 = units["pop65"].to_numpy(dtype=float)
    capacity = pd.to_numeric(supply["capacity"]).to_numpy(dtype=float)
    gaps = unit_xy(units)[:, None, :] - metric_xy(supply)[None, :, :]
    reach = np.hypot(gaps[..., 0], gaps[..., 1]) <= distance_m  # units × places
    demand = (reach * pop65[:, None]).sum(axis=0)
    ratio = np.divide(capacity, demand, out=np.zeros_like(capacity), where=demand > 0)
    access = (reach * ratio[None, :]).sum(axis=1)
    result = run(store, coverage.CoverageQuery(distance_m=distance_m))
    np.testing.assert_allclose(result.units["access_2sfca"].to_numpy(), access, rtol=1e-9, atol=1e-15)
    table = result.table.set_index("area_id")
    for area in AREA_IDS:
        mine = (units["area_id"] == area).to_numpy()
        expected = (access[mine] * pop65[mine]).sum() / pop65[mine].sum() * 1000
        assert table.at[area, coverage.ACCESS_COLUMN] == pytest.approx(expected, rel=1e-9)
    assert table.at["ALL", coverage.ACCESS_COLUMN] == pytest.approx((access * pop65).sum() / pop65.sum() * 1000)


def test_an_area_with_no_place_in_reach_gets_0_not_nan(store):
    # only the places of 錦町 (nishiki) count; at 300 m some other area has no place in reach at all
    places = store["places"][store["places"]["area_id"] == "nishiki"]
    supply = with_capacity(places)
    assert len(supply) > 0
    units = store["units"]
    gaps = unit_xy(units)[:, None, :] - metric_xy(supply)[None, :, :]
    reached = (np.hypot(gaps[..., 0], gaps[..., 1]) <= 300).any(axis=1)
    unreached_areas = [a for a in AREA_IDS if not reached[(units["area_id"] == a).to_numpy()].any()]
    assert unreached_areas  # the situation under test exists
    table = run(store, coverage.CoverageQuery(distance_m=300), places=places).table.set_index("area_id")
    assert table[coverage.ACCESS_COLUMN].notna().all()
    for area in unreached_areas:
        assert table.at[area, coverage.ACCESS_COLUMN] == 0.0
    assert table.at["nishiki", coverage.ACCESS_COLUMN] > 0


def test_places_without_capacity_are_left_out_of_2sfca_but_still_counted(store):
    places = store["places"].copy()
    supply = with_capacity(places)
    dropped = supply["id"].iloc[::2]  # every other place loses its capacity
    places.loc[places["id"].isin(dropped), "capacity"] = np.nan
    remaining = pd.to_numeric(supply.loc[~supply["id"].isin(dropped), "capacity"]).sum()
    result = run(store, coverage.CoverageQuery(distance_m=100_000), places=places)
    city = result.table.set_index("area_id").loc["ALL"]
    assert city[coverage.ACCESS_COLUMN] == pytest.approx(remaining / store["units"]["pop65"].sum() * 1000)
    assert city["places"] == len(coverage.counted_places(store["places"], coverage.CoverageQuery()))


def test_2sfca_is_unknown_without_any_capacity_and_zero_without_places(store):
    no_capacity = store["places"].assign(capacity=np.nan)
    table = run(store, coverage.CoverageQuery(), places=no_capacity).table
    assert table[coverage.ACCESS_COLUMN].isna().all()  # not known, so not shown as 0
    assert (table["places"].iloc[-1]) > 0
    # no counted place at all (the demo has no active 子ども食堂): no supply, access 0
    table = run(store, coverage.CoverageQuery(categories=("子ども食堂",))).table
    assert (table[coverage.ACCESS_COLUMN] == 0).all()


# --- CLI ---------------------------------------------------------------------------------------

def cli(db: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return subprocess.run([sys.executable, "-m", "dashboard", "--db", str(db), *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)


def read_csv(path: Path) -> tuple[list[str], list[dict]]:
    text = path.read_bytes().decode("utf-8-sig")
    return text.splitlines()[0].split(","), list(csv.DictReader(io.StringIO(text)))


def test_cli_coverage_with_network_and_2sfca(demo_db_copy, tmp_path, store, grid, network):
    out = tmp_path / "walk.csv"
    result = cli(demo_db_copy, "coverage", "--distance", "500", "--network", str(grid["path"]), "--2sfca",
                 "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "道路網" in result.stdout
    header, rows = read_csv(out)
    assert header[:10] == HEADER
    assert header[10:] == [coverage.ACCESS_COLUMN]
    expected = run(store, coverage.CoverageQuery(distance_m=500), network).table
    assert [r["area_id"] for r in rows] == expected["area_id"].tolist()
    np.testing.assert_allclose([float(r["coverage65"]) for r in rows], expected["coverage65"], rtol=1e-9)
    np.testing.assert_allclose([float(r[coverage.ACCESS_COLUMN]) for r in rows], expected[coverage.ACCESS_COLUMN],
                               rtol=1e-9)

    plain = tmp_path / "plain.csv"
    result = cli(demo_db_copy, "coverage", "--distance", "500", "--network", str(grid["path"]), "--out", str(plain))
    assert result.returncode == 0, result.stderr
    assert read_csv(plain)[0] == HEADER  # without --2sfca the file keeps exactly the fixed columns


def test_cli_unreadable_network_exits_2_in_japanese(demo_db_copy, tmp_path):
    out = tmp_path / "x.csv"
    missing = tmp_path / "nowhere.osm"
    result = cli(demo_db_copy, "coverage", "--network", str(missing), "--out", str(out))
    assert result.returncode == 2
    assert "道路網を読めません" in result.stderr and "nowhere.osm" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()
