"""The public site (``TSUDOI_MODE=public``, #12) in Chromium with every non-localhost request blocked.

The server is the real ``streamlit run dashboard/app.py`` on a published copy of a store in which
internal-only values were planted (:mod:`tests.dashboard.leak_canaries`). Its ``DATABASE_URL`` points
at that internal store, as a careless set-up might: public mode must ignore it.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import time

import pytest

from dashboard.cli import main
from tests.dashboard.leak_canaries import CANARY, PLANTED, PUBLIC_PLACE_ID, plant
from tests.dashboard.test_onboarding import copy_store
from tests.e2e.conftest import REPO_ROOT, Server, _free_port

pytestmark = pytest.mark.browser

NOT_PUBLIC = "このサイトでは公開していません"
#: Every coordinators' URL (dashboard.ui.navigation.INTERNAL_PATHS) and the login, spelled out here.
INTERNAL_URLS = ("coverage", "prefecture", "survey", "council", "records", "data", "setup", "login")
TIMEOUT_MS = 60_000


class PublicServer(Server):
    """:class:`tests.e2e.conftest.Server` with the environment of a public server."""

    def __init__(self, env: dict, log_path):
        self.port = _free_port()
        self.url = f"http://localhost:{self.port}"
        self._log = open(log_path, "w")
        self.process = subprocess.Popen(_command(self.port), cwd=REPO_ROOT, env=env, stdout=self._log,
                                        stderr=subprocess.STDOUT)
        self._wait_healthy(timeout_s=90)


def _command(port: int) -> list[str]:
    return [sys.executable, "-m", "streamlit", "run", "dashboard/app.py", "--server.port", str(port),
            "--server.headless", "true", "--server.fileWatcherType", "none"]


def _public_env(store, internal_db) -> dict:
    return dict(os.environ, TSUDOI_MODE="public", TSUDOI_PUBLIC_STORE=str(store),
                DATABASE_URL=f"sqlite:///{internal_db}")


@pytest.fixture(scope="module")
def site(demo_db_path, tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("public_site")
    internal = copy_store(demo_db_path, folder / "internal.sqlite")
    plant(internal, folder, second_city=False)
    assert main(["--db", str(internal), "publish", "--out", str(folder / "site")]) == 0
    copy = folder / "site" / "tsudoi-public.sqlite"
    return {"internal": internal, "dir": folder / "site", "copy": copy,
            "sha256": hashlib.sha256(copy.read_bytes()).hexdigest()}


@pytest.fixture(scope="module")
def public_server(site, chromium_path, tmp_path_factory):
    srv = PublicServer(_public_env(site["dir"], site["internal"]), tmp_path_factory.mktemp("public_logs") / "log")
    yield srv
    srv.stop()


def _count(db, sql: str, *params) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        return connection.execute(sql, params).fetchone()[0]


def _map_frame(page):
    page.wait_for_selector("iframe[title='streamlit_folium.st_folium']", timeout=TIMEOUT_MS)
    frame = page.frame_locator("iframe[title='streamlit_folium.st_folium']")
    frame.locator(".leaflet-container").wait_for(timeout=TIMEOUT_MS)
    return next(f for f in page.frames if "streamlit_folium" in f.url)


def _tooltips(frame) -> list[str]:
    # canvas markers are not DOM nodes: read them in Leaflet itself (window.map is streamlit-folium's)
    frame.wait_for_function("() => window.map && Object.keys(window.map._layers).length > 10", timeout=TIMEOUT_MS)
    return frame.evaluate("() => Object.values(window.map._layers)"
                          ".filter(l => l instanceof L.CircleMarker && l.getTooltip()).map(l => l.getTooltip().getContent())")


@pytest.mark.parametrize("path", INTERNAL_URLS)
def test_every_internal_page_by_deep_link_says_it_is_not_published_here(public_server, page, path):
    page.goto(f"{public_server.url}/{path}")
    page.get_by_role("heading", name=NOT_PUBLIC).wait_for(timeout=TIMEOUT_MS)
    page.get_by_role("link", name="資源マップを開く").wait_for(timeout=TIMEOUT_MS)  # the page has finished
    assert page.get_by_label("ユーザー名").count() == 0 and page.get_by_label("パスワード").count() == 0
    assert page.get_by_role("button", name="ログイン").count() == 0
    assert CANARY not in page.content()
    assert page.dialogs == []


def test_the_menu_offers_the_public_pages_only(public_server, page):
    page.goto(f"{public_server.url}/about")
    page.get_by_role("heading", name="つどいマップについて").wait_for(timeout=TIMEOUT_MS)
    links = page.locator("[data-testid='stSidebarNav'] a")
    links.first.wait_for(timeout=TIMEOUT_MS)
    # each link's text is its icon's ligature name, then its title
    assert sorted(text.split("\n")[-1] for text in links.all_inner_texts()) == sorted(["資源マップ", "つどいマップについて"])
    assert page.get_by_text("ログイン").count() == 0


def test_the_map_shows_the_published_places_and_nothing_internal(public_server, page, site):
    page.goto(f"{public_server.url}/")
    frame = _map_frame(page)
    tooltips = _tooltips(frame)
    # the public map shows active places; counted in the coordinators' store, independently of publish
    expected = _count(site["internal"], "SELECT count(*) FROM places WHERE visibility = 'public' AND status = 'active'")
    assert len(tooltips) == expected
    assert not [t for t in tooltips if CANARY in t]
    assert page.get_by_text(f"{expected} 件").is_visible()
    assert all("cyberjapandata.gsi.go.jp" in url for url in page.blocked_urls), page.blocked_urls
    assert CANARY not in page.content()


def test_a_public_place_shows_its_public_fields_but_never_its_internal_ones(public_server, page):
    page.goto(f"{public_server.url}/map?place={PUBLIC_PLACE_ID}")
    page.get_by_role("heading", name="みんなのサロン（公開）").wait_for(timeout=TIMEOUT_MS)
    page.get_by_text("048-431-0000").first.wait_for(timeout=TIMEOUT_MS)
    content = page.content()
    assert PLANTED["public place, internal contact"] not in content and PLANTED["public place, notes"] not in content
    assert CANARY not in content


def test_the_served_store_holds_no_internal_rows_and_is_never_written(public_server, page, site):
    page.goto(f"{public_server.url}/")
    _map_frame(page)
    for table in ("survey_batches", "survey_responses", "helper_responses", "users", "login_sessions", "audit_log",
                  "snapshots", "app_secrets"):
        assert _count(site["copy"], f"SELECT count(*) FROM {table}") == 0, table
    assert _count(site["internal"], "SELECT count(*) FROM survey_responses") > 0  # it was there to leak
    # opened read-only and immutable: the file is byte for byte what publish wrote, with no journal beside it
    assert hashlib.sha256(site["copy"].read_bytes()).hexdigest() == site["sha256"]
    assert sorted(p.name for p in site["dir"].iterdir()) == ["tsudoi-public.sqlite"]


#: A phone (WCAG 2.5.5 and the platforms' guides: 44 px targets; 16 px text so nothing needs zooming).
PHONE = {"width": 390, "height": 844}
TARGET_PX, TEXT_PX = 44, 16
#: dashboard.ui.document's phone rules are on the page (``st.html`` styles mount after the run ends).
PHONE_STYLE_MOUNTED = ("() => [...document.querySelectorAll('style')].some(s => s.textContent.includes("
                       "'.st-key-tsudoi_lang_widget [data-testid=\"stRadioOption\"]'))")
#: The menu has slid in (it animates from x = -width).
MENU_OPEN = ("() => { const r = document.querySelector('[data-testid=stSidebar]')?.getBoundingClientRect();"
             " return !!r && r.x === 0 && r.width > 200; }")
MENU_CLOSED = ("() => { const s = document.querySelector('[data-testid=stSidebar]');"
               " return !s || s.dataset.collapsed === 'true' || s.getBoundingClientRect().right <= 0; }")


def _heights_and_text(locator) -> list[tuple[float, float]]:
    """``(height px, font size px of its text)`` of every element ``locator`` finds."""
    return locator.evaluate_all("els => els.map(e => [e.getBoundingClientRect().height,"
                                " parseFloat(getComputedStyle(e.querySelector('p') || e).fontSize)])")


@pytest.mark.parametrize("lang", ["easy", "en"])
def test_on_a_phone_every_control_is_44_px_and_text_16_px_and_the_menu_closes_after_a_page_is_chosen(
        public_server, browser, lang):
    context = browser.new_context(viewport=PHONE, locale="ja-JP", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
        ("http://localhost", "http://127.0.0.1")) else route.abort())
    try:
        page.goto(f"{public_server.url}/map?lang={lang}")
        page.locator(".st-key-tsudoi_text input").wait_for(timeout=TIMEOUT_MS)
        page.wait_for_function(PHONE_STYLE_MOUNTED, timeout=TIMEOUT_MS)
        options = _heights_and_text(page.locator(".st-key-tsudoi_lang_widget [data-testid=stRadioOption]"))
        assert len(options) == 3 and all(h >= TARGET_PX and px >= TEXT_PX for h, px in options), options
        search = page.locator(".st-key-tsudoi_text input").bounding_box()
        assert search["height"] >= TARGET_PX, search

        page.locator("[data-testid=stExpandSidebarButton]").click()
        page.wait_for_function(MENU_OPEN, timeout=TIMEOUT_MS)
        links = _heights_and_text(page.locator("[data-testid=stSidebarNavLink]"))
        assert len(links) == 2 and all(h >= TARGET_PX and px >= TEXT_PX for h, px in links), links
        notes = _heights_and_text(page.locator("[data-testid=stSidebar] [data-testid=stCaptionContainer]"))
        assert notes and all(px >= TEXT_PX for _, px in notes), notes  # the demo note among them
        close = page.locator("[data-testid=stSidebarCollapseButton] button").bounding_box()
        assert close["height"] >= TARGET_PX and close["width"] >= TARGET_PX, close

        page.locator("[data-testid=stSidebarNavLink]").nth(1).click()  # the about page
        page.wait_for_url("**/about?lang=" + lang, timeout=TIMEOUT_MS)
        page.locator("[data-testid=stMain] h1").wait_for(timeout=TIMEOUT_MS)
        page.wait_for_function(MENU_CLOSED, timeout=TIMEOUT_MS)  # not left open over the page just chosen
        assert page.locator("[data-testid=stExpandSidebarButton]").is_visible()
    finally:
        context.close()


def _refused(env: dict, log_path) -> tuple[int, str]:
    """Start a server that must refuse: its exit status and output (it must never answer)."""
    with open(log_path, "w") as log:
        process = subprocess.Popen(_command(_free_port()), cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            code = process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
            raise AssertionError(f"the server started: {log_path.read_text()}") from None
    return code, log_path.read_text()


def test_it_refuses_to_start_on_the_coordinators_store(site, tmp_path):
    started = time.monotonic()
    code, output = _refused(_public_env(site["internal"], site["internal"]), tmp_path / "log")
    assert code == 2, output
    assert "公開モードでは起動できません" in output and "公開用のコピーではありません" in output
    assert time.monotonic() - started < 90


def test_it_refuses_to_start_without_a_published_copy_or_with_an_unknown_mode(site, tmp_path):
    code, output = _refused(_public_env(tmp_path / "missing", site["internal"]), tmp_path / "missing.log")
    assert code == 2 and "公開用のデータ" in output, output
    env = dict(_public_env(site["dir"], site["internal"]), TSUDOI_MODE="publc")
    code, output = _refused(env, tmp_path / "mode.log")
    assert code == 2 and "TSUDOI_MODE='publc' は使えません" in output, output
