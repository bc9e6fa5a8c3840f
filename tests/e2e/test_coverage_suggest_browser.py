"""The next-salon suggestion in Chromium: a point clicked right on an area's name stays visible above
the name with its 「+0人」, and is listed."""

from __future__ import annotations


import pytest

from dashboard.ui.map_view import TILES_FAILED_NOTICE
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser
# the coverage map is the page's first map (the scenario editor's map comes further down)
FRAME = "iframe[title='streamlit_folium.st_folium'] >> nth=0"


def _map_frame(page):
    page.wait_for_selector(FRAME, timeout=60_000)
    page.frame_locator(FRAME).locator(".leaflet-container").wait_for(timeout=60_000)
    return page.frame_locator(FRAME)


def _frame_with(page, selector: str, text: str, timeout_s: float = 60):
    """The map frame that shows ``selector`` with ``text`` (during a rerun the old map may linger):
    waits in the page for an st_folium iframe whose document has it, then returns that frame."""
    index = page.wait_for_function(
        """([selector, text]) => {
            const frames = [...document.querySelectorAll("iframe[title='streamlit_folium.st_folium']")];
            const i = frames.findIndex((f) => [...(f.contentDocument?.querySelectorAll(selector) || [])]
                                               .some((e) => e.textContent.includes(text)));
            return i >= 0 ? i + 1 : 0;  // 0 keeps waiting
        }""", arg=[selector, text], timeout=timeout_s * 1000).json_value() - 1
    handle = page.locator("iframe[title='streamlit_folium.st_folium']").nth(index).element_handle()
    return handle.content_frame()


def test_a_point_clicked_on_an_area_name_is_drawn_above_it(server, page, tmp_path):
    with page.expect_response(lambda r: "/tsudoi/session/start" in r.url, timeout=60_000):
        log_in(page, server)  # then the login cookie is stored, so a deep link keeps the login
    page.goto(f"{server.url}/coverage?area=kita")
    # no internet here: the 地理院 tiles fail and the map is drawn anew without them (map_view.py) — click after that
    page.get_by_text(TILES_FAILED_NOTICE).first.wait_for(timeout=60_000)
    frame = _map_frame(page)
    label = frame.locator(".tsudoi-label > div", has_text="北町地区")  # the marker itself is 0×0 px
    label.wait_for(state="attached", timeout=60_000)
    page.locator(FRAME).evaluate("e => e.scrollIntoView({block: 'center'})")  # a mouse click needs it on screen
    _frame_with(page, ".tsudoi-label > div", "北町地区").wait_for_function("() => window.map && window.map._loaded")
    for _ in range(3):  # a click before streamlit-folium listens is lost: try again (bounded)
        box = label.bounding_box()
        # on the name's first character (its box is 0 px wide; the text runs right): names let clicks through
        page.mouse.click(box["x"] + 8, box["y"] + box["height"] / 2)
        try:
            frame = _frame_with(page, ".tsudoi-candidate > div", "地点1", timeout_s=20)  # the map is drawn anew
            break
        except AssertionError:
            continue
    else:
        raise AssertionError("the clicked point never appeared on the map")
    badge = frame.locator(".tsudoi-candidate > div", has_text="地点1")
    # every 65+ of 北町地区 is already within 500 m of a gathering place: the point adds nobody
    assert badge.inner_text() == "地点1 +0人"
    z = lambda locator: int(locator.evaluate("e => getComputedStyle(e.parentElement).zIndex"))  # noqa: E731
    assert z(badge) > z(frame.locator(".tsudoi-label > div", has_text="北町地区"))
    # (the list is a canvas data grid; tests/ui/test_coverage_page.py checks its 「+0人」 row)
    page.screenshot(path=str(tmp_path / "coverage_click.png"))
