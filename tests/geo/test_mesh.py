"""JIS X 0410 mesh codes → cell bounds. Expected values are worked out from the standard:
1st mesh pp uu: lat = pp × 40′, lon = uu + 100°, 40′ × 1°; 2nd q v: 5′ × 7′30″;
3rd r w: 30″ × 45″; then each extra digit halves the cell (1 SW, 2 SE, 3 NW, 4 NE)."""

from __future__ import annotations

import pytest
from shapely.geometry import box

from geo.mesh import mesh_bounds, mesh_polygons

SEC = 1 / 3600  # one arc-second in degrees


def approx_bounds(expected):
    return pytest.approx(expected, abs=1e-12)


def test_first_mesh_5339_spans_35_20_to_36_and_139_to_140():
    assert mesh_bounds("5339") == approx_bounds((139.0, 35 + 20 / 60, 140.0, 36.0))


def test_code_given_as_int_equals_code_given_as_text():
    assert mesh_bounds(5339) == mesh_bounds("5339")
    assert mesh_bounds(" 53394547 ") == mesh_bounds("53394547")


def test_second_mesh_adds_q_times_5_minutes_and_v_times_7_5_minutes():
    # 533945: q = 4 → 35°20′ + 20′ = 35°40′; v = 5 → 139° + 37′30″
    min_lat, min_lon = 35 + 40 / 60, 139 + 37.5 / 60
    assert mesh_bounds("533945") == approx_bounds((min_lon, min_lat, min_lon + 7.5 / 60, min_lat + 5 / 60))


def test_third_mesh_is_30_by_45_seconds():
    # 53394547: 2nd 533945 then r = 4 (×30″), w = 7 (×45″)
    min_lat = 35 + 40 / 60 + 4 * 30 * SEC
    min_lon = 139 + 37.5 / 60 + 7 * 45 * SEC
    assert mesh_bounds("53394547") == approx_bounds((min_lon, min_lat, min_lon + 45 * SEC, min_lat + 30 * SEC))


def test_250m_cell_of_warabi_is_7_5_by_11_25_seconds_at_the_worked_out_corner():
    # 5339557411: 35°20′ + 5×5′ + 7×30″ = 35°48′30″; 139° + 5×7′30″ + 4×45″ = 139°40′30″;
    # quadrant 1 (SW) twice leaves the corner where it is.
    min_lat, min_lon = 35 + 48.5 / 60, 139 + 40.5 / 60
    assert mesh_bounds("5339557411") == approx_bounds(
        (min_lon, min_lat, min_lon + 11.25 * SEC, min_lat + 7.5 * SEC))


@pytest.mark.parametrize("quadrant, d_lat, d_lon", [(1, 0, 0), (2, 0, 1), (3, 1, 0), (4, 1, 1)])
def test_half_mesh_quadrants_are_sw_se_nw_ne(quadrant, d_lat, d_lon):
    base_lon, base_lat, _, _ = mesh_bounds("53395574")
    half_lat, half_lon = 15 * SEC, 22.5 * SEC
    expected_lat = base_lat + d_lat * half_lat
    expected_lon = base_lon + d_lon * half_lon
    assert mesh_bounds(f"53395574{quadrant}") == approx_bounds(
        (expected_lon, expected_lat, expected_lon + half_lon, expected_lat + half_lat))


def test_eighth_mesh_is_3_75_by_5_625_seconds():
    min_lon, min_lat, max_lon, max_lat = mesh_bounds("53395574444")
    assert max_lat - min_lat == pytest.approx(3.75 * SEC, abs=1e-12)
    assert max_lon - min_lon == pytest.approx(5.625 * SEC, abs=1e-12)
    # NE, NE, NE: the NE corner is the 3rd mesh's NE corner
    assert (max_lon, max_lat) == pytest.approx(mesh_bounds("53395574")[2:], abs=1e-12)


def test_neighbouring_cells_share_edges_bit_for_bit():
    # east of SW quarter is the SE quarter; north of SW is NW — within and across 3rd meshes
    assert mesh_bounds("5339557411")[2] == mesh_bounds("5339557412")[0]
    assert mesh_bounds("5339557411")[3] == mesh_bounds("5339557413")[1]
    # the east edge of 3rd mesh 53395574 is the west edge of 53395575 (w: 4 → 5)
    assert mesh_bounds("5339557424")[2] == mesh_bounds("5339557511")[0]
    # the north edge of 53395574 is the south edge of 53395584 (r: 7 → 8)
    assert mesh_bounds("5339557444")[3] == mesh_bounds("5339558422")[1]


def test_four_quarter_cells_tile_their_half_cell():
    quarters = [box(*mesh_bounds(f"533955741{q}")) for q in (1, 2, 3, 4)]
    half = box(*mesh_bounds("533955741"))
    union = quarters[0].union(quarters[1]).union(quarters[2]).union(quarters[3])
    assert union.symmetric_difference(half).area == pytest.approx(0.0, abs=1e-18)
    assert sum(q.area for q in quarters) == pytest.approx(half.area, rel=1e-12)


@pytest.mark.parametrize("code", ["533", "53394", "5339455", "533945471234", "53a9", "", "533948", "533985",
                                  "5339557415", "5339557410", "-5339"])
def test_invalid_codes_raise_value_error(code):
    with pytest.raises(ValueError):
        mesh_bounds(code)


def test_mesh_polygons_indexed_by_code_text_in_epsg4326():
    polygons = mesh_polygons([5339557411, "5339557412"])
    assert list(polygons.index) == ["5339557411", "5339557412"]
    assert polygons.crs.to_epsg() == 4326
    assert polygons.loc["5339557412"].bounds == mesh_bounds("5339557412")


def test_250m_cell_measures_about_231_by_282_metres_in_the_plane_rectangular_zone():
    # 7.5″ of latitude ≈ 7.5/3600 × 110,950 m ≈ 231 m; 11.25″ of longitude at 35.81°N
    # ≈ 11.25/3600 × 111,320 × cos(35.81°) ≈ 282 m → ≈ 65,200 m² (the "250 m" mesh).
    cell = mesh_polygons(["5339557411"]).to_crs("EPSG:6677").iloc[0]
    min_x, min_y, max_x, max_y = cell.bounds
    assert max_y - min_y == pytest.approx(231, rel=0.01)
    assert max_x - min_x == pytest.approx(282, rel=0.01)
    assert cell.area == pytest.approx(231 * 282, rel=0.02)
