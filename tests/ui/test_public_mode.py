"""The page run of the public site (``TSUDOI_MODE=public``), driven by AppTest: it reads only the
published copy, has no login, and shows a Japanese refusal instead of any page when its store is not
a published copy. (The real server and deep links: tests/e2e/test_public_site_browser.py.)"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from types import SimpleNamespace

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.cli import main
from dashboard.ui import navigation

REPO = Path(__file__).resolve().parents[2]
APP = str(REPO / "dashboard" / "app.py")


@pytest.fixture(scope="module")
def published(demo_db_path, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("published")
    assert main(["--db", str(demo_db_path), "publish", "--out", str(folder)]) == 0
    return folder / "tsudoi-public.sqlite"


def public_app(monkeypatch, store: Path, internal: Path) -> AppTest:
    monkeypatch.setenv("TSUDOI_MODE", "public")
    monkeypatch.setenv("TSUDOI_PUBLIC_STORE", str(store))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{internal}")  # restored after the test; public mode replaces it
    return AppTest.from_file(APP, default_timeout=60)


def test_the_public_page_run_serves_the_map_from_the_published_copy(monkeypatch, published, demo_db_path):
    at = public_app(monkeypatch, published, demo_db_path)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["資源マップ"]
    with sqlite3.connect(f"file:{published}?mode=ro", uri=True) as connection:
        (active,), = connection.execute("SELECT count(*) FROM places WHERE status = 'active'").fetchall()
    assert f"**{active} 件**" in [m.value for m in at.markdown]
    assert not [b for b in at.button if "ログ" in b.label]  # neither ログイン nor ログアウト
    assert "mode=ro" in os.environ["DATABASE_URL"] and str(published) in os.environ["DATABASE_URL"]


def test_the_public_page_run_refuses_a_store_that_is_not_a_published_copy(monkeypatch, demo_db_path):
    at = public_app(monkeypatch, demo_db_path, demo_db_path)
    at.run()
    assert not at.exception
    assert len(at.error) == 1 and "公開モードでは起動できません" in at.error[0].value
    assert not at.title and not at.markdown  # nothing of the store is shown


def test_public_navigation_has_the_public_pages_and_the_not_published_page_only(monkeypatch):
    # st.Page needs a running app: record what pages_for asks for instead
    monkeypatch.setattr(navigation.st, "Page", lambda script, **options: SimpleNamespace(script=script, **options))
    pages = navigation.pages_for(None, public_site=True)
    shown = {p.url_path: p for p in pages}
    assert set(shown) == {"home", "map", "about", "coverage", "prefecture", "survey", "council", "data", "setup", "records",
                         "login"}
    assert {p.script for p in pages} == {"../pages/map.py", "../pages/about.py", "../pages/not_public.py"}
    for path in ("coverage", "prefecture", "survey", "council", "data", "setup", "records", "login"):
        assert shown[path].script == "../pages/not_public.py" and shown[path].visibility == "hidden"
    with pytest.raises(ValueError):
        navigation.pages_for(object(), public_site=True)
