"""The resource map in a real Chromium with no internet: offline Leaflet, roles, clicks, XSS."""

from __future__ import annotations

import re
import sqlite3

import pytest

from tests.e2e.hostile import HOSTILE_NAME

pytestmark = pytest.mark.browser


def _map_frame(page):
    page.wait_for_selector("iframe[title='streamlit_folium.st_folium']", timeout=60_000)
    frame = page.frame_locator("iframe[title='streamlit_folium.st_folium']")
    frame.locator(".leaflet-container").wait_for(timeout=60_000)
    return next(f for f in page.frames if "streamlit_folium" in f.url)


def _circle_markers(frame) -> int:
    # canvas markers are not DOM nodes: count them in Leaflet itself (window.map is streamlit-folium's)
    frame.wait_for_function("() => window.map && Object.keys(window.map._layers).length > 10", timeout=60_000)
    return frame.evaluate(
        "() => Object.values(window.map._layers).filter(l => l instanceof L.CircleMarker && l.getTooltip()).length")


def _click_place(page, frame, store, place_id: str) -> None:
    """Click the marker of ``place_id`` on the map and wait for its details to open."""
    with sqlite3.connect(store) as connection:
        name, lat, lon = connection.execute("select name, lat, lon from places where id = ?", (place_id,)).fetchone()
    point = frame.evaluate(f"() => window.map.latLngToContainerPoint([{lat}, {lon}])")
    box = page.locator("iframe[title='streamlit_folium.st_folium']").bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    page.get_by_role("heading", name=name).wait_for(timeout=30_000)


def _count(store, sql: str) -> int:
    with sqlite3.connect(store) as connection:
        return connection.execute(sql).fetchone()[0]


def test_anonymous_map_renders_offline_with_public_active_places_only(server, page, e2e_store):
    page.goto(f"{server.url}/map")
    frame = _map_frame(page)
    expected = _count(e2e_store, "select count(*) from places where visibility='public' and status='active'")
    assert _circle_markers(frame) == expected
    assert page.get_by_text(f"{expected} 件").is_visible()
    # Leaflet and its CSS came from our static folder; the only blocked requests are map tiles
    assert frame.evaluate("() => L.version") == "1.9.3"
    assert all("cyberjapandata.gsi.go.jp" in url for url in page.blocked_urls), page.blocked_urls


def test_hostile_texts_are_shown_as_text_and_never_run(server, page):
    page.goto(f"{server.url}/map")
    frame = _map_frame(page)
    _circle_markers(frame)
    tooltips = frame.evaluate(
        "() => Object.values(window.map._layers).filter(l => l.getTooltip && l.getTooltip())"
        ".map(l => l.getTooltip().getContent())")
    hostile = [t for t in tooltips if "xss-name" in t]
    assert len(hostile) == 1
    assert "<img" not in hostile[0] and "&lt;img" in hostile[0]
    page.goto(f"{server.url}/map?place=hostile-1")  # a shared link selects the place
    page.get_by_role("heading", name=HOSTILE_NAME).wait_for(timeout=30_000)
    page.get_by_text('</script><script>alert("xss-address")</script>').wait_for(timeout=30_000)
    frame = _map_frame(page)
    assert page.dialogs == []
    assert frame.evaluate("() => document.querySelectorAll('img[src=x], svg[onload]').length") == 0


def test_clicking_a_marker_shows_its_details(server, page, e2e_store):
    page.goto(f"{server.url}/map")
    frame = _map_frame(page)
    _circle_markers(frame)
    _click_place(page, frame, e2e_store, "demo-001")
    assert "place=demo-001" in page.url


def test_anonymous_deep_links_to_internal_pages_show_login(server, page):
    for path in ("coverage", "survey", "council", "data"):
        page.goto(f"{server.url}/{path}")
        page.get_by_role("heading", name="ログイン").wait_for(timeout=30_000)
        page.get_by_label("パスワード").wait_for(timeout=30_000)
        assert page.get_by_role("heading", name="資源マップ").count() == 0


def test_login_shows_internal_places_in_their_own_style(server, page, e2e_store):
    page.goto(f"{server.url}/login")
    page.get_by_label("ユーザー名").fill("demo")
    page.get_by_label("パスワード").fill("demo")
    page.get_by_role("button", name="ログイン").click()
    page.get_by_text("ログイン中：demo").wait_for(timeout=30_000)
    page.get_by_role("link", name="資源マップ").first.click()
    frame = _map_frame(page)
    expected = _count(e2e_store, "select count(*) from places where status='active'")
    public = _count(e2e_store, "select count(*) from places where status='active' and visibility='public'")
    assert expected > public
    frame.wait_for_function(
        f"() => Object.values(window.map._layers).filter(l => l instanceof L.CircleMarker && l.getTooltip()).length == {expected}",
        timeout=60_000)
    dashed = frame.evaluate(
        "() => Object.values(window.map._layers).filter(l => l instanceof L.CircleMarker && l.options.dashArray).length")
    assert dashed == expected - public


def test_wrong_password_is_refused(server, page):
    page.goto(f"{server.url}/login")
    page.get_by_label("ユーザー名").fill("demo")
    page.get_by_label("パスワード").fill("wrong")
    page.get_by_role("button", name="ログイン").click()
    page.get_by_text("ユーザー名またはパスワードが違います").wait_for(timeout=30_000)
    assert page.get_by_text("ログイン中：").count() == 0


def test_selecting_a_row_then_narrowing_the_list_does_not_break_the_page(server, page):
    page.goto(f"{server.url}/map")
    _map_frame(page)
    grid = page.locator("[data-testid=stDataFrame]").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 36 * 8 + 18)  # the selection cell of a row far down the list
    page.get_by_role("heading", level=3).first.wait_for(timeout=30_000)  # its details opened
    page.get_by_label("名前・ふりがな・住所で検索").fill("さくら")
    page.keyboard.press("Enter")
    page.wait_for_timeout(3000)
    assert page.locator("[data-testid=stException]").count() == 0
    count = page.get_by_text(re.compile(r"^\d+ 件$")).first
    count.wait_for(timeout=30_000)
    assert 0 < int(count.inner_text().split()[0]) < 20  # the narrowed list is shown


def test_after_a_selection_other_markers_still_answer_clicks(server, page, e2e_store):
    page.goto(f"{server.url}/map?place=demo-003")
    frame = _map_frame(page)
    _circle_markers(frame)
    assert frame.evaluate("() => document.querySelectorAll('canvas.leaflet-zoom-animated').length") == 1
    _click_place(page, frame, e2e_store, "demo-001")
    assert "place=demo-001" in page.url
