"""会議モード in Chromium at projector sizes: every slide fills the 16:9 screen without scrolling,
numbers never overlap their labels, the legend never covers the map, the map is zoomed to the
area, text is readable from the back of a room; clicker keys, browser Back/Forward, the distance
on the slide, full screen and the exit button work.

Geometry is measured with getBoundingClientRect in the page (and Leaflet's own projection inside
the map's frame), never taken from screenshots.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser

SIZES = [(1920, 1080), (1280, 720)]
MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"

#: Everything measured on one slide. Elements of a rerun still in progress are marked stale by
#: Streamlit; they are left out.
_MEASURE = """() => {
  const live = (selector, root) => Array.from((root || document).querySelectorAll(selector))
      .filter((e) => !e.closest('[data-stale="true"]'));
  const box = (e) => { const r = e.getBoundingClientRect();
      return {x: r.left, y: r.top, right: r.right, bottom: r.bottom, w: r.width, h: r.height}; };
  const font = (e) => parseFloat(getComputedStyle(e).fontSize);
  const main = document.querySelector('[data-testid="stMain"]');
  return {
    scroll: Math.max(0, main.scrollHeight - main.clientHeight,
                     document.documentElement.scrollHeight - window.innerHeight),
    slide: box(live('.st-key-tsudoi_council')[0]),
    footer: box(live('.st-key-tsudoi_footer')[0]),
    maps: live('.st-key-tsudoi_map_column iframe').map(box),
    legends: live('[data-testid="tsudoi-legend"]').map((e) => ({box: box(e), font: font(e)})),
    cards: live('[data-testid="tsudoi-card"]').map((c) => ({
      card: box(c), label: box(c.querySelector('.label')), value: box(c.querySelector('.value')),
      note: box(c.querySelector('.note')), labelFont: font(c.querySelector('.label')),
      valueFont: font(c.querySelector('.value')), noteFont: font(c.querySelector('.note'))})),
    priority: live('[data-testid="tsudoi-priority"]').map((e) => ({box: box(e), font: font(e), text: e.innerText})),
    text: live('.st-key-tsudoi_council')[0].innerText,
  };
}"""

#: Inside the map's frame: the map's size, the pixel box of the drawn areas, and the label sizes.
_MAP_MEASURE = """() => {
  const size = window.map.getSize();
  let box = null;
  window.map.eachLayer((layer) => {
    if (!(layer instanceof L.GeoJSON)) { return; }
    const b = layer.getBounds();
    if (!b.isValid()) { return; }
    const a = window.map.latLngToContainerPoint(b.getSouthWest());
    const c = window.map.latLngToContainerPoint(b.getNorthEast());
    const r = {x: Math.min(a.x, c.x), y: Math.min(a.y, c.y), right: Math.max(a.x, c.x), bottom: Math.max(a.y, c.y)};
    box = box ? {x: Math.min(box.x, r.x), y: Math.min(box.y, r.y), right: Math.max(box.right, r.right),
                 bottom: Math.max(box.bottom, r.bottom)} : r;
  });
  const labels = Array.from(document.querySelectorAll('.tsudoi-label div')).map((d) => parseFloat(getComputedStyle(d).fontSize));
  return {w: size.x, h: size.y, areas: box, labels: labels, height: document.getElementById('map_div').offsetHeight};
}"""


def _overlap(a: dict, b: dict, tolerance: float = 0.5) -> bool:
    return (a["x"] < b["right"] - tolerance and b["x"] < a["right"] - tolerance
            and a["y"] < b["bottom"] - tolerance and b["y"] < a["bottom"] - tolerance)


def _inside(inner: dict, outer: dict, tolerance: float = 0.5) -> bool:
    return (inner["x"] >= outer["x"] - tolerance and inner["right"] <= outer["right"] + tolerance
            and inner["y"] >= outer["y"] - tolerance and inner["bottom"] <= outer["bottom"] + tolerance)


def _wait_slide(page, number: int) -> None:
    """Until slide ``number`` is fully drawn: its footer says so and no element is stale."""
    page.wait_for_function(
        """(number) => {
          const counter = Array.from(document.querySelectorAll('.st-key-tsudoi_sources .tsudoi-page'))
              .filter((e) => !e.closest('[data-stale="true"]'));
          return counter.length === 1 && counter[0].innerText.trim().startsWith(number + ' /')
            && !document.querySelector('[data-stale="true"]');
        }""", arg=number, timeout=60_000)


def _wait_map(page) -> object:
    """The slide's map frame, once Leaflet has drawn the areas in it."""
    page.locator(MAP_FRAME).wait_for(timeout=60_000)
    frame = next(f for f in page.frames if "streamlit_folium" in f.url)
    frame.wait_for_function("() => window.map && Object.values(window.map._layers).some(l => l instanceof L.GeoJSON)"
                            " && window.map.getSize().y > 100", timeout=60_000)
    return frame


