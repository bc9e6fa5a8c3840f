"""The one-file offline map in Chromium, opened from file:// with every network request refused.

Expected counts are worked out from the store with sqlite3 and our own kana folding
(tests/dashboard/public_store.py), not from the exporter.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dashboard.cli import main
from tests.dashboard.public_store import HOSTILE_NAME, WARABI, kana_key, plant, public_rows


@pytest.fixture(scope="module")
def planted(demo_db_path, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("pubmap") / "store.sqlite"
    shutil.copy(demo_db_path, path)
    plant(path)
    return path


@pytest.fixture(scope="module")
def html_file(planted, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("html") / "map.html"
    assert main(["--db", str(planted), "export", "public-map", "--out", str(out), "--municipality", WARABI]) == 0
    return out


def open_offline(browser, html: Path, width: int = 1280, height: int = 720):
    """A page at file://…/map.html in a context that refuses every request except that file;
    ``page.blocked_urls`` lists what was refused, ``page.dialogs`` any alert (an XSS would open one)."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="ja-JP")
    page = context.new_page()
    page.blocked_urls, page.dialogs, page.errors = [], [], []
    target = html.as_uri()

    def route(request_route):
        if request_route.request.url == target:
            request_route.continue_()
        else:
            page.blocked_urls.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(target)
    page.wait_for_selector("body.ready")
    return page


@pytest.fixture
def page(browser, html_file):
    page = open_offline(browser, html_file)
    yield page
    assert page.blocked_urls == [] and page.errors == [] and page.dialogs == []
    page.context.close()


def located_public(db: Path) -> list[dict]:
    return [r for r in public_rows(db) if r["lat"] is not None and r["lon"] is not None]


def results(page) -> int:
    return page.locator("#results li").count()


def expect_results(page, n: int) -> None:
    page.wait_for_function("n => document.querySelectorAll('#results li').length === n", arg=n)


def test_markers_and_list_render_offline(page, planted):
    expected = len(located_public(planted))
    assert page.locator(".leaflet-container").count() == 1
    assert page.locator(".tm-marker").count() == expected
    assert results(page) == len(public_rows(planted))
    assert page.locator("path.leaflet-interactive, svg path").count() >= 2  # outline and areas drawn
    assert "蕨市" in page.title()


def test_search_folds_kana_and_finds_kanji(page, planted):
    rows = public_rows(planted)
    # 「たいそう」: names or ふりがな holding たいそう in any kana or width, or the kanji 体操
    by_kana = [r for r in rows if "たいそう" in kana_key(r["name"]) + "|" + kana_key(r["name_kana"])
               or "体操" in r["name"]]
    assert {"plant-kana-1", "plant-kana-2"} <= {r["id"] for r in by_kana}
    page.get_by_label("名前・住所で探す").fill("たいそう")
    expect_results(page, len(by_kana))
    page.get_by_label("名前・住所で探す").fill("ﾀｲｿｳ")  # half-width katakana typed
    expect_results(page, len(by_kana))
    by_kanji = [r for r in rows if "公民館" in (r["name"] or "") + (r["address"] or "")]
    page.get_by_label("名前・住所で探す").fill("公民館")
    expect_results(page, len(by_kanji))
    assert page.locator(".tm-marker").count() == len([r for r in by_kanji if r["lat"] is not None])
    page.get_by_label("名前・住所で探す").fill("")
    expect_results(page, len(rows))


def test_category_and_weekday_filters(page, planted):
    rows = public_rows(planted)
    page.locator("#cats label", has_text="通いの場（体操）").click()
    exercise = [r for r in rows if r["category"] == "通いの場（体操）"]
    expect_results(page, len(exercise))
    page.locator("#days label[data-day=TU]").click()
    tuesday = [r for r in exercise if r["rrule"] and "TU" in r["rrule"].split("BYDAY=")[-1]]
    expect_results(page, len(tuesday))
    page.get_by_role("button", name="条件をクリア").click()
    expect_results(page, len(rows))


def test_language_switch_changes_every_label(page):
    page.get_by_role("button", name="English").click()
    page.get_by_label("Search by name or address").wait_for()
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("#cats label", has_text="Social salon").count() == 1
    assert page.get_by_role("button", name="Clear filters").count() == 1
    assert page.locator("#count").inner_text().endswith("places")
    page.get_by_role("button", name="やさしい日本語").click()
    page.locator("#cats ruby", has_text="体操").first.wait_for()  # ふりがな as <ruby>
    assert page.locator("#cats label", has_text="たいそう").count() >= 1
    page.get_by_role("button", name="日本語", exact=True).click()
    page.get_by_label("名前・住所で探す").wait_for()


def test_details_from_the_list_by_keyboard(page, planted):
    page.get_by_label("名前・住所で探す").fill("ひまわり")
    expect_results(page, 1)
    page.locator("#results button").first.focus()
    page.keyboard.press("Enter")
    details = page.locator("#details")
    details.wait_for(state="visible")
    assert page.locator("#details-title").inner_text() == "ひまわりタイソウクラブ"
    assert details.locator("a[href='tel:0480-00-1234']").count() == 1
    assert "毎週火曜 10:00〜11:00" in details.inner_text()
    page.keyboard.press("Escape")
    details.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.dataset.id") == "plant-kana-1"  # focus back on the row


def test_hostile_place_is_inert(page):
    page.get_by_label("名前・住所で探す").fill("xss-name")
    expect_results(page, 1)
    page.locator("#results button").first.click()
    page.locator("#details").wait_for(state="visible")
    assert page.locator("#details-title").inner_text() == HOSTILE_NAME
    page.get_by_role("button", name="English").click()  # re-rendered in another language: still text
    page.get_by_role("button", name="やさしい日本語").click()
    assert page.evaluate("document.querySelectorAll('img[src=\"x\"], [onerror], [onload], b').length") == 0
    assert page.locator("#details a[href^=javascript]").count() == 0
    assert page.evaluate("document.querySelectorAll('script').length") == 3  # data, Leaflet, page


def test_large_text_switch(page):
    before = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.place-name')).fontSize)")
    page.get_by_role("button", name="文字を大きく").click()
    page.wait_for_function("document.documentElement.classList.contains('large')")
    after = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.place-name')).fontSize)")
    assert after >= before * 1.3
    assert page.get_by_role("button", name="文字を大きく").get_attribute("aria-pressed") == "true"


def test_phone_list_view_works_without_the_map(browser, html_file):
    page = open_offline(browser, html_file, 390, 844)
    try:
        page.get_by_role("button", name="一覧").click()
        page.locator("#list").wait_for(state="visible")
        assert page.locator(".mapwrap").is_hidden()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
        assert page.locator("#results li").count() > 0
    finally:
        page.context.close()


def test_gsi_tiles_fail_gracefully_offline(browser, planted, tmp_path):
    out = tmp_path / "tiles.html"
    assert main(["--db", str(planted), "export", "public-map", "--out", str(out), "--tiles", "gsi"]) == 0
    page = open_offline(browser, out)
    try:
        page.locator("#tile-notice").wait_for(state="visible")  # tiles refused → the notice, map still there
        assert page.blocked_urls and all("cyberjapandata.gsi.go.jp" in u for u in page.blocked_urls)
        assert page.locator(".tm-marker").count() > 0
        page.get_by_label("背景地図（国土地理院）").uncheck()
        page.locator("#tile-notice").wait_for(state="hidden")
    finally:
        page.context.close()
