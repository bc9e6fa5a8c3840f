"""The place-edit map in Chromium (#11): it opened at world zoom because it is drawn in a tab that
is not shown yet, where Leaflet's fitBounds measures a 0 × 0 map. It must open on the city."""

from __future__ import annotations

import sqlite3

import pytest
from shapely import wkb
from shapely.geometry import Point

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser


def test_the_edit_map_opens_on_the_city_when_its_tab_is_shown(server, page, e2e_store):
    with sqlite3.connect(e2e_store) as connection:
        outline = wkb.loads(connection.execute("select boundary from municipalities where code = '11223'").fetchone()[0])
    log_in(page, server)
    page.get_by_role("link", name="データ管理").first.click()
    # the map loads while its tab is hidden (0 × 0): that is when fitBounds went to zoom 0
    page.wait_for_selector("iframe[title='streamlit_folium.st_folium']", state="attached", timeout=60_000)
    page.wait_for_function("() => Array.from(document.querySelectorAll('iframe'))"
                           ".some(f => f.title === 'streamlit_folium.st_folium')", timeout=60_000)
    frame = next(f for f in page.frames if "streamlit_folium" in f.url)
    frame.wait_for_function("() => window.map && window.map.getSize().x === 0", timeout=60_000)
    page.get_by_role("tab", name="資源の編集").click()
    frame.wait_for_function("() => window.map.getSize().x > 0", timeout=60_000)
    view = frame.evaluate("() => ({zoom: window.map.getZoom(), lat: window.map.getCenter().lat,"
                          " lon: window.map.getCenter().lng})")
    # 蕨市 is about 5 km across: zoom 13–14 shows it in the form-wide map; world zoom is 0–2
    assert 13 <= view["zoom"] <= 14, view
    assert outline.contains(Point(view["lon"], view["lat"])), view
