"""dashboard/ui/map_view.py: every map page gets the same basemap fallback (the one st_folium wrapper).

The browser half (tiles failing, the notice appearing) is in tests/e2e/test_basemap_fallback_browser.py;
here: what the server hands to st_folium before and after a session's tiles failed, and where the
notice is said. AppTest cannot run st_folium: the map is read from the component's ``json_args``.
"""

from __future__ import annotations

import json

import folium
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.maps.offline import offline_map
from dashboard.maps.resource_map import BASEMAPS, TileWatch
from dashboard.ui.map_view import BASEMAP_KEY, TILES_FAILED_KEY, TILES_FAILED_NOTICE, watch_tiles

GSI = "cyberjapandata.gsi.go.jp"


def _tiled(basemap: str = "gsi_pale") -> folium.Map:
    fmap = offline_map(location=[35.83, 139.68], zoom_start=14, tiles=None)
    _, url, attribution = BASEMAPS[basemap]
    if url:
        folium.TileLayer(url, attr=attribution).add_to(fmap)
    return fmap


def test_a_tiled_map_gets_one_watch_and_a_map_without_tiles_none():
    page = watch_tiles(watch_tiles(_tiled())).get_root().render()  # twice: still one watch
    assert page.count('on("tileerror"') == 1 and 'postMessage({tsudoi: "tiles-failed"}' in page
    assert 'on("tileerror"' not in watch_tiles(_tiled("none")).get_root().render()


def test_the_watch_takes_the_tiles_and_so_their_credit_off():
    # Leaflet's removeLayer also removes the layer's attribution (「出典：国土地理院」) from the map
    page = watch_tiles(_tiled("gsi_std")).get_root().render()
    assert "map.removeLayer(tiles)" in page
    assert sum(isinstance(c, TileWatch) for c in watch_tiles(_tiled()).__dict__["_children"].values()) == 1


# --- the pages ------------------------------------------------------------------------------------

def _maps(at: AppTest) -> list[str]:
    """The script of every st_folium map on the page, in page order."""
    return [json.loads(c.proto.json_args)["script"] for c in at.get("component_instance")
            if c.proto.component_name == "streamlit_folium.st_folium"]


def _notices(at: AppTest) -> list[str]:
    return [i.value for i in at.info if i.value == TILES_FAILED_NOTICE]


@pytest.fixture
def coordinator(coordinator_app):
    coordinator_app.run()  # st.navigation registers the coordinator's pages on this run
    return coordinator_app


def test_coverage_tries_the_tiles_and_watches_them_until_they_fail(coordinator):
    at = coordinator.switch_page("../pages/coverage.py").run()
    assert not at.exception
    first = _maps(at)[0]
    assert GSI in first and 'on("tileerror"' in first  # 地理院 淡色 by default, watched
    assert _notices(at) == []
    at.session_state[TILES_FAILED_KEY] = True  # what the browser's report sets (with the choice below)
    at.session_state[BASEMAP_KEY] = "none"
    at.run()
    assert all(GSI not in script and "maps.gsi.go.jp" not in script for script in _maps(at))  # no tiles, no 出典
    assert len(_notices(at)) == len(_maps(at)) == 2  # above each map: the coverage map and the 仮定 editor's


def test_prefecture_falls_back_to_no_basemap_and_tries_again_when_one_is_picked(coordinator):
    at = coordinator.switch_page("../pages/prefecture.py").run()
    assert GSI not in _maps(at)[0] and _notices(at) == []  # 背景地図なし by default: nothing to fail
    at.selectbox(key="tsudoi_prefecture_basemap").set_value("gsi_std").run()
    assert f"{GSI}/xyz/std" in _maps(at)[0] and 'on("tileerror"' in _maps(at)[0]
    at.session_state[TILES_FAILED_KEY] = True
    at.session_state["tsudoi_prefecture_basemap_choice"] = "none"
    at.run()
    assert GSI not in _maps(at)[0] and "maps.gsi.go.jp" not in _maps(at)[0]
    assert at.selectbox(key="tsudoi_prefecture_basemap").value == "none" and _notices(at) == [TILES_FAILED_NOTICE]
    at.selectbox(key="tsudoi_prefecture_basemap").set_value("gsi_pale").run()  # picked again: tried again
    assert f"{GSI}/xyz/pale" in _maps(at)[0] and _notices(at) == []


def test_council_slides_offer_no_basemap_and_say_nothing_about_one(coordinator):
    coordinator.session_state[TILES_FAILED_KEY] = True
    at = coordinator.switch_page("../pages/council.py").run()
    assert not at.exception and _maps(at) and _notices(at) == []
