"""The resource map in a real Chromium with no internet: offline Leaflet and the basemap fallback,
roles, clicks and taps, hostile text, and a resident's phone (390×844).

Every non-localhost request is blocked (conftest), so the 地理院 tiles always fail here: the map must
switch itself to 「背景地図なし」 and say so. Sizes are measured with getBoundingClientRect.
"""

from __future__ import annotations

import csv
import io
import re
import sqlite3

import pytest

from tests.e2e.conftest import log_in
from tests.e2e.hostile import HOSTILE_NAME

pytestmark = pytest.mark.browser

MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"
OFFLINE_NOTICE = "「背景地図なし」で表示しています"
PHONE = {"width": 390, "height": 844}


def _map_frame(page):
    """The map's frame once Leaflet has drawn the places in it. The tiles cannot load here, so the
    map first switches to 「背景地図なし」 (in the browser, without being rebuilt) and the page says so."""
    page.get_by_text(OFFLINE_NOTICE).wait_for(timeout=60_000)
    page.wait_for_selector(MAP_FRAME, timeout=60_000)
    page.frame_locator(MAP_FRAME).locator(".leaflet-container").wait_for(timeout=60_000)
    frame = next(f for f in page.frames if "streamlit_folium" in f.url)
    frame.wait_for_function("() => window.map && Object.keys(window.map._layers).length > 10", timeout=60_000)
    return frame


def _circle_markers(frame) -> int:
    # canvas markers are not DOM nodes: count them in Leaflet itself (window.map is streamlit-folium's)
    return frame.evaluate(
        "() => Object.values(window.map._layers).filter(l => l instanceof L.CircleMarker && l.getTooltip()).length")


def _place(store, place_id: str) -> tuple[str, float, float]:
    with sqlite3.connect(store) as connection:
        return connection.execute("select name, lat, lon from places where id = ?", (place_id,)).fetchone()


def _click_place(page, frame, store, place_id: str, offset=(0, 0)) -> None:
    """Click (or tap) ``offset`` px from the marker of ``place_id`` and wait for its details."""
    name, lat, lon = _place(store, place_id)
    point = frame.evaluate(f"() => window.map.latLngToContainerPoint([{lat}, {lon}])")
    box = page.locator(MAP_FRAME).bounding_box()
    page.mouse.click(box["x"] + point["x"] + offset[0], box["y"] + point["y"] + offset[1])
    page.get_by_role("heading", name=name).wait_for(timeout=30_000)


def _count(store, sql: str) -> int:
    with sqlite3.connect(store) as connection:
        return connection.execute(sql).fetchone()[0]


