"""AppTest: the city-wide change log (データ管理 › 変更履歴) and 地域カルテ downloads on the coverage
and data pages. Expected rows are counted in SQLite directly, not through the service."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard import editing
from dashboard.store.engine import open_store

CODE = "11223"
LOG_HEADER = "日時（日本時間）"


@pytest.fixture
def app(coordinator_app):
    return coordinator_app


def _page(app: AppTest, page: str) -> AppTest:
    app.run()
    app.switch_page(f"../pages/{page}.py")
    app.run()
    assert not app.exception
    return app


def _log(app: AppTest):
    tables = [d.value for d in app.dataframe if LOG_HEADER in d.value.columns]
    return tables[0] if tables else None


def test_the_change_log_lists_every_change_of_the_city_and_filters_by_user(app, demo_db_copy):
    engine = open_store(f"sqlite:///{demo_db_copy}")
    editing.mark_verified(engine, place_id="demo-004", user="sato", on=date.today())
    engine.dispose()
    with sqlite3.connect(demo_db_copy) as db:
        everything = db.execute("select count(*) from audit_log where municipality_code = ?", (CODE,)).fetchone()[0]
        name = db.execute("select name from places where id = 'demo-004'").fetchone()[0]
    _page(app, "data")
    log = _log(app)
    assert len(log) == everything  # the demo was built today: all inside the default 90 days
    assert "（新規登録）" in set(log["項目"])  # Japanese field names, no 「*」
    assert "*" not in set(log["項目"])
    app.selectbox(key="tsudoi_log_user").set_value("sato").run()
    log = _log(app)
    assert log.to_dict("records")[0] | {LOG_HEADER: ""} == {
        LOG_HEADER: "", "変更者": "sato", "操作": "確認済みにした", "資源ID": "demo-004", "資源名": name,
        "項目": "最終確認日", "変更前": log.iloc[0]["変更前"], "変更後": date.today().isoformat()}
    assert len(log) == 1
    assert [b.label for b in app.download_button if "変更履歴" in b.label] == ["この変更履歴をCSVで保存"]


def test_an_empty_period_says_so(app):
    _page(app, "data")
    # the demo store was built today: a period that ends before today holds no change
    app.date_input(key="tsudoi_log_period").set_value((date.today() - timedelta(days=30),
                                                       date.today() - timedelta(days=20))).run()
    assert app.date_input(key="tsudoi_log_period").value[1] == date.today() - timedelta(days=20)
    assert not app.exception
    assert _log(app) is None
    assert any("この条件の変更はありません" in i.value for i in app.info)


@pytest.mark.parametrize("page,area_key", [("coverage", "tsudoi_coverage_area"), ("data", "tsudoi_data_karte_area")])
def test_karte_downloads_on_the_coverage_and_data_pages(app, page, area_key):
    _page(app, page)
    labels = [b.label for b in app.download_button]
    assert "全圏域の地域カルテ（PDF、市全体の要約つき）" in labels
    assert not any(label.endswith("の地域カルテ（PDF）") for label in labels)  # no area chosen yet
    app.selectbox(key=area_key).set_value("nishiki").run()
    assert not app.exception
    assert "錦町地区の地域カルテ（PDF）" in [b.label for b in app.download_button]


def test_the_karte_buttons_make_the_karte_pdf(monkeypatch, demo_db_url):
    import re

    from dashboard.ui import karte_view

    monkeypatch.setenv("DATABASE_URL", demo_db_url)
    st.cache_resource.clear()
    one = karte_view._pdf(CODE, ["nishiki"])()
    assert one.startswith(b"%PDF")
    assert len(re.findall(rb"/Type /Page\b(?!s)", one)) == 1  # one A4 page for one area
