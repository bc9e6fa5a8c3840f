"""The coverage page (圏域カバー状況) in AppTest, on the 蕨市 demo store.

Expected numbers are computed here through the service (store reads → build_units → compute),
an independent path from the page's cached UI reads, and formatted as the page formats them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import create_engine
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

import dashboard.auth
from dashboard import coverage
from dashboard.store import reads

REPO = Path(__file__).resolve().parents[2]
APP = str(REPO / "dashboard" / "app.py")
CODE, PREFECTURE = "11223", 11
TITLE = "圏域カバー状況"
RANKING_COVERAGE = "徒歩圏カバー率（65歳以上）"


@pytest.fixture(scope="module")
def expected_tables(demo_db_url):
    """City and area table per distance (m), default categories and frequency, via the service."""
    engine = create_engine(demo_db_url)
    try:
        areas = reads.areas(engine, CODE)
        units = coverage.build_units(areas, reads.population_cells(engine, CODE), reads.towns(engine, CODE),
                                     PREFECTURE)
        places = reads.places(engine, CODE, internal=True)
    finally:
        engine.dispose()
    return {d: coverage.compute(areas, units, places, coverage.CoverageQuery(distance_m=d), PREFECTURE)
            .table.set_index("area_id") for d in (300, 500)}


@pytest.fixture
def app(monkeypatch, demo_db_url) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", demo_db_url)
    st.cache_data.clear()
    st.cache_resource.clear()
    return AppTest.from_file(APP, default_timeout=90)


def as_coordinator(app: AppTest) -> AppTest:
    app.session_state["tsudoi_user"] = dashboard.auth.AuthenticatedUser("demo", "coordinator")
    app.run()  # st.navigation registers the coordinator's pages on this run
    return app.switch_page("../pages/coverage.py").run()


def titles(app: AppTest) -> list[str]:
    return [t.value for t in app.title]


def metric_values(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def ranking(app: AppTest):
    frames = [d.value for d in app.dataframe if RANKING_COVERAGE in d.value.columns]
    assert len(frames) == 1
    return frames[0]


def test_coordinator_sees_city_coverage_matching_the_service(app, expected_tables):
    at = as_coordinator(app)
    assert not at.exception
    assert titles(at) == [TITLE]
    city = expected_tables[500].loc["ALL"]
    metrics = metric_values(at)
    assert len(at.metric) == 4
    assert metrics["徒歩圏の65歳以上"] == f"{city['coverage65']:.1%}"
    assert metrics["徒歩圏の75歳以上"] == f"{city['coverage75']:.1%}"
    assert metrics["徒歩圏外の65歳以上"] == f"{city['pop65'] - city['pop65_covered']:,.0f} 人"
    assert metrics["集いの場（65歳以上千人あたり）"] == f"{city['places_per_1000_65']:.2f} か所"


def test_ranking_has_the_five_areas_lowest_coverage_first(app, expected_tables):
    at = as_coordinator(app)
    table = ranking(at)
    assert len(table) == 5
    values = table[RANKING_COVERAGE].tolist()
    assert values == sorted(values)
    areas = expected_tables[500].drop(index="ALL")
    assert sorted(table["圏域"]) == sorted(areas["area_name"])
    by_name = areas.set_index("area_name")["coverage65"]
    for name, shown in zip(table["圏域"], values):
        assert shown == pytest.approx(by_name[name] * 100, abs=0.05)


def test_shorter_distance_lowers_or_keeps_city_coverage(app, expected_tables):
    at = as_coordinator(app)
    before = float(metric_values(at)["徒歩圏の65歳以上"].rstrip("%"))
    at.select_slider(key="tsudoi_cov_distance").set_value(300).run()
    assert not at.exception
    after_text = metric_values(at)["徒歩圏の65歳以上"]
    assert after_text == f"{expected_tables[300].loc['ALL', 'coverage65']:.1%}"
    assert float(after_text.rstrip("%")) <= before


def test_anonymous_cannot_switch_to_the_coverage_page(app):
    at = app.run()
    assert not at.exception
    # the coverage script is not registered with st.navigation for a visitor who is not logged in
    with pytest.raises(ValueError, match="coverage.py"):
        at.switch_page("../pages/coverage.py")
    assert TITLE not in titles(at)


def _open_url_path(at: AppTest, url_path: str) -> AppTest:
    # What a deep link to /coverage sends: st.Page identifies a page by the hash of its url_path.
    # AppTest has no public way to request a URL path, so set the requested page hash directly.
    at._page_hash = calc_hash(url_path)
    return at.run()


def test_anonymous_deep_link_to_coverage_gets_the_login_page(app):
    at = _open_url_path(app.run(), "coverage")
    assert not at.exception
    assert TITLE not in titles(at)
    assert titles(at) == ["ログイン"]
    assert [t.label for t in at.text_input] == ["ユーザー名", "パスワード"]
    assert not at.metric


def test_the_same_deep_link_shows_coverage_to_a_coordinator(app):
    # control for the test above: the URL-path mechanism does reach the coverage page when allowed
    app.session_state["tsudoi_user"] = dashboard.auth.AuthenticatedUser("demo", "coordinator")
    at = _open_url_path(app.run(), "coverage")
    assert not at.exception
    assert titles(at) == [TITLE]


def test_logging_out_on_the_coverage_page_hides_its_content(app):
    at = as_coordinator(app)
    assert titles(at) == [TITLE]
    del at.session_state["tsudoi_user"]
    at.run()
    assert not at.exception
    assert TITLE not in titles(at)
    assert not at.metric