def _phone(browser):
    context = browser.new_context(viewport=PHONE, locale="ja-JP", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.blocked_urls = []

    def route(request_route):
        url = request_route.request.url
        if url.startswith(("http://localhost", "http://127.0.0.1")):
            request_route.continue_()
        else:
            page.blocked_urls.append(url)
            request_route.abort()

    page.route("**/*", route)
    return context, page


def _in_view(page, selector: str) -> bool:
    return page.evaluate(f"""() => {{
        const r = document.querySelector({selector!r}).getBoundingClientRect();
        return r.top >= 0 && r.top < window.innerHeight * 0.6;
    }}""")


# --- offline, roles, hostile text -------------------------------------------------------------------


def test_anonymous_map_renders_offline_with_public_active_places_only(server, page, e2e_store):
    page.goto(f"{server.url}/map")
    frame = _map_frame(page)
    expected = _count(e2e_store, "select count(*) from places where visibility='public' and status='active'")
    assert _circle_markers(frame) == expected
    assert page.get_by_text(f"{expected} 件").is_visible()
    # Leaflet and its CSS came from our static folder; the only blocked requests are map tiles
    assert frame.evaluate("() => L.version") == "1.9.3"
    assert all("cyberjapandata.gsi.go.jp" in url for url in page.blocked_urls), page.blocked_urls


def test_failed_tiles_switch_the_map_to_no_basemap_with_a_notice(server, page):
    page.goto(f"{server.url}/map")
    frame = _map_frame(page)
    assert frame.evaluate("() => window.tsudoiTilesFailed") is True
    # no tile layer left (no grey squares); the 町丁目 outlines and names stand in for the basemap
    assert frame.evaluate("() => Object.values(window.map._layers).some(l => l instanceof L.TileLayer)") is False
    towns = frame.evaluate("() => Object.values(window.map._layers).filter(l => l instanceof L.GeoJSON).length")
    assert towns >= 2  # the areas and, now, the 町丁目 outlines
    frame.evaluate("() => { window.map.setZoom(15, {animate: false}); }")  # 町丁目 names from zoom 14 on
    frame.wait_for_function("() => document.querySelectorAll('.tsudoi-label').length > 10", timeout=10_000)
    # the choice holds for the session: the next page run builds the map without tiles at all
    page.evaluate(f"() => {{ document.querySelector({MAP_FRAME!r}).tsudoiOld = true; }}")
    page.get_by_label("名前・ふりがな・住所で検索").fill("サロン")
    page.keyboard.press("Enter")
    page.get_by_text(re.compile(r"^\d+ 件（1つの条件で絞り込み中）$")).wait_for(timeout=30_000)
    page.get_by_role("button", name="地図の表示").click()
    choice = page.locator("[data-testid=stPopoverBody] [data-testid=stSelectbox] input").first
    choice.wait_for(timeout=30_000)
    assert choice.input_value() == "背景地図なし（オフライン）"
    rebuilt = page.wait_for_function(  # the new map's frame (not the one that fell back by itself)
        f"""() => Array.from(document.querySelectorAll({MAP_FRAME!r})).filter(f => !f.tsudoiOld).map(f => f.contentWindow)
              .find(w => w.map && Object.values(w.map._layers).filter(l => l instanceof w.L.GeoJSON).length >= 2)
              ? true : false""", timeout=30_000)
    assert rebuilt.json_value() is True
    state = page.evaluate(f"""() => {{
        const w = Array.from(document.querySelectorAll({MAP_FRAME!r})).find(f => !f.tsudoiOld).contentWindow;
        return [w.tsudoiTilesFailed === undefined, Object.values(w.map._layers).some(l => l instanceof w.L.TileLayer)];
    }}""")
    assert state == [True, False]  # nothing tried to load tiles this time, and there is no tile layer


def test_hostile_texts_are_shown_as_text_and_never_run(server, page):
    page.goto(f"{server.url}/map")
    frame = _map_frame(page)
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
    assert page.locator("a[href^='javascript']").count() == 0


def test_clicking_a_marker_shows_its_details(server, page, e2e_store):
    page.goto(f"{server.url}/map")
    frame = _map_frame(page)
    _click_place(page, frame, e2e_store, "demo-001")
    assert "place=demo-001" in page.url


def test_anonymous_deep_links_to_internal_pages_show_login(server, page):
    for path in ("coverage", "survey", "council", "data"):
        page.goto(f"{server.url}/{path}")
        page.get_by_role("heading", name="ログイン").wait_for(timeout=30_000)
        page.get_by_label("パスワード").wait_for(timeout=30_000)
        assert page.get_by_role("heading", name="資源マップ").count() == 0


def test_login_shows_internal_places_in_their_own_style(server, page, e2e_store):
    log_in(page, server)
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


def test_choosing_a_row_then_narrowing_the_list_does_not_break_the_page(server, page):
    page.goto(f"{server.url}/map")
    _map_frame(page)
    row = page.locator(".st-key-tsudoi_rows button").nth(8)
    name = row.inner_text().split("\n")[0]
    row.click()
    page.get_by_role("heading", name=name).wait_for(timeout=30_000)  # its details opened
    page.get_by_label("名前・ふりがな・住所で検索").fill("さくら")
    page.keyboard.press("Enter")
    count = page.get_by_text(re.compile(r"^\d+ 件（1つの条件で絞り込み中）$")).first
    count.wait_for(timeout=30_000)
    shown = int(count.inner_text().split()[0])
    assert 0 < shown < 20  # the narrowed list is shown
    page.wait_for_function("(n) => !document.querySelector('[data-stale=\"true\"]')"
                           " && document.querySelectorAll('.st-key-tsudoi_rows button').length === n",
                           arg=shown, timeout=30_000)
    assert page.locator("[data-testid=stException]").count() == 0


def test_after_a_selection_other_markers_still_answer_clicks(server, page, e2e_store):
    page.goto(f"{server.url}/map?place=demo-003")
    frame = _map_frame(page)
    # the points have one canvas of their own, above the names and outlines: it takes every click
    canvases = frame.evaluate("() => Array.from(document.querySelectorAll('canvas'))"
                              ".map(c => [c.parentElement.className, Number(getComputedStyle(c.parentElement).zIndex)])")
    top = max(canvases, key=lambda c: c[1])
    assert "tsudoiPoints" in top[0] and len([c for c in canvases if "tsudoiPoints" in c[0]]) == 1
    _click_place(page, frame, e2e_store, "demo-001")
    assert "place=demo-001" in page.url


def test_the_page_says_it_is_japanese(server, page):
    for path in ("map", "about"):
        page.goto(f"{server.url}/{path}")
        page.wait_for_function("() => document.documentElement.lang === 'ja'", timeout=30_000)


def test_filters_offer_no_english_select_all(server, page):
    page.goto(f"{server.url}/map")
    _map_frame(page)
    page.get_by_role("button", name="絞り込み").click()
    page.locator("[data-testid=stPopoverBody]").get_by_text("種別").wait_for(timeout=30_000)
    page.locator("[data-testid=stPopoverBody] [data-testid=stMultiSelect]").first.click()
    page.get_by_role("option").first.wait_for(timeout=30_000)
    options = page.get_by_role("option").all_inner_texts()
    assert options and not any("Select" in o for o in options), options


def test_csv_for_excel_has_japanese_headers(server, page):
    page.goto(f"{server.url}/map")
    _map_frame(page)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="一覧をCSVで保存（Excel用）").click()
    data = open(download.value.path(), "rb").read()
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads it as UTF-8
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert header[:5] == ["名称", "ふりがな", "種別", "日程", "次回"]
    assert all(not h.isascii() for h in header)
    assert download.value.suggested_filename == "集いの場一覧.csv"


