"""Area-weighted interpolation on hand-checkable squares (metres, EPSG:6677 so no reprojection)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from geo.interpolate import clip_extensive, interpolate_extensive

METRIC = "EPSG:6677"  # JGD2011 plane rectangular IX (metres)


def frame(geoms, crs=METRIC, index=None, **columns) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=geoms, crs=crs, index=index)


def test_source_split_evenly_between_two_target_halves():
    source = frame([box(0, 0, 200, 100)], pop=[100])
    targets = frame([box(0, 0, 100, 100), box(100, 0, 200, 100)], index=["west", "east"])
    result = interpolate_extensive(source, targets, ["pop"], METRIC)
    assert list(result.index) == ["west", "east"]
    assert result.loc["west", "pop"] == pytest.approx(50.0)
    assert result.loc["east", "pop"] == pytest.approx(50.0)


def test_source_half_overlapping_a_target_gives_it_half_the_count():
    source = frame([box(0, 0, 100, 100)], pop=[80], pop65=[20])
    target = frame([box(50, 0, 150, 100)])
    result = interpolate_extensive(source, target, ["pop", "pop65"], METRIC)
    assert result.iloc[0]["pop"] == pytest.approx(40.0)
    assert result.iloc[0]["pop65"] == pytest.approx(10.0)


def test_target_touched_by_no_source_gets_zero_not_missing():
    source = frame([box(0, 0, 100, 100)], pop=[10])
    targets = frame([box(0, 0, 100, 100), box(500, 500, 600, 600)], index=[7, 9])
    result = interpolate_extensive(source, targets, ["pop"], METRIC)
    assert result.loc[9, "pop"] == 0.0
    assert result.loc[7, "pop"] == pytest.approx(10.0)
    assert result["pop"].dtype == float


def test_several_sources_add_up_in_a_target():
    # target [50,150]×[0,100] takes half of each source: 0.5×10 + 0.5×30 = 20
    sources = frame([box(0, 0, 100, 100), box(100, 0, 200, 100)], pop=[10, 30])
    target = frame([box(50, 0, 150, 100)])
    assert interpolate_extensive(sources, target, ["pop"], METRIC).iloc[0]["pop"] == pytest.approx(20.0)


def test_counts_preserved_when_targets_tile_the_sources():
    # 3 sources over [0,300]×[0,100], targets an irregular tiling of the same rectangle
    sources = frame([box(0, 0, 100, 100), box(100, 0, 200, 100), box(200, 0, 300, 100)], pop=[7, 11, 13])
    targets = frame([box(0, 0, 130, 40), box(0, 40, 130, 100), box(130, 0, 300, 100)])
    result = interpolate_extensive(sources, targets, ["pop"], METRIC)
    assert result["pop"].sum() == pytest.approx(31.0, rel=1e-12)
    # first target: 40 % of source 1 + 30 % × 40 % of source 2 → 0.4×7 + 0.12×11
    assert result.iloc[0]["pop"] == pytest.approx(0.4 * 7 + 0.3 * 0.4 * 11)


def test_inputs_are_not_modified():
    source = frame([box(0, 0, 100, 100)], pop=[10])
    target = frame([box(0, 0, 50, 100)])
    before_source, before_target = source.copy(), target.copy()
    interpolate_extensive(source, target, ["pop"], METRIC)
    pd.testing.assert_frame_equal(source, before_source)
    pd.testing.assert_frame_equal(target, before_target)


def test_area_shares_are_measured_in_the_given_metric_crs_not_in_degrees():
    # A source 1° wide, 35°–45°N, split at 40°N. In degrees the halves are equal; on the
    # (equal-area) ellipsoid the southern half is larger: (sin40 − sin35)/(sin45 − sin35) ≈ 0.518.
    source = frame([box(139, 35, 140, 45)], crs="EPSG:4326", pop=[1000])
    targets = frame([box(139, 35, 140, 40), box(139, 40, 140, 45)], crs="EPSG:4326")
    result = interpolate_extensive(source, targets, ["pop"], "EPSG:6933")  # EASE-Grid 2.0, equal area
    assert result.iloc[0]["pop"] == pytest.approx(518.3, abs=1.0)
    assert result["pop"].sum() == pytest.approx(1000.0, rel=1e-9)


def test_clip_scales_counts_by_the_share_inside_and_drops_cells_outside():
    cells = frame([box(0, 0, 100, 100), box(100, 0, 200, 100), box(300, 0, 400, 100)],
                  index=["a", "b", "c"], pop=[10, 20, 5], code=["a", "b", "c"])
    boundary = box(50, 0, 150, 100)
    clipped = clip_extensive(cells, boundary, ["pop"], METRIC)
    assert list(clipped.index) == ["a", "b"]
    assert clipped["frac_inside"].tolist() == pytest.approx([0.5, 0.5])
    assert clipped["pop"].tolist() == pytest.approx([5.0, 10.0])
    assert clipped.geometry.area.tolist() == pytest.approx([5000.0, 5000.0])
    assert clipped.crs == cells.crs
    assert clipped["code"].tolist() == ["a", "b"]  # other columns untouched


def test_clip_keeps_a_cell_fully_inside_unchanged():
    cells = frame([box(0, 0, 100, 100)], pop=[42])
    clipped = clip_extensive(cells, box(-10, -10, 110, 110), ["pop"], METRIC)
    assert clipped["frac_inside"].iloc[0] == pytest.approx(1.0)
    assert clipped["pop"].iloc[0] == pytest.approx(42.0)


def test_clip_does_not_modify_its_input():
    cells = frame([box(0, 0, 100, 100)], pop=[10])
    before = cells.copy()
    clip_extensive(cells, box(0, 0, 50, 50), ["pop"], METRIC)
    pd.testing.assert_frame_equal(cells, before)


def test_clip_works_on_lon_lat_cells_with_a_metric_crs():
    # a lon/lat cell clipped at its meridian midpoint keeps ≈ half (meridians are straight in 6677)
    cells = frame([box(139.67, 35.82, 139.68, 35.83)], crs="EPSG:4326", pop=[100])
    clipped = clip_extensive(cells, box(139.675, 35.0, 140.0, 36.0), ["pop"], METRIC)
    assert clipped.crs.to_epsg() == 4326
    assert clipped["pop"].iloc[0] == pytest.approx(50.0, rel=1e-3)
    assert clipped.geometry.iloc[0].bounds[0] == pytest.approx(139.675)


def test_clip_then_interpolate_onto_a_tiling_of_the_boundary_preserves_the_clipped_total():
    cells = frame([box(0, 0, 100, 100), box(100, 0, 200, 100), box(0, 100, 100, 200), box(100, 100, 200, 200)],
                  pop=[10, 20, 30, 40])
    boundary = box(30, 30, 170, 170)
    towns = frame([box(30, 30, 100, 170), box(100, 30, 170, 100), box(100, 100, 170, 170)])
    clipped = clip_extensive(cells, boundary, ["pop"], METRIC)
    # each cell keeps a 70×70 corner: 49 % of every count
    assert clipped["pop"].sum() == pytest.approx(0.49 * 100)
    towns_pop = interpolate_extensive(clipped, towns, ["pop"], METRIC)["pop"]
    assert towns_pop.sum() == pytest.approx(clipped["pop"].sum(), rel=1e-12)
    assert towns_pop.tolist() == pytest.approx([0.49 * 10 + 0.49 * 30, 0.49 * 20, 0.49 * 40])
