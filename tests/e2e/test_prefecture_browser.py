"""県内の状況 in Chromium with no internet: the map draws all 63 埼玉県 municipalities from the vendored
Leaflet, nothing is fetched from outside, and hovering a municipality shows its (escaped) figures."""

from __future__ import annotations

import pytest

from dashboard.maps.prefecture_map import SHAPE_CLASS
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser
FRAME = "iframe[title='streamlit_folium.st_folium']"
TIMEOUT_MS = 60_000


def test_the_prefecture_map_draws_63_municipalities_offline(server, page):
    with page.expect_response(lambda r: "/tsudoi/session/start" in r.url, timeout=TIMEOUT_MS):
        log_in(page, server)  # the login cookie is stored, so the deep link below keeps the login
    page.goto(f"{server.url}/prefecture")
    page.get_by_role("heading", name="県内の状況").wait_for(timeout=TIMEOUT_MS)
    page.wait_for_selector(FRAME, timeout=TIMEOUT_MS)
    frame = page.frame_locator(FRAME)
    shapes = frame.locator(f"path.{SHAPE_CLASS}")
    shapes.nth(62).wait_for(state="attached", timeout=TIMEOUT_MS)  # the 63rd outline is drawn
    assert shapes.count() == 63
    page.get_by_text("65歳以上割合（%、住基 2022年1月1日）").wait_for(timeout=TIMEOUT_MS)  # the legend's title
    assert "40%以上" in page.get_by_test_id("tsudoi-legend").inner_text()  # under the map, never over it
    assert frame.locator(".leaflet-tile").count() == 0  # 背景地図なし by default
    warabi = frame.locator(".tsudoi-label > div", has_text="蕨市")  # loaded cities carry their name
    warabi.wait_for(state="attached", timeout=TIMEOUT_MS)
    assert page.blocked_urls == [], page.blocked_urls  # vendored Leaflet, no tiles: nothing from outside
    assert page.dialogs == []


def test_an_anonymous_deep_link_gets_the_login_form(server, page):
    page.goto(f"{server.url}/prefecture")
    page.get_by_label("パスワード").wait_for(timeout=TIMEOUT_MS)
    page.get_by_role("heading", name="ログイン").first.wait_for(timeout=TIMEOUT_MS)
    assert page.get_by_role("heading", name="県内の状況").count() == 0
    assert page.locator(FRAME).count() == 0