# --- a resident's phone (390×844) -------------------------------------------------------------------


def test_phone_filters_open_from_a_labelled_button_and_results_come_into_view(server, browser):
    context, page = _phone(browser)
    try:
        page.goto(f"{server.url}/map")
        _map_frame(page)
        button = page.get_by_role("button", name="絞り込み")
        box = button.bounding_box()
        assert box["y"] + box["height"] <= PHONE["height"] and box["height"] >= 44  # visible without scrolling
        button.click()
        show = page.locator("[data-testid=tsudoi-show-results]")
        show.filter(has_text=re.compile(r"結果を見る（\d+件）")).wait_for(timeout=30_000)
        before = show.inner_text()
        page.locator("[data-testid=stPopoverBody]").get_by_text("毎週（週1回以上）").click()
        # the filter's rerun has drawn the new count (fewer places are weekly than all)
        page.wait_for_function("(before) => { const b = document.querySelector('[data-testid=tsudoi-show-results]');"
                               " return b && b.innerText !== before; }", arg=before, timeout=30_000)
        page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')", timeout=30_000)
        count = int(re.search(r"（(\d+)件）", show.inner_text()).group(1))
        show.click()
        page.wait_for_function("() => !document.querySelector('[data-testid=stPopoverBody]')", timeout=10_000)
        page.wait_for_function("""() => { const r = document.querySelector('.st-key-tsudoi_results_top')
                                      .getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }""",
                               timeout=10_000)
        assert page.locator(".st-key-tsudoi_results_top").inner_text().startswith(f"{count} 件")
    finally:
        context.close()


def test_phone_tapping_near_a_marker_selects_it_and_brings_the_details_into_view(server, browser, e2e_store):
    context, page = _phone(browser)
    try:
        page.goto(f"{server.url}/map")
        frame = _map_frame(page)
        with sqlite3.connect(e2e_store) as connection:  # a place with no other public place within ~50 m
            place_id = connection.execute(
                "select a.id from places a where a.visibility='public' and a.status='active' and not exists "
                "(select 1 from places b where b.id != a.id and b.visibility='public' and b.status='active' "
                "and abs(b.lat - a.lat) < 0.0005 and abs(b.lon - a.lon) < 0.0006) order by a.id limit 1").fetchone()[0]
        name, lat, lon = _place(e2e_store, place_id)
        frame.evaluate(f"() => {{ window.map.setView([{lat}, {lon}], 18, {{animate: false}}); }}")  # no neighbour near
        frame.wait_for_function(  # the canvas has placed its markers for the new view
            """() => Object.values(window.map._layers).filter(l => l instanceof L.CircleMarker && l._point).every(
                 l => l._point.distanceTo(window.map.latLngToLayerPoint(l.getLatLng())) < 1)""", timeout=10_000)
        page.locator(MAP_FRAME).scroll_into_view_if_needed()
        point = frame.evaluate(f"() => window.map.latLngToContainerPoint([{lat}, {lon}])")
        box = page.locator(MAP_FRAME).bounding_box()
        page.mouse.click(box["x"] + point["x"] + 18, box["y"] + point["y"] + 24)  # 30 px away: outside the target
        page.get_by_text("地図の点か、下の一覧から選ぶと").wait_for(timeout=10_000)
        assert "place=" not in page.url
        # 20 px from the centre of a 14 px dot: inside the 44 px tap target
        _click_place(page, frame, e2e_store, place_id, offset=(12, 16))
        page.wait_for_function("""() => { const r = document.querySelector('.st-key-tsudoi_details')
                                      .getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight * 0.6; }""",
                               timeout=10_000)
        assert page.get_by_role("heading", name=name).is_visible()
    finally:
        context.close()


