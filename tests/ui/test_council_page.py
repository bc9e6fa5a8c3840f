"""AppTest of the council page: every slide renders its numbers, the URL (slide and distance) is
validated and is the one source of the slide, the priority slide says 「該当なし」, file names."""

from __future__ import annotations

import html
import re
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


def _expected_coverage(demo_db_url, distance_m: int = 500):
    engine = open_store(demo_db_url)
    areas = reads.areas(engine, "11223")
    units = coverage.build_units(areas, reads.population_cells(engine, "11223"), reads.towns(engine, "11223"), 11)
    result = coverage.compute(areas, units, reads.places(engine, "11223", internal=True),
                              coverage.CoverageQuery(distance_m=distance_m), 11)
    return areas, result.table.set_index("area_id")


def _cards(app: AppTest) -> dict[str, str]:
    """label → number of the slide's number cards (the cards are one escaped HTML block)."""
    blocks = [h.value for h in app.html if "data-testid=\"tsudoi-card\"" in h.value]
    assert len(blocks) == 1
    pairs = re.findall(r'<span class="label">(.*?)</span><span class="value">(.*?)</span>', blocks[0])
    return {html.unescape(label): html.unescape(value) for label, value in pairs}


def _priority_html(app: AppTest) -> str:
    blocks = [h.value for h in app.html if "data-testid=\"tsudoi-priority\"" in h.value]
    assert len(blocks) == 1
    return blocks[0]


def test_every_slide_renders_with_its_numbers(council_app, demo_db_url):
    areas, table = _expected_coverage(demo_db_url)
    council_app.run()
    seen = []
    for step in range(len(areas) + 2):
        assert not council_app.exception
        title = council_app.title[0].value
        seen.append(title)
        assert any("架空" in m.value for m in council_app.markdown)
        if step <= len(areas):
            key = "ALL" if step == 0 else areas["area_id"].iloc[step - 1]
            if step:
                assert title == areas["area_name"].iloc[step - 1]
            cards = _cards(council_app)
            assert cards["65歳以上人口"] == f"{table.at[key, 'pop65']:,.0f}人"
            assert cards["徒歩500m圏"] == f"{table.at[key, 'coverage65'] * 100:.0f}%"
        if step < len(areas) + 1:
            council_app.button(key="tsudoi_next").click().run()
            assert council_app.query_params["slide"] == str(step + 2)
    assert seen[-1] == "優先して取り組む圏域"
    assert council_app.button(key="tsudoi_next").disabled


def test_the_url_alone_decides_the_slide(council_app, demo_db_url):
    """Back/Forward rerun the page with an older URL, so the URL must win over anything remembered."""
    areas, _ = _expected_coverage(demo_db_url)
    council_app.query_params["slide"] = "3"
    council_app.run()
    assert council_app.title[0].value == areas["area_name"].iloc[1]
    council_app.query_params["slide"] = "1"  # as after the browser's Back
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


@pytest.mark.parametrize("given,expected", [("800", 800), ("300", 300), ("750", 500), ("<b>", 500)])
def test_distance_from_a_link_is_validated_and_used(council_app, demo_db_url, given, expected):
    _, table = _expected_coverage(demo_db_url, expected)
    council_app.query_params["d"] = given
    council_app.run()
    assert not council_app.exception
    assert council_app.session_state["tsudoi_council_distance_widget"] == expected
    assert _cards(council_app)[f"徒歩{expected}m圏"] == f"{table.at['ALL', 'coverage65'] * 100:.0f}%"


def test_distance_picked_on_the_slide_changes_the_figures_and_the_next_link(council_app, demo_db_url):
    _, table = _expected_coverage(demo_db_url, 1000)
    council_app.run()
    council_app.button_group(key="tsudoi_council_distance_widget").set_value(1000).run()
    assert _cards(council_app)["徒歩1000m圏"] == f"{table.at['ALL', 'coverage65'] * 100:.0f}%"
    council_app.button(key="tsudoi_next").click().run()
    assert council_app.query_params["d"] == "1000" and council_app.query_params["slide"] == "2"


def test_priority_slide_marks_the_qualifying_areas(council_app):
    council_app.query_params["slide"] = "7"
    council_app.run()
    body = _priority_html(council_app)
    assert "該当なし" not in body
    assert body.count("<td>◎</td>") >= 1
    # the profile by its Japanese title (standard.toml's title, as the 地域カルテ prints it), never its key
    assert "判定基準：標準（ニーズ調査の一般的な判定基準）" in body and "standard" not in body


def test_priority_slide_says_none_qualifies(council_app, monkeypatch):
    """With no area below the city's coverage and above its risks, the slide says so in words."""
    import dashboard.survey.service as service

    real = service.priority_areas

    def nobody(*args, **kwargs):
        table = real(*args, **kwargs)
        return table.assign(priority=False)

    monkeypatch.setattr(service, "priority_areas", nobody)
    council_app.query_params["slide"] = "7"
    council_app.run()
    body = _priority_html(council_app)
    assert "該当なし" in body and "<td>◎</td>" not in body
    assert body.count("<tr") == 1 + 5  # header + the 5 demo areas, still listed with their figures
