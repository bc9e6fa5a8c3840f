"""Exports: CSV for Excel (BOM, no formula injection) and GeoJSON for QGIS."""

from __future__ import annotations

import io
import json
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from dashboard.exports import (
    areas_population_table,
    csv_bytes,
    frame_geojson,
    json_bytes,
    neutralise_formula,
    places_geojson,
)


@pytest.mark.parametrize("text", ["=1+1", "+81-48-000", "-2+3", "@SUM(A1)", "\tcmd", "\rx",
                                  '=HYPERLINK("http://evil","x")'])
def test_formula_like_text_gets_a_leading_quote(text):
    assert neutralise_formula(text) == "'" + text


@pytest.mark.parametrize("value", ["サロン", "048-000-0000", "", "a=b", 5, -5, 1.5, None])
def test_other_values_are_unchanged(value):
    assert neutralise_formula(value) == value


def test_csv_starts_with_a_utf8_bom_and_round_trips_without_an_index():
    frame = pd.DataFrame({"area_id": ["kita", "chuo"], "area_name": ["北町地区", "中央地区"], "pop_total": [10, 20]})
    data = csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == "area_id,area_name,pop_total"
    back = pd.read_csv(io.StringIO(text))
    assert back["area_name"].tolist() == ["北町地区", "中央地区"]
    assert back["pop_total"].tolist() == [10, 20]


def test_csv_neutralises_formulas_in_an_ordinary_text_column():
    # A frame built the ordinary way: with pandas 3 its text column has the default string dtype.
    frame = pd.DataFrame({"name": ["=HYPERLINK(\"http://x\",\"クリック\")", "サロン"], "n": [1, 2]})
    text = csv_bytes(frame).decode("utf-8-sig")
    names = pd.read_csv(io.StringIO(text), dtype=str)["name"].tolist()
    assert names == ["'=HYPERLINK(\"http://x\",\"クリック\")", "サロン"]


def test_csv_neutralises_formulas_in_an_object_column():
    frame = pd.DataFrame({"name": pd.Series(["@cmd", "ok"], dtype=object)})
    names = pd.read_csv(io.StringIO(csv_bytes(frame).decode("utf-8-sig")), dtype=str)["name"].tolist()
    assert names == ["'@cmd", "ok"]


def test_csv_bytes_does_not_modify_its_input():
    frame = pd.DataFrame({"name": pd.Series(["=1"], dtype=object)})
    csv_bytes(frame)
    assert frame["name"].tolist() == ["=1"]


def test_places_geojson_puts_lon_first_and_keeps_other_columns_as_properties():
    places = pd.DataFrame({
        "id": ["a", "b"], "name": ["サロン", "体操"], "lat": [35.82, 35.83], "lon": [139.67, 139.68],
        "capacity": np.array([20, 30], dtype=np.int64), "walk_m": [120.5, np.nan], "last_verified": [date(2024, 4, 1), None],
        "transport": [np.bool_(True), None],
    })
    collection = places_geojson(places)
    assert collection["type"] == "FeatureCollection"
    first, second = collection["features"]
    assert first["geometry"] == {"type": "Point", "coordinates": [139.67, 35.82]}
    assert set(first["properties"]) == {"id", "name", "capacity", "walk_m", "last_verified", "transport"}
    assert first["properties"]["capacity"] == 20 and type(first["properties"]["capacity"]) is int
    assert first["properties"]["last_verified"] == "2024-04-01"
    assert first["properties"]["transport"] is True
    assert first["properties"]["walk_m"] == 120.5
    assert second["properties"]["walk_m"] is None  # NaN is not valid JSON
    assert second["properties"]["last_verified"] is None
    json.dumps(collection, allow_nan=False)  # raises if anything is not JSON


def test_places_geojson_does_not_modify_the_frame():
    places = pd.DataFrame({"id": ["a"], "lat": [35.8], "lon": [139.7]})
    places_geojson(places)
    assert list(places.columns) == ["id", "lat", "lon"]


def test_frame_geojson_reprojects_to_lon_lat():
    # The origin of JGD2011 plane rectangular zone IX (EPSG:6677) is 36°00′N, 139°50′E.
    frame = gpd.GeoDataFrame({"name": ["origin"]}, geometry=[Point(0, 0)], crs="EPSG:6677")
    collection = frame_geojson(frame)
    lon, lat = collection["features"][0]["geometry"]["coordinates"]
    assert lon == pytest.approx(139 + 50 / 60, abs=1e-7)
    assert lat == pytest.approx(36.0, abs=1e-7)
    assert collection["features"][0]["properties"] == {"name": "origin"}
    assert "id" not in collection["features"][0]


def test_frame_geojson_keeps_polygons():
    frame = gpd.GeoDataFrame({"area_id": ["x"]}, geometry=[box(139.6, 35.8, 139.7, 35.9)], crs="EPSG:4326")
    geometry = frame_geojson(frame)["features"][0]["geometry"]
    assert geometry["type"] == "Polygon"
    xs = [c[0] for c in geometry["coordinates"][0]]
    assert min(xs) == pytest.approx(139.6) and max(xs) == pytest.approx(139.7)


def test_json_bytes_is_utf8_without_escapes():
    data = json_bytes({"name": "蕨市"})
    assert "蕨市".encode("utf-8") in data
    assert json.loads(data.decode("utf-8")) == {"name": "蕨市"}


def test_areas_population_table_rounds_to_whole_persons_and_keeps_five_columns():
    areas = pd.DataFrame({
        "area_id": ["a", "b"], "area_name": ["A地区", "B地区"], "is_demo": [True, True],
        "pop_total": [1000.6, 999.4], "pop65": [200.5000001, 0.4], "pop75": [99.5, 12.0], "pop85": [1.0, 2.0],
    })
    table = areas_population_table(areas)
    assert list(table.columns) == ["area_id", "area_name", "pop_total", "pop65", "pop75"]
    assert table["pop_total"].tolist() == [1001, 999]
    assert table["pop65"].tolist() == [201, 0]
    assert table["pop75"].tolist()[1] == 12
    assert areas["pop_total"].tolist() == [1000.6, 999.4]  # input unchanged
