"""AppTest of the council page: every slide renders, numbers match the services, URL selects slides."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard import coverage
from dashboard.auth import AuthenticatedUser
from dashboard.store import reads
from dashboard.store.engine import open_store

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


@pytest.fixture
def council_app(monkeypatch, demo_db_url):
    monkeypatch.setenv("DATABASE_URL", demo_db_url)
    st.cache_data.clear()
    st.cache_resource.clear()
    app = AppTest.from_file(APP, default_timeout=90)
    app.session_state["tsudoi_user"] = AuthenticatedUser("demo", "coordinator")
    app.switch_page("../pages/council.py")
    return app


def _expected_coverage(demo_db_url):
    engine = open_store(demo_db_url)
    areas = reads.areas(engine, "11223")
    units = coverage.build_units(areas, reads.population_cells(engine, "11223"), reads.towns(engine, "11223"), 11)
    result = coverage.compute(areas, units, reads.places(engine, "11223", internal=True), coverage.CoverageQuery(), 11)
    return areas, result.table.set_index("area_id")


def test_every_slide_renders_with_its_numbers(council_app, demo_db_url):
    areas, table = _expected_coverage(demo_db_url)
    council_app.run()
    seen = []
    for step in range(len(areas) + 2):
        assert not council_app.exception
        title = council_app.title[0].value
        seen.append(title)
        texts = [m.value for m in council_app.markdown]
        assert any("架空" in t for t in texts)
        if 0 < step <= len(areas):
            area_id = areas["area_id"].iloc[step - 1]
            assert title == areas["area_name"].iloc[step - 1]
            assert f"## {table.at[area_id, 'pop65']:,.0f}人" in texts
            assert f"## {table.at[area_id, 'coverage65'] * 100:.0f}%" in texts
        elif step == 0:
            assert f"## {table.at['ALL', 'pop65']:,.0f}人" in texts
        if step < len(areas) + 1:
            council_app.button(key="tsudoi_next").click().run()
    assert seen[-1] == "優先して取り組む圏域"
    assert council_app.button(key="tsudoi_next").disabled


def test_slide_in_the_url_is_validated(council_app, demo_db_url):
    areas, _ = _expected_coverage(demo_db_url)
    council_app.query_params["slide"] = "3"
    council_app.run()
    assert council_app.title[0].value == areas["area_name"].iloc[1]
    council_app.session_state["tsudoi_slide"] = 0
    council_app.run()
    assert council_app.title[0].value.endswith("の全体像")


def test_unknown_slide_text_falls_back_to_the_first(monkeypatch, demo_db_url):
    monkeypatch.setenv("DATABASE_URL", demo_db_url)
    app = AppTest.from_file(APP, default_timeout=90)
    app.session_state["tsudoi_user"] = AuthenticatedUser("demo", "coordinator")
    app.query_params["slide"] = "<script>"
    app.switch_page("../pages/council.py")
    app.run()
    assert not app.exception
    assert app.title[0].value.endswith("の全体像")
