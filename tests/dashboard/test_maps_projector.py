"""The coverage map in projector mode (会議モード): no legend over the areas, big labels, the map
fills its frame and forwards clicker keys. Checked in the rendered HTML of the real 蕨市 areas."""

from __future__ import annotations

import json
import re

import pytest

from dashboard import coverage
from dashboard.maps.coverage_map import PROJECTOR_LABEL_PX, build_coverage_map, legend_items
from dashboard.maps.projector import SLIDE_KEYS
from dashboard.store import reads
from dashboard.store.engine import make_engine

CODE = "11223"


@pytest.fixture(scope="module")
def result(demo_db_url):
    engine = make_engine(demo_db_url)
    areas = reads.areas(engine, CODE)
    units = coverage.build_units(areas, reads.population_cells(engine, CODE), reads.towns(engine, CODE), 11)
    computed = coverage.compute(areas, units, reads.places(engine, CODE, internal=True), coverage.CoverageQuery(), 11)
    engine.dispose()
    return areas, computed


def _page(result, projector: bool, area_id: str | None = None) -> str:
    areas, computed = result
    pick = (lambda f: f) if area_id is None else (lambda f: f[f["area_id"] == area_id])
    fmap = build_coverage_map(pick(areas), computed.table, pick(computed.units), pick(computed.places), [], [],
                              basemap="none", projector=projector)
    return fmap.get_root().render()


def test_projector_map_has_no_legend_over_the_areas(result):
    assert "tsudoi-legend" in _page(result, projector=False)
    assert "tsudoi-legend" not in _page(result, projector=True)


def test_projector_labels_are_large_and_every_area_is_named(result):
    page = _page(result, projector=True)
    assert PROJECTOR_LABEL_PX >= 18
    assert f"font-size:{PROJECTOR_LABEL_PX}px" in page
    for name in result[0]["area_name"]:
        assert name in page


def test_projector_map_fits_the_area_of_the_slide_after_filling_its_frame(result):
    areas, _ = result
    area = areas.iloc[2]
    page = _page(result, projector=True, area_id=area["area_id"])
    bounds = json.loads(re.search(r"var bounds = (\[\[.*?\]\]);", page).group(1))
    minx, miny, maxx, maxy = areas[areas["area_id"] == area["area_id"]].total_bounds
    assert bounds[0] + bounds[1] == pytest.approx([miny, minx, maxy, maxx])
    assert 'container.style.height = "100vh"' in page and "window.addEventListener(\"resize\", fit)" in page
    assert "zoomSnap" in page  # fractional zoom, so the area really fills the frame


def test_projector_map_forwards_clicker_keys_and_leaves_them_to_the_slides(result):
    page = _page(result, projector=True)
    assert json.dumps(list(SLIDE_KEYS)) in page and "window.parent.document.dispatchEvent" in page
    assert '"keyboard": false' in page  # Leaflet would otherwise pan on the arrow keys


def test_legend_items_name_the_distance():
    labels = [label for _, label, _ in legend_items(800)]
    assert "徒歩800 m 圏外の65歳以上がいる区画" in labels and len(labels) == 7
