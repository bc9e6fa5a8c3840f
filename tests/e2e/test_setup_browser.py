"""まちの設定 in Chromium, on an empty store: an admin registers 新座市 with the bundled outline, uploads
the Geolonia 町丁目 file and sees 82 町丁目 on the map, uploads a population table with one misspelt
地域名, fixes it in the name-match report by choosing the closest town, and the checklist ticks.

This server has its own empty store (only the admin), so nothing here touches the demo store of the
other browser tests. Every wait is for a condition (text, element, map state), never a fixed sleep.
Screenshots (1920×1080) go to the test's tmp folder; ``TSUDOI_SCREENSHOTS=DIR`` copies them there too.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import unicodedata
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

from dashboard.auth import add_user
from dashboard.store.engine import open_store
from tests.e2e.conftest import Server

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
GEOLONIA = REPO / "data" / "niiza" / "raw" / "geolonia_japanese-addresses_新座市.json"
AGES = REPO / "tests" / "data" / "niiza" / "niiza_age_by_town_SYNTHETIC.csv"
AREAS = REPO / "tests" / "data" / "niiza" / "niiza_areas_SYNTHETIC.csv"
SHELTERS = [REPO / "data" / "niiza" / "raw" / f"gsi_shelter_{kind}_112305.json" for kind in ("evacuation", "emergency")]
ADMIN, PASSWORD = "kanri", "kanri-pass"
MISSPELT, CORRECT = "あたご３丁日", "あたご３丁目"  # 日 typed for 目
TIMEOUT_MS = 60_000
MAP = "iframe[title='streamlit_folium.st_folium']"


@pytest.fixture(scope="module")
def empty_store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("setup_e2e") / "store.sqlite"
    engine = open_store(f"sqlite:///{path}")
    try:
        add_user(engine, ADMIN, PASSWORD, "admin")
    finally:
        engine.dispose()
    return path


@pytest.fixture(scope="module")
def server(empty_store, chromium_path, tmp_path_factory):
    srv = Server(empty_store, tmp_path_factory.mktemp("setup_logs") / "streamlit.log")
    yield srv
    srv.stop()


def _shot(page, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path))
    target = os.environ.get("TSUDOI_SCREENSHOTS")
    if target:
        shutil.copy(path, Path(target) / path.name)
    return path


def _uploader(page, label: str):
    return page.get_by_test_id("stFileUploader").filter(has_text=label).locator("input[type=file]")


def _checklist(page) -> str:
    return page.get_by_test_id("stMarkdown").filter(has_text="市町村の境界").first.inner_text()


def _metric(page, label: str):
    return page.get_by_test_id("stMetric").filter(has_text=label).get_by_test_id("stMetricValue")


def _wait_enabled(page, label: str) -> None:
    page.wait_for_function("label => Array.from(document.querySelectorAll('button'))"
                           ".some(b => b.innerText.trim() === label && !b.disabled)", arg=label, timeout=TIMEOUT_MS)


#: The preview map has settled: no page run going, one map frame, its Leaflet map loaded. There is no
#: internet here, so a map first drawn with the 地理院 tiles reports them failed and is drawn anew
#: without them (dashboard/ui/map_view.py) — for a moment the old and the new frame are both there.
SETTLED = """sel => {
    if (document.querySelector('[data-testid=stApp]')?.dataset.testScriptState !== 'notRunning'
        || document.querySelector('[data-stale=true]')) return false;  // a page run still going
    const frames = [...document.querySelectorAll(sel)].filter((f) => f.getBoundingClientRect().width > 0);
    if (frames.length !== 1) return false;
    const w = frames[0].contentWindow;
    return !!(w && w.map && w.map._loaded);
}"""


def _map_frame(page):
    for attempt in range(3):  # a fragment rerun may still replace the frame just found: look again (bounded)
        page.wait_for_function(SETTLED, arg=MAP, timeout=TIMEOUT_MS)
        try:
            handle = next(h for h in page.locator(MAP).element_handles()
                          if (h.bounding_box() or {}).get("width", 0) > 0)
            handle.scroll_into_view_if_needed()
            frame = handle.content_frame()
            frame.locator(".leaflet-container").wait_for(timeout=TIMEOUT_MS)
            return frame
        except (StopIteration, PlaywrightError):
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _wait_markers(frame, count: int) -> None:
    frame.wait_for_function("n => window.map && Object.values(window.map._layers)"
                            ".filter(l => l instanceof L.CircleMarker).length === n", arg=count, timeout=TIMEOUT_MS)


def _misspelt_table(tmp_path: Path) -> Path:
    text = AGES.read_text(encoding="utf-8-sig")
    assert text.count(f",{CORRECT},") == 1
    path = tmp_path / "新座市_地域別人口_誤記あり.csv"
    path.write_text(text.replace(f",{CORRECT},", f",{MISSPELT},"), encoding="utf-8-sig")
    return path


def _sql(store: Path, query: str):
    with sqlite3.connect(store) as connection:
        return connection.execute(query).fetchall()


def test_admin_sets_up_niiza_and_fixes_a_misspelt_name(server, page, empty_store, tmp_path):
    page.set_viewport_size({"width": 1920, "height": 1080})
    # tests.e2e.conftest.log_in waits for the sidebar's 「ログイン中」, which an empty store has no sidebar for
    page.goto(f"{server.url}/login")
    page.get_by_label("ユーザー名").fill(ADMIN)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.get_by_text(f"{ADMIN} としてログインしています。").wait_for(timeout=TIMEOUT_MS)
    page.get_by_role("link", name="まちの設定").first.click()
    page.get_by_text("まだ市町村が登録されていません").wait_for(timeout=TIMEOUT_MS)

    # 1. 新座市 with the bundled 埼玉県 outline (the default choice)
    page.get_by_label("市町村コード").fill("11230")
    page.get_by_label("市町村コード").press("Enter")
    page.get_by_role("button", name="登録する").click()
    page.get_by_text("市町村を登録しました。次は町丁目です。").wait_for(timeout=TIMEOUT_MS)
    page.get_by_text("登録済み：埼玉県新座市（11230）").wait_for(timeout=TIMEOUT_MS)
    assert "✔ 市町村の境界" in _checklist(page)
    assert "□ 町丁目" in _checklist(page)

    # 2. 町丁目 from the Geolonia file: 82 points on the map
    towns = len({entry["town"] for entry in json.loads(GEOLONIA.read_text(encoding="utf-8"))})
    assert towns == 82
    _map_frame(page)  # the outline's map settled (its tiles fail offline and it is drawn anew): a click now counts
    _uploader(page, "町丁目のファイル").set_input_files(str(GEOLONIA))
    _wait_enabled(page, "町丁目を取り込む")
    page.get_by_role("button", name="町丁目を取り込む").click()
    page.get_by_text("町丁目を取り込みました。次は人口です。").wait_for(timeout=TIMEOUT_MS)
    assert _metric(page, "町丁目").inner_text() == f"{towns} 件"
    assert f"✔ 町丁目：{towns} 件（代表点のみ）" in _checklist(page)
    frame = _map_frame(page)
    _wait_markers(frame, towns)  # the town points, drawn as circle markers on the map's canvas
    frame.wait_for_function("() => window.map.getSize().x > 0 && window.map.getZoom() >= 11", timeout=TIMEOUT_MS)
    page.locator(MAP).scroll_into_view_if_needed()
    _shot(page, tmp_path, "setup_towns_map")

    # 3. population with one misspelt 地域名: the report asks, the import waits for the answer
    table = _misspelt_table(tmp_path)
    row = next(n for n, line in enumerate(table.read_text(encoding="utf-8-sig").splitlines(), 1) if MISSPELT in line)
    _uploader(page, "人口のファイル").set_input_files(str(table))
    page.get_by_text("登録されている町丁目にない地域名が 1 件あります").wait_for(timeout=TIMEOUT_MS)
    shown = unicodedata.normalize("NFKC", MISSPELT)
    page.get_by_test_id("stMarkdown").filter(has_text=re.compile(f"^{shown}$")).wait_for(timeout=TIMEOUT_MS)
    go = page.get_by_role("button", name="人口を取り込む")
    assert go.is_disabled()
    right = unicodedata.normalize("NFKC", CORRECT)  # the store writes あたご3丁目
    choice = page.get_by_role("combobox", name=f"「{shown}」（{row}行目）")
    assert choice.input_value() == "（選んでください）"
    choice.scroll_into_view_if_needed()
    _shot(page, tmp_path, "setup_name_report")
    choice.click()
    page.get_by_role("option", name=f"{right}（近い町丁目）").click()
    page.get_by_text("人口の時点を入れると取り込めます").wait_for(timeout=TIMEOUT_MS)  # the name is decided …
    page.get_by_text("すべての名前について選ぶと取り込めます").wait_for(state="detached", timeout=TIMEOUT_MS)
    assert go.is_disabled()  # still: the date of the figures is missing
    # a date field of year/month/day segments: typing the digits moves from one segment to the next
    page.get_by_role("spinbutton", name="year, 人口の時点（各ページと地域カルテに表示します）").click()
    page.keyboard.type("20220101")
    page.keyboard.press("Escape")  # close the calendar that opened
    page.get_by_role("heading", name="3. 人口").click()  # leave the field: the date is sent
    _wait_enabled(page, "人口を取り込む")
    assert _sql(empty_store, "select count(*) from towns where est_pop65 is not null") == [(0,)]
    go.click()
    page.get_by_text("人口を取り込みました。次は日常生活圏域です。").wait_for(timeout=TIMEOUT_MS)

    # the checklist ticks, with the city's real 65+ total (住民基本台帳 2022: 42,803)
    assert _metric(page, "65歳以上").inner_text() == "42,803 人"
    checklist = _checklist(page)
    assert "✔ 人口（65歳以上・75歳以上）：65歳以上 42,803 人（2022-01-01）" in checklist
    assert "✔ 町丁目" in checklist and "□ 日常生活圏域" in checklist
    assert _sql(empty_store, "select round(sum(est_pop65)) from towns") == [(42_803,)]
    assert _sql(empty_store, "select count(*) from towns where name = 'あたご3丁目' and est_pop65 > 0") == [(1,)]
    _map_frame(page)
    page.locator(MAP).scroll_into_view_if_needed()
    _shot(page, tmp_path, "setup_population_done")

    # 4.–5. the デモ用の仮の圏域 and both GSI shelter files at once, for the finished picture
    _uploader(page, "日常生活圏域のファイル").set_input_files(str(AREAS))
    page.get_by_text("デモ用の仮の圏域として登録する").click()
    _wait_enabled(page, "日常生活圏域を取り込む")
    page.get_by_role("button", name="日常生活圏域を取り込む").click()
    page.get_by_text("日常生活圏域を取り込みました。").wait_for(timeout=TIMEOUT_MS)
    _uploader(page, "候補会場のファイル").set_input_files([str(p) for p in SHELTERS])
    _wait_enabled(page, "候補会場を取り込む")
    page.get_by_role("button", name="候補会場を取り込む").click()
    page.get_by_text("候補会場を取り込みました。").wait_for(timeout=TIMEOUT_MS)
    venues = _sql(empty_store, "select count(*) from candidate_venues")[0][0]
    assert venues > 0 and _metric(page, "候補会場").inner_text() == f"{venues} 件"
    checklist = _checklist(page)
    assert "✔ 日常生活圏域：7 圏域（デモ用の仮の圏域）" in checklist and f"✔ 候補会場（次のサロンの候補）：{venues} 件" in checklist

    # a new visit (the login stays): the overview has the map right under the checklist
    page.goto(f"{server.url}/setup")
    page.get_by_text("設定の状況").wait_for(timeout=TIMEOUT_MS)
    frame = _map_frame(page)
    _wait_markers(frame, towns + venues)
    page.get_by_role("heading", name="まちの設定").scroll_into_view_if_needed()
    _shot(page, tmp_path, "setup")

    # nothing left the machine: every request went to the local server
    assert not [u for u in page.blocked_urls if "cyberjapandata" not in u and "openstreetmap" not in u]
    assert page.dialogs == []