def _open(browser, server, width: int, height: int, query: str = ""):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="ja-JP")
    page = context.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("http://localhost", "http://127.0.0.1"))
               else r.abort())
    with page.expect_response(lambda response: "/tsudoi/session/start" in response.url, timeout=60_000):
        log_in(page, server)  # the login cookie is stored by a hidden frame: wait for it, then open a link
    page.goto(f"{server.url}/council{query}")
    page.locator(".st-key-tsudoi_next button").first.wait_for(timeout=60_000)
    return context, page


def _slide_count(page) -> int:
    return int(page.locator(".st-key-tsudoi_sources .tsudoi-page").first.inner_text().split("/")[1])


def _check_layout(page, width: int, height: int, title: str) -> dict:
    m = page.evaluate(_MEASURE)
    where = f"{title} at {width}x{height}"
    assert m["scroll"] == 0, f"{where} scrolls by {m['scroll']} px"
    # fills the screen: the slide is as tall as the window and its footer is on screen
    assert m["slide"]["h"] >= 0.95 * height and m["slide"]["bottom"] <= height + 0.5, where
    assert m["footer"]["bottom"] <= height + 0.5 and m["footer"]["y"] >= 0.85 * height, where
    assert "架空" in m["text"] and "デモ用の仮の圏域" in m["text"], f"{where} lacks the synthetic labels"
    for card in m["cards"]:
        assert not _overlap(card["label"], card["value"]), f"{where}: a number overlaps its label: {card}"
        for part in ("label", "value", "note"):
            assert _inside(card[part], card["card"]), f"{where}: {part} leaves its card (cut off): {card}"
        assert card["valueFont"] >= 48 and card["labelFont"] >= 24 and card["noteFont"] >= 24, card
    if m["maps"]:
        frame_box = m["maps"][0]
        assert frame_box["h"] >= 0.55 * height, f"{where}: the map is only {frame_box['h']} px tall"
        assert len(m["legends"]) == 1
        legend = m["legends"][0]
        assert legend["font"] >= 18, where
        assert not _overlap(legend["box"], frame_box), f"{where}: the legend covers the map"
        for card in m["cards"]:
            assert not _overlap(card["card"], frame_box), where
    return m


@pytest.mark.parametrize("width,height", SIZES)
def test_every_slide_fills_the_screen_without_overlaps(server, browser, width, height, tmp_path):
    context, page = _open(browser, server, width, height)
    try:
        count = _slide_count(page)
        titles = []
        for number in range(1, count + 1):
            if number > 1:
                page.locator(".st-key-tsudoi_next button").first.click()
            _wait_slide(page, number)
            frame = _wait_map(page) if number < count else None  # every slide but the last has a map
            title = page.locator("h1").first.inner_text()
            titles.append(title)
            measured = _check_layout(page, width, height, title)
            assert bool(measured["maps"]) == (frame is not None)
            if frame is not None:
                inside = frame.evaluate(_MAP_MEASURE)
                assert inside["height"] >= measured["maps"][0]["h"] - 2, "the map does not fill its frame"
                areas = inside["areas"]
                share = max((areas["right"] - areas["x"]) / inside["w"], (areas["bottom"] - areas["y"]) / inside["h"])
                assert share >= 0.75, f"{title}: the areas use only {share:.0%} of the map (not zoomed to them)"
                assert inside["labels"] and min(inside["labels"]) >= 18, inside["labels"]
            else:
                assert measured["priority"] and measured["priority"][0]["font"] >= 24
            if number == 1:
                page.screenshot(path=str(tmp_path / f"council_{width}.png"))
        assert titles[0].endswith("の全体像") and titles[-1] == "優先して取り組む圏域"
        assert count == 7  # city + 5 demo areas + priority
    finally:
        context.close()


