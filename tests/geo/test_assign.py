"""Point-in-polygon assignment on two unit squares side by side."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from geo.assign import polygon_id_for_points

METRIC = "EPSG:6677"


@pytest.fixture
def squares() -> gpd.GeoDataFrame:
    # A = [0,100]×[0,100], B = [100,200]×[0,100]: they share the edge x = 100
    return gpd.GeoDataFrame({"zone": ["A", "B"]}, geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100)], crs=METRIC)


def points(coords, index=None, crs=METRIC) -> gpd.GeoSeries:
    return gpd.GeoSeries([Point(c) for c in coords], index=index, crs=crs)


def test_points_get_the_id_of_the_polygon_they_are_in(squares):
    result = polygon_id_for_points(points([(50, 50), (150, 50), (199, 1)]), squares, "zone")
    assert result.tolist() == ["A", "B", "B"]


def test_point_outside_every_polygon_gets_none(squares):
    result = polygon_id_for_points(points([(500, 500), (50, 50)]), squares, "zone")
    assert result.iloc[0] is None
    assert result.iloc[1] == "A"


def test_result_is_aligned_with_the_points_index(squares):
    result = polygon_id_for_points(points([(150, 50), (50, 50), (900, 0)], index=["p", "q", "r"]), squares, "zone")
    assert result.to_dict() == {"p": "B", "q": "A", "r": None}


def test_point_on_a_shared_edge_goes_to_the_first_polygon_in_order(squares):
    on_edge = points([(100, 50)])
    assert polygon_id_for_points(on_edge, squares, "zone").tolist() == ["A"]
    reversed_order = squares.iloc[::-1]
    assert polygon_id_for_points(on_edge, reversed_order, "zone").tolist() == ["B"]


def test_many_points_keep_their_order(squares):
    coords = [(150, 10), (10, 10), (150, 90), (1000, 0), (90, 90)] * 3
    expected = ["B", "A", "B", None, "A"] * 3
    assert polygon_id_for_points(points(coords), squares, "zone").tolist() == expected


def test_points_in_another_crs_are_reprojected(squares):
    lonlat = points([(50, 50), (150, 50)]).to_crs("EPSG:4326")
    assert polygon_id_for_points(lonlat, squares, "zone").tolist() == ["A", "B"]


def test_no_points_gives_an_empty_series(squares):
    result = polygon_id_for_points(gpd.GeoSeries([], crs=METRIC), squares, "zone")
    assert len(result) == 0
