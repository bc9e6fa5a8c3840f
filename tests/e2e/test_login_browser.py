"""Logins that behave like a web app, in Chromium: the login lives in an HttpOnly cookie backed by a
server-side session, so a reload, a deep link and a second tab keep it; logging out or disabling the
user ends it everywhere; a forged, stolen-after-logout or expired cookie is refused.

These tests run their own server on their own copy of the demo store (sessions are rows in it), and
each logs in as its own user, so logging out or disabling one touches nothing else.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
import urllib.error
import urllib.request

import pytest

from dashboard.auth import add_user, disable_user
from dashboard.store.engine import open_store
from dashboard.websession import COOKIE_NAME, SESSION_LIFETIME, start
from tests.e2e.conftest import Server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def e2e_store(demo_db_path, tmp_path_factory):
    path = tmp_path_factory.mktemp("login_e2e") / "store.sqlite"
    shutil.copy(demo_db_path, path)
    return path


@pytest.fixture(scope="module")
def server(e2e_store, chromium_path, tmp_path_factory):
    srv = Server(e2e_store, tmp_path_factory.mktemp("login_logs") / "streamlit.log")
    yield srv
    srv.stop()

PASSWORD = "pass-1234"
TIMEOUT_MS = 30_000


def _new_user(e2e_store, name: str) -> str:
    engine = open_store(f"sqlite:///{e2e_store}")
    try:
        add_user(engine, name, PASSWORD, "coordinator")
    finally:
        engine.dispose()
    return name


def _log_in(page, server, name: str) -> dict:
    """Log in through the form and wait until the browser has stored the login cookie; return it."""
    page.goto(f"{server.url}/login")
    page.get_by_label("ユーザー名").fill(name)
    page.get_by_label("パスワード").fill(PASSWORD)
    with page.expect_response(lambda r: "/tsudoi/session/start" in r.url, timeout=TIMEOUT_MS) as handoff:
        page.get_by_role("button", name="ログイン").click()
    assert handoff.value.status == 200
    page.get_by_text(f"ログイン中：{name}").wait_for(timeout=TIMEOUT_MS)
    cookie = _cookie(page.context)
    assert cookie is not None, "the handoff frame answered but no login cookie was stored"
    return cookie


def _cookie(context) -> dict | None:
    return next((c for c in context.cookies() if c["name"] == COOKIE_NAME), None)


def _shows_login_form(page) -> None:
    page.get_by_label("パスワード").wait_for(timeout=TIMEOUT_MS)
    assert page.get_by_text("ログイン中：").count() == 0


def _is_anonymous(page) -> None:
    """The menu offers ログイン (only anonymous visitors have it)."""
    page.get_by_role("link", name="ログイン", exact=True).first.wait_for(timeout=TIMEOUT_MS)
    # the previous run's sidebar may still be on screen until this run has finished drawing it
    page.get_by_text("ログイン中：").first.wait_for(state="detached", timeout=TIMEOUT_MS)


def _shows_coverage(page, name: str) -> None:
    page.get_by_role("heading", name="圏域カバー状況").wait_for(timeout=TIMEOUT_MS)
    page.get_by_text(f"ログイン中：{name}").wait_for(timeout=TIMEOUT_MS)
    assert page.get_by_label("パスワード").count() == 0


def test_the_cookie_is_httponly_strict_and_expires_with_the_session(server, page, e2e_store):
    name = _new_user(e2e_store, "cookie-check")
    before = time.time()
    cookie = _log_in(page, server, name)
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    assert cookie["path"] == "/"
    lifetime_s = SESSION_LIFETIME.total_seconds()
    assert before + lifetime_s - 60 <= cookie["expires"] <= time.time() + lifetime_s + 60
    assert page.evaluate("document.cookie").find(COOKIE_NAME) == -1  # scripts cannot read it


def test_a_reload_a_deep_link_and_a_second_tab_keep_the_login(server, page, e2e_store):
    name = _new_user(e2e_store, "reload-check")
    _log_in(page, server, name)
    page.reload()
    page.get_by_text(f"ログイン中：{name}").wait_for(timeout=TIMEOUT_MS)
    page.goto(f"{server.url}/coverage")  # a bookmark of an internal page
    _shows_coverage(page, name)
    second = page.context.new_page()
    second.goto(f"{server.url}/coverage")
    _shows_coverage(second, name)


def test_logout_ends_the_login_in_every_tab_and_for_a_copied_cookie(server, page, browser, e2e_store):
    name = _new_user(e2e_store, "logout-check")
    cookie = _log_in(page, server, name)
    second = page.context.new_page()
    second.goto(f"{server.url}/coverage")
    _shows_coverage(second, name)

    with page.expect_response(lambda r: "/tsudoi/session/end" in r.url, timeout=TIMEOUT_MS):
        page.get_by_role("button", name="ログアウト").click()
    assert _cookie(page.context) is None  # deleted from the browser
    second.reload()
    _shows_login_form(second)  # /coverage is the login page again

    thief = browser.new_context()  # a copy of the cookie taken before logout is worth nothing now
    try:
        thief.add_cookies([cookie])
        stolen = thief.new_page()
        stolen.goto(f"{server.url}/coverage")
        _shows_login_form(stolen)
    finally:
        thief.close()


def test_the_other_tab_is_logged_out_at_its_next_page_run_without_a_reload(server, page, e2e_store):
    name = _new_user(e2e_store, "other-tab-check")
    _log_in(page, server, name)
    second = page.context.new_page()
    second.goto(f"{server.url}/coverage")
    _shows_coverage(second, name)
    page.get_by_role("button", name="ログアウト").click()
    _is_anonymous(page)
    second.get_by_role("link", name="資源マップ").first.click()  # any page run of the open tab
    _is_anonymous(second)


def test_disabling_the_user_ends_the_session_at_once(server, page, e2e_store):
    name = _new_user(e2e_store, "disable-check")
    _log_in(page, server, name)
    page.goto(f"{server.url}/coverage")
    _shows_coverage(page, name)
    engine = open_store(f"sqlite:///{e2e_store}")
    try:
        disable_user(engine, name)
    finally:
        engine.dispose()
    page.get_by_role("link", name="資源マップ").first.click()  # the open tab, next page run
    _is_anonymous(page)
    page.goto(f"{server.url}/coverage")  # and a reload with the cookie
    _shows_login_form(page)


def test_a_forged_cookie_is_refused_and_deleted(server, page, e2e_store):
    name = _new_user(e2e_store, "forge-check")
    real = _log_in(page, server, name)
    forged_context = page.context.browser.new_context()
    try:
        body, signature = real["value"].rsplit(".", 1)
        tampered = body + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
        forged_context.add_cookies([dict(real, value=tampered)])
        forged = forged_context.new_page()
        with forged.expect_response(lambda r: "/tsudoi/session/end" in r.url, timeout=TIMEOUT_MS):
            forged.goto(f"{server.url}/coverage")
        _shows_login_form(forged)
        assert _cookie(forged_context) is None
    finally:
        forged_context.close()


def test_an_expired_session_is_refused(server, page, e2e_store):
    name = _new_user(e2e_store, "expiry-check")
    _log_in(page, server, name)
    with sqlite3.connect(e2e_store) as db:  # the session's time has run out (as after 8 hours)
        db.execute("update login_sessions set expires_at = '2000-01-01 00:00:00.000000' where user_name = ?",
                   (name,))
    page.reload()
    _is_anonymous(page)
    page.goto(f"{server.url}/coverage")
    _shows_login_form(page)


def test_login_is_kept_on_a_phone_too(server, browser, e2e_store):
    """On a 390 px screen the sidebar (where the hidden frame sits) starts collapsed."""
    name = _new_user(e2e_store, "phone-check")
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP", is_mobile=True,
                                  has_touch=True)
    try:
        phone = context.new_page()
        phone.goto(f"{server.url}/login")
        phone.get_by_label("ユーザー名").fill(name)
        phone.get_by_label("パスワード").fill(PASSWORD)
        with phone.expect_response(lambda r: "/tsudoi/session/start" in r.url, timeout=TIMEOUT_MS):
            phone.get_by_role("button", name="ログイン").click()
        assert _cookie(context) is not None
        phone.goto(f"{server.url}/coverage")
        phone.get_by_role("heading", name="圏域カバー状況").wait_for(timeout=TIMEOUT_MS)
    finally:
        context.close()


# --- the cookie endpoints over plain HTTP ----------------------------------------------------------------------

def _ticket(e2e_store, name: str) -> str:
    engine = open_store(f"sqlite:///{e2e_store}")
    try:
        return start(engine, name).ticket
    finally:
        engine.dispose()


def _get(url: str, headers: dict) -> tuple[int, str | None]:
    """Status and Set-Cookie header of a GET (urllib raises for 4xx; that is an answer here)."""
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers.get("set-cookie")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("set-cookie")


def test_the_cookie_endpoint_refuses_requests_another_site_caused(server, e2e_store):
    name = _new_user(e2e_store, "csrf-check")
    url = f"{server.url}/tsudoi/session/start?ticket={_ticket(e2e_store, name)}"
    assert _get(url, {"Sec-Fetch-Site": "cross-site"}) == (403, None)
    assert _get(url, {"Sec-Fetch-Site": "same-site"}) == (403, None)  # a sibling subdomain is another site
    assert _get(url, {}) == (403, None)  # neither Sec-Fetch-Site nor a Referer from this host
    assert _get(url, {"Referer": "http://evil.example/"}) == (403, None)
    status, set_cookie = _get(url, {"Sec-Fetch-Site": "same-origin"})  # the ticket was not used up above
    assert status == 200
    attributes = {part.strip().split("=")[0].lower() for part in set_cookie.split(";")}
    assert set_cookie.startswith(f"{COOKIE_NAME}=") and {"httponly", "samesite", "path", "max-age"} <= attributes
    assert "samesite=strict" in set_cookie.lower()
    assert _get(url, {"Sec-Fetch-Site": "same-origin"}) == (403, None)  # used once


def test_an_old_browser_without_sec_fetch_site_is_checked_by_its_referer(server, e2e_store):
    name = _new_user(e2e_store, "referer-check")
    url = f"{server.url}/tsudoi/session/start?ticket={_ticket(e2e_store, name)}"
    status, set_cookie = _get(url, {"Referer": f"{server.url}/login"})
    assert status == 200 and set_cookie.startswith(f"{COOKIE_NAME}=")
