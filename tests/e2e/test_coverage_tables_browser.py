"""圏域カバー状況 at 1280×720 with the sidebar open (about 818 px of content): every table shows all
its columns without sideways scrolling — today and 10 years ahead (推計), with the hostile long place
names of the browser store in the critical-places table.

Streamlit draws a dataframe with glide-data-grid on a canvas; its ``.dvn-scroller`` is as wide as the
columns, so ``scrollWidth > clientWidth`` is exactly "needs sideways scrolling"."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser
TIMEOUT_MS = 120_000
#: The suggestion, 圏域の比較, distances, critical places, reliance, weekdays, outlook and the scenario
#: comparison: the eight tables of the demo city's page.
TABLES = 8
SCROLLERS = '[data-testid="stDataFrame"] .dvn-scroller'
WIDTHS = f"""() => [...document.querySelectorAll('{SCROLLERS}')].map((s, index) => ({{
    index, scroll: s.scrollWidth, client: s.clientWidth}}))"""


@pytest.mark.parametrize("path", ["/coverage", "/coverage?ahead=10"])
def test_no_coverage_table_needs_sideways_scrolling_at_1280(server, page, path):
    page.set_viewport_size({"width": 1280, "height": 720})
    with page.expect_response(lambda r: "/tsudoi/session/start" in r.url, timeout=TIMEOUT_MS):
        log_in(page, server)
    page.goto(f"{server.url}{path}")
    page.get_by_role("heading", name="圏域カバー状況").wait_for(timeout=TIMEOUT_MS)
    page.locator('[data-testid="stSidebar"][data-collapsed="false"]').wait_for(timeout=TIMEOUT_MS)
    page.wait_for_function(f"document.querySelectorAll('{SCROLLERS}').length >= {TABLES}", timeout=TIMEOUT_MS)
    tables = page.evaluate(WIDTHS)
    assert len(tables) >= TABLES
    wide = [t for t in tables if t["scroll"] > t["client"] + 1]  # 1 px of rounding
    assert not wide, wide
    assert all(t["client"] <= 820 for t in tables), tables  # the content really is the narrow 1280 layout
