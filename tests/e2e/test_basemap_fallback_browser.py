"""Coordinators' maps on a network without internet (LGWAN): every non-localhost request is blocked
(conftest), so 地理院 tiles always fail. /coverage (地理院 淡色 by default) and /prefecture (地理院 標準
chosen) must each take the tiles off, stop crediting 国土地理院, switch to 「背景地図なし」 and say so —
the one mechanism of dashboard/ui/map_view.py, as on the 資源マップ."""

from __future__ import annotations

import pytest

from dashboard.ui.map_view import TILES_FAILED_NOTICE
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser
FRAMES = "iframe[title='streamlit_folium.st_folium']"
TIMEOUT_MS = 60_000
#: Does the first map frame still have a tile layer, and what does its attribution line say?
_STATE = f"""() => {{
    const w = document.querySelector({FRAMES!r}).contentWindow;
    const tiles = Object.values(w.map._layers).some((l) => l instanceof w.L.TileLayer);
    const credit = w.document.querySelector(".leaflet-control-attribution");
    return [tiles, credit ? credit.textContent : ""];
}}"""


def _log_in(page, server) -> None:
    with page.expect_response(lambda r: "/tsudoi/session/start" in r.url, timeout=TIMEOUT_MS):
        log_in(page, server)  # the login cookie is stored, so the deep links below keep the login


def _wait_for_map(page) -> None:
    page.wait_for_selector(FRAMES, timeout=TIMEOUT_MS)
    page.frame_locator(FRAMES).first.locator(".leaflet-container").wait_for(timeout=TIMEOUT_MS)
    page.wait_for_function(f"() => document.querySelector({FRAMES!r}).contentWindow.map", timeout=TIMEOUT_MS)


def test_coverage_falls_back_to_no_basemap_with_a_notice(server, page):
    _log_in(page, server)
    page.goto(f"{server.url}/coverage")
    page.get_by_role("heading", name="圏域カバー状況").wait_for(timeout=TIMEOUT_MS)
    page.get_by_text(TILES_FAILED_NOTICE).first.wait_for(timeout=TIMEOUT_MS)  # the tiles were tried, and failed
    _wait_for_map(page)
    page.wait_for_function(f"() => !({_STATE})()[0]", timeout=TIMEOUT_MS)  # TileWatch took the tiles off
    tiles, credit = page.evaluate(_STATE)
    assert not tiles and "国土地理院" not in credit, credit
    assert any("cyberjapandata.gsi.go.jp" in url for url in page.blocked_urls)  # it did try the 地理院 tiles
    assert page.dialogs == []  # (the notice stands above each map that lost its tiles, the 仮定 editor's too)


def test_prefecture_falls_back_to_no_basemap_with_a_notice(server, page):
    _log_in(page, server)
    page.goto(f"{server.url}/prefecture")
    page.get_by_role("heading", name="県内の状況").wait_for(timeout=TIMEOUT_MS)
    _wait_for_map(page)
    assert page.get_by_text(TILES_FAILED_NOTICE).count() == 0  # 背景地図なし by default: nothing to fail
    choice = page.get_by_label("背景地図")
    choice.click()
    page.get_by_role("option", name="地理院タイル（標準地図）").click()
    page.get_by_text(TILES_FAILED_NOTICE).wait_for(timeout=TIMEOUT_MS)
    assert any("cyberjapandata.gsi.go.jp/xyz/std" in url for url in page.blocked_urls)
    tiles, credit = page.evaluate(_STATE)  # the map took its tiles off by itself, with their credit
    assert not tiles and "国土地理院" not in credit, credit
    # the choice itself is back at 「背景地図なし」 after the next run (here: another indicator)
    page.get_by_text("65歳以上人口", exact=True).click()
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=stSelectbox] input')]"
                           ".some((e) => e.value === '背景地図なし（オフライン）')", timeout=TIMEOUT_MS)
    page.get_by_text(TILES_FAILED_NOTICE).wait_for(timeout=TIMEOUT_MS)  # still said, while it holds
    assert page.dialogs == []