def _slide_param(page) -> str | None:
    return page.evaluate("() => new URLSearchParams(location.search).get('slide')")


def test_clicker_keys_and_browser_history_move_between_slides(server, browser):
    context, page = _open(browser, server, 1280, 720)
    try:
        page.wait_for_function("() => window.tsudoiSlideKeys === true", timeout=30_000)
        _wait_slide(page, 1)
        for key, expected in (("PageDown", 2), ("Space", 3), ("ArrowRight", 4), ("PageUp", 3), ("Shift+Space", 2),
                              ("ArrowLeft", 1)):
            page.keyboard.press(key)
            _wait_slide(page, expected)
        page.go_back()  # the history holds 1, 2, 3, 4, 3, 2, 1
        _wait_slide(page, 2)
        page.go_back()
        _wait_slide(page, 3)
        page.go_forward()
        _wait_slide(page, 2)
        assert _slide_param(page) == "2"
    finally:
        context.close()


def test_keys_pressed_after_clicking_the_map_still_change_slides(server, browser):
    context, page = _open(browser, server, 1280, 720)
    try:
        _wait_slide(page, 1)
        _wait_map(page)
        box = page.locator(MAP_FRAME).bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # focus is in the frame now
        page.keyboard.press("PageDown")
        _wait_slide(page, 2)
    finally:
        context.close()


def test_distance_chosen_on_the_slide_changes_the_figures_and_stays_in_the_link(server, browser):
    context, page = _open(browser, server, 1280, 720, "?slide=2")
    try:
        _wait_slide(page, 2)
        assert page.locator("[data-testid=tsudoi-card]").filter(has_text="徒歩500m圏").count() == 1
        page.get_by_text("1000m", exact=True).click()
        page.locator("[data-testid=tsudoi-card]").filter(has_text="徒歩1000m圏").wait_for(timeout=60_000)
        assert "徒歩1000 m" in page.locator("[data-testid=tsudoi-legend]").first.inner_text()
        page.keyboard.press("PageDown")
        _wait_slide(page, 3)
        assert "d=1000" in page.url  # a link to this slide shows the same figures
        page.locator("[data-testid=tsudoi-card]").filter(has_text="徒歩1000m圏").wait_for(timeout=60_000)
    finally:
        context.close()


def test_full_screen_and_exit_buttons(server, browser):
    context, page = _open(browser, server, 1280, 720, "?slide=3")
    try:
        _wait_slide(page, 3)
        area = page.locator("h1").first.inner_text()
        page.locator("[data-testid=tsudoi-fullscreen]").click()
        page.wait_for_function("() => document.fullscreenElement !== null", timeout=10_000)
        page.locator("[data-testid=tsudoi-fullscreen]").click()
        page.wait_for_function("() => document.fullscreenElement === null", timeout=10_000)
        page.locator(".st-key-tsudoi_exit button").first.click()
        page.get_by_role("heading", name="圏域カバー状況").wait_for(timeout=60_000)
        assert page.locator("section[data-testid=stSidebar]").is_visible()  # the app's own layout is back
        chosen = page.locator("[data-testid=stSelectbox] input[aria-label='圏域']").first
        chosen.wait_for(timeout=60_000)
        assert chosen.input_value() == area  # the area of the last slide is selected there
    finally:
        context.close()
