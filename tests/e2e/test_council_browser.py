"""会議モード in Chromium: every slide fits 16:9 screens without scrolling and marks synthetic data;
arrow keys and the URL move slides."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser


def _open_council(page, server):
    log_in(page, server)
    page.get_by_role("link", name="会議モード").first.click()
    page.get_by_role("button", name="次へ ▶").wait_for(timeout=30_000)
    page.locator("iframe[title='streamlit_folium.st_folium']").wait_for(timeout=30_000)
    page.wait_for_timeout(1500)  # let the map and fonts settle before measuring


def _overflow(page) -> int:
    """How many pixels the main area would scroll (0 = everything visible)."""
    return page.evaluate("""() => {
        const main = document.querySelector('[data-testid=stMain]');
        return Math.max(0, main.scrollHeight - main.clientHeight,
                        document.documentElement.scrollHeight - window.innerHeight);
    }""")


@pytest.mark.parametrize("width,height", [(1920, 1080), (1280, 720)])
def test_every_slide_fits_the_screen_without_scrolling(server, browser, width, height, tmp_path):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="ja-JP")
    page = context.new_page()
    try:
        _open_council(page, server)
        titles = []
        while True:
            titles.append(page.locator("h1").first.inner_text())
            assert _overflow(page) == 0, f"slide {len(titles)} ({titles[-1]}) scrolls at {width}x{height}"
            text = page.locator("[data-testid=stMain]").inner_text()
            assert "架空" in text and "デモ用の仮の圏域" in text, f"slide {titles[-1]} lacks the synthetic labels"
            if len(titles) == 1 and width == 1920:
                page.screenshot(path=str(tmp_path / "council_1920.png"))
            next_button = page.get_by_role("button", name="次へ ▶")
            if next_button.is_disabled():
                break
            next_button.click()
            page.wait_for_function(f"() => document.querySelector('h1') && "
                                   f"document.querySelector('h1').innerText !== {titles[-1]!r}", timeout=30_000)
            page.wait_for_timeout(800)
        assert titles[0].endswith("の全体像") and titles[-1] == "優先して取り組む圏域"
        assert len(titles) == 7  # city + 5 demo areas + priority
    finally:
        context.close()


def test_arrow_keys_and_url_select_slides(server, page):
    _open_council(page, server)
    first = page.locator("h1").first.inner_text()
    page.wait_for_function("() => document.tsudoiArrows === true", timeout=30_000)  # the key listener is in place
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => new URLSearchParams(location.search).get('slide') === '2'", timeout=30_000)
    page.wait_for_function(f"() => document.querySelector('h1').innerText !== {first!r}", timeout=30_000)
    page.wait_for_function("() => Array.from(document.querySelectorAll('button'))"
                           ".some(b => b.innerText.trim() === '◀ 前へ' && !b.disabled)", timeout=30_000)
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("() => new URLSearchParams(location.search).get('slide') === '1'", timeout=30_000)
    page.wait_for_function(f"() => document.querySelector('h1').innerText === {first!r}", timeout=30_000)
