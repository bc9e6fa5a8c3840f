"""The app shell, the about page and the login page, driven by AppTest (the resource map page:
test_map_page.py).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from streamlit.testing.v1 import AppTest

from dashboard.auth import AuthenticatedUser
from tests.ui.apptest import app_on

REPO = Path(__file__).resolve().parents[2]


def make_app(monkeypatch, url: str, user: AuthenticatedUser | None = None, place: str | None = None) -> AppTest:
    at = app_on(monkeypatch, url, user, timeout_s=60)
    if place is not None:
        at.query_params["place"] = place
    return at


def ran(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# --- shell and about -----------------------------------------------------------------------------------


def test_shell_renders_municipality_demo_notice_and_footer(monkeypatch, demo_db_url):
    at = ran(make_app(monkeypatch, demo_db_url))
    assert "### 蕨市" in [m.value for m in at.sidebar.markdown]
    assert any("「デモ用の仮の圏域」" in c.value for c in at.sidebar.caption)
    assert at.main.caption[-1].value.startswith("出典：")  # the footer, last in the page
    assert [t.value for t in at.title] == ["資源マップ"]


def test_about_page_shows_the_attribution(monkeypatch, demo_db_url):
    at = ran(make_app(monkeypatch, demo_db_url))
    at.switch_page("../pages/about.py")
    ran(at)
    assert [t.value for t in at.title] == ["つどいマップについて"]
    assert "蕨市の「つどいマップ」とは" in [s.value for s in at.subheader]  # for the selected city's residents
    assert "出典" in [s.value for s in at.subheader]
    attribution = "\n".join(c.value for c in at.code)
    for publisher in ("e-Stat", "国土数値情報", "国土地理院", "介護サービス情報公表システム", "Geolonia"):
        assert publisher in attribution
    assert at.main.caption[-1].value.startswith("出典：")  # the footer is on every page


# --- login -------------------------------------------------------------------------------------------------


def login(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input[0].input(name)
    at.text_input[1].input(password)
    at.button[0].click()
    return ran(at)


def test_login_with_wrong_password_shows_the_error(monkeypatch, demo_db_copy):
    at = ran(make_app(monkeypatch, f"sqlite:///{demo_db_copy}"))
    at.switch_page("../pages/login.py")
    ran(at)
    assert [t.label for t in at.text_input] == ["ユーザー名", "パスワード"]
    login(at, "demo", "not-the-password")
    assert [e.value for e in at.error] == ["ユーザー名またはパスワードが違います"]
    assert "tsudoi_user" not in at.session_state


def test_login_with_demo_password_sets_the_user(monkeypatch, demo_db_copy):
    at = ran(make_app(monkeypatch, f"sqlite:///{demo_db_copy}"))
    at.switch_page("../pages/login.py")
    ran(at)
    login(at, "demo", "demo")
    assert not at.error
    assert at.session_state["tsudoi_user"] == AuthenticatedUser("demo", "coordinator")
    assert any("demo としてログインしています" in s.value for s in at.success)


# --- empty store -------------------------------------------------------------------------------------------


def test_empty_store_is_migrated_and_says_how_to_build_the_demo(monkeypatch, tmp_path):
    path = tmp_path / "empty.sqlite"
    at = ran(make_app(monkeypatch, f"sqlite:///{path}"))
    assert any("python -m dashboard demo build" in w.value for w in at.sidebar.warning)
    assert not at.dataframe
    with sqlite3.connect(path) as connection:  # the app created the schema
        tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"places", "areas", "municipalities", "users"} <= tables
        assert connection.execute("SELECT count(*) FROM places").fetchone()[0] == 0