def test_phone_list_fits_the_width_and_rows_are_tap_sized(server, browser, e2e_store):
    context, page = _phone(browser)
    try:
        page.goto(f"{server.url}/map")
        _map_frame(page)
        rows = page.locator(".st-key-tsudoi_rows button")
        rows.first.wait_for(timeout=30_000)
        boxes = page.evaluate("""() => Array.from(document.querySelectorAll('.st-key-tsudoi_rows button'))
            .map(b => { const r = b.getBoundingClientRect(); return [r.left, r.right, r.height, b.scrollWidth,
                                                                     b.clientWidth, b.innerText]; })""")
        assert boxes
        for left, right, height, scroll_width, client_width, text in boxes:
            assert left >= 0 and right <= PHONE["width"] and height >= 44, (text, left, right, height)
            assert scroll_width <= client_width + 1, text  # nothing cut off sideways
            name, second = text.split("\n")[:2]
            category = second.split("・")[0]
            assert name and category and ("次回" in second or "毎" in second or "日程" in second or "隔週" in second)
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        first = rows.first.inner_text().split("\n")[0]
        rows.first.click()
        page.get_by_role("heading", name=first).wait_for(timeout=30_000)
        page.wait_for_function("""() => { const r = document.querySelector('.st-key-tsudoi_details')
                                      .getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight * 0.6; }""",
                               timeout=10_000)
    finally:
        context.close()


def test_phone_text_is_at_least_16px_and_phone_numbers_can_be_tapped(server, browser, e2e_store):
    with sqlite3.connect(e2e_store) as connection:
        place_id, contact = connection.execute(
            "select id, contact_public from places where visibility='public' and status='active' "
            "and contact_public like '048-%' order by id limit 1").fetchone()
    context, page = _phone(browser)
    try:
        page.goto(f"{server.url}/map?place={place_id}")
        _map_frame(page)
        digits = re.sub(r"\D", "", re.match(r"[\d-]+", contact).group())
        link = page.locator(f"a[href='tel:{digits}']")
        link.wait_for(timeout=30_000)
        box = link.bounding_box()
        assert box["width"] > 40  # the whole number is the link
        small = page.evaluate("""() => {
            const out = [];
            const walker = document.createTreeWalker(document.querySelector('[data-testid=stMain]'), NodeFilter.SHOW_TEXT);
            while (walker.nextNode()) {
              const node = walker.currentNode, text = node.textContent.trim(), el = node.parentElement;
              if (!text || !el || el.closest('[data-testid=stIFrame], iframe, [aria-hidden=true], [data-testid=stIconMaterial]')) continue;
              const style = getComputedStyle(el);
              if (style.display === 'none' || style.visibility === 'hidden' || el.getClientRects().length === 0) continue;
              const size = parseFloat(style.fontSize);
              if (size < 16) out.push([text.slice(0, 30), size]);
            }
            return out;
        }""")
        assert small == [], small
    finally:
        context.close()


def test_phone_choosing_an_area_zooms_the_map_to_it(server, browser, e2e_store):
    with sqlite3.connect(e2e_store) as connection:
        area_name = connection.execute("select name from areas order by sort_order limit 1 offset 1").fetchone()[0]
    context, page = _phone(browser)
    try:
        page.goto(f"{server.url}/map")
        frame = _map_frame(page)
        city_zoom = frame.evaluate("() => window.map.getZoom()")
        page.get_by_role("button", name="絞り込み").click()
        page.locator("[data-testid=stPopoverBody] [data-testid=stSelectbox]").first.click()
        page.get_by_role("option", name=area_name).click()
        page.wait_for_function(f"() => new URLSearchParams(location.search).get('area') !== null", timeout=30_000)
        page.locator("[data-testid=tsudoi-show-results]").click()
        page.wait_for_function(
            """(cityZoom) => Array.from(document.querySelectorAll("iframe[title='streamlit_folium.st_folium']"))
                 .some(f => f.contentWindow.map && f.contentWindow.map.getZoom() >= cityZoom + 0.5)""",
            arg=city_zoom, timeout=60_000)
    finally:
        context.close()
