"""AppTest of the login session in the app shell: what the server decides on every page run.

The browser side (the cookie itself, reloads, several tabs) is in tests/e2e/test_login_browser.py;
here the store is read back with ``sqlite3``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import websession
from dashboard.auth import AuthenticatedUser, disable_user
from dashboard.store.engine import open_store

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


@pytest.fixture
def app(monkeypatch, demo_db_copy):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{demo_db_copy}")
    return AppTest.from_file(APP, default_timeout=60)


def ran(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def log_in(at: AppTest, name: str = "demo", password: str = "demo") -> AppTest:
    at.switch_page("../pages/login.py")
    ran(at)
    at.text_input[0].input(name)
    at.text_input[1].input(password)
    at.button[0].click()
    return ran(at)


def sessions(db_path) -> list[tuple]:
    with sqlite3.connect(db_path) as db:
        return db.execute("SELECT user_name, handoff_sha256 IS NOT NULL, revoked_at IS NOT NULL "
                          "FROM login_sessions ORDER BY created_at").fetchall()


def frames(at: AppTest) -> list[str]:
    """``src`` of the hidden frames (st.iframe) in the sidebar."""
    return [e.proto.src for e in at.sidebar if getattr(e, "type", "") == "iframe"]


def test_a_form_login_opens_a_server_session_and_asks_the_browser_to_fetch_its_cookie(app, demo_db_copy):
    log_in(ran(app))
    assert app.session_state["tsudoi_user"] == AuthenticatedUser("demo", "coordinator")
    assert sessions(demo_db_copy) == [("demo", True, False)]  # the cookie has not been fetched yet
    [src] = frames(app)
    assert src.startswith("/tsudoi/session/start?ticket=")
    ticket = src.split("ticket=", 1)[1]
    engine = open_store(f"sqlite:///{demo_db_copy}")  # what the browser's frame request does
    assert websession.redeem(engine, ticket) is not None
    ran(app)
    assert frames(app) == []  # fetched: the frame goes away
    assert sessions(demo_db_copy) == [("demo", False, False)]


def test_disabling_the_user_ends_the_login_at_the_next_page_run(app, demo_db_copy):
    log_in(ran(app))
    disable_user(open_store(f"sqlite:///{demo_db_copy}"), "demo")
    ran(app)
    assert "tsudoi_user" not in app.session_state
    assert not any("ログイン中" in c.value for c in app.sidebar.caption)


def test_logout_ends_every_session_of_the_user_and_deletes_the_cookie(app, demo_db_copy):
    log_in(ran(app))
    websession.start(open_store(f"sqlite:///{demo_db_copy}"), "demo")  # the same user on another device
    app.button(key="tsudoi_logout").click()
    ran(app)
    assert "tsudoi_user" not in app.session_state
    assert sessions(demo_db_copy) == [("demo", True, True), ("demo", True, True)]
    assert frames(app) == ["/tsudoi/session/end"]


def test_the_role_is_the_stored_one_whatever_the_tab_holds(app):
    """Role checks run on the server on every page run: an admin claim the store does not back is dropped."""
    app.session_state["tsudoi_user"] = AuthenticatedUser("demo", "admin")  # demo is a coordinator
    ran(app)
    assert app.session_state["tsudoi_user"] == AuthenticatedUser("demo", "coordinator")
    app.switch_page("../pages/data.py")
    ran(app)
    assert any("管理者だけ" in i.value for i in app.info)


def test_an_unknown_user_in_the_tab_is_nobody(app):
    app.session_state["tsudoi_user"] = AuthenticatedUser("ghost", "admin")
    ran(app)
    assert "tsudoi_user" not in app.session_state
