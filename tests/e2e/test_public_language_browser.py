"""The public site's language switch in Chromium (network blocked but for localhost): a resident
switches the map to English and reads English category names and list headers, the URL keeps
``?lang=en`` through a reload, and the document says ``<html lang="en">``.

The server and published copy are those of tests/e2e/test_public_site_browser.py (its fixtures)."""

from __future__ import annotations

import sqlite3

import pytest

from tests.e2e.test_public_site_browser import _map_frame, _tooltips, public_server, site  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

TIMEOUT_MS = 60_000
#: Written out here, not read from dashboard.i18n: what an English reader must see.
ENGLISH_CATEGORIES = {"サロン": "Social salon", "通いの場（体操）": "Exercise group", "老人クラブ": "Seniors' club"}


def _categories_shown(db) -> set[str]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        return {c for (c,) in connection.execute(
            "SELECT DISTINCT category FROM places WHERE visibility = 'public' AND status = 'active'")}


def test_switching_to_english_on_the_public_map(public_server, page, site):  # noqa: F811
    page.goto(f"{public_server.url}/")
    page.get_by_role("heading", name="資源マップ").wait_for(timeout=TIMEOUT_MS)
    page.get_by_text("English", exact=True).click()

    page.get_by_role("heading", name="Community places map").wait_for(timeout=TIMEOUT_MS)
    page.wait_for_url("**lang=en**", timeout=TIMEOUT_MS)
    page.wait_for_function("() => document.documentElement.lang === 'en'", timeout=TIMEOUT_MS)
    page.get_by_role("heading", name="List").wait_for(timeout=TIMEOUT_MS)
    assert page.get_by_role("heading", name="一覧").count() == 0

    expected = [english for japanese, english in ENGLISH_CATEGORIES.items() if japanese in _categories_shown(site["copy"])]
    assert expected, "the published demo should have salons, exercise groups or clubs"
    rows = page.locator(".st-key-tsudoi_rows button")
    rows.first.wait_for(timeout=TIMEOUT_MS)
    listed = " ".join(rows.all_inner_texts())
    for english in expected:
        assert english in listed  # list rows: name as given, its reading, then the English category
    legend = page.get_by_test_id("tsudoi-legend").inner_text()
    assert all(english in legend for english in expected) and "サロン" not in legend
    tooltips = _tooltips(_map_frame(page))
    assert any(t.endswith("(Social salon)") for t in tooltips) and not [t for t in tooltips if "（サロン）" in t]

    page.get_by_role("button", name="Filters").click()  # the filter panel speaks English too
    page.get_by_text("How often").wait_for(timeout=TIMEOUT_MS)
    page.get_by_text("At least once a month").wait_for(timeout=TIMEOUT_MS)

    page.reload()  # the URL keeps the language: a shared link opens in English, from the first byte
    page.get_by_role("heading", name="Community places map").wait_for(timeout=TIMEOUT_MS)
    assert page.evaluate("() => document.documentElement.lang") == "en"
    assert "lang=en" in page.url
    assert all("cyberjapandata.gsi.go.jp" in url for url in page.blocked_urls), page.blocked_urls
