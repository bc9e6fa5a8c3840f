"""The needs-survey page (ニーズ調査) in AppTest, on the 蕨市 demo store.

Expected figures are computed here through the service from respondent rows read with the store
reads — an independent path from the page's cached UI reads — and formatted as the page formats them.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import create_engine
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

import dashboard.auth
from dashboard.store import reads, writes
from dashboard.store.engine import write_session
from dashboard.survey.scoring import load_profile
from dashboard.survey.service import needs_table

REPO = Path(__file__).resolve().parents[2]
APP = str(REPO / "dashboard" / "app.py")
CODE = "11223"
TITLE = "ニーズ調査"
TABLE_COLUMNS = {"圏域", "指標", "回答者数", "判定可能", "該当", "割合（%）", "95%信頼区間"}




def make_app(monkeypatch, url: str) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", url)
    return AppTest.from_file(APP, default_timeout=90)


def as_coordinator(at: AppTest) -> AppTest:
    at.session_state["tsudoi_user"] = dashboard.auth.AuthenticatedUser("demo", "coordinator")
    at.run()  # st.navigation registers the coordinator's pages on this run
    at.switch_page("../pages/survey.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def summary_table(at: AppTest) -> pd.DataFrame:
    frames = [d.value for d in at.dataframe if TABLE_COLUMNS <= set(d.value.columns)]
    assert len(frames) == 1
    return frames[0]


def plotly_charts(at: AppTest) -> list:
    return list(at.get("plotly_chart"))


@pytest.fixture(scope="module")
def demo(demo_db_url):
    engine = create_engine(demo_db_url)
    try:
        areas = reads.areas(engine, CODE)
        batch = int(reads.survey_batches(engine, CODE, "needs")["id"].iloc[0])
        answers = reads.survey_answers(engine, batch)
    finally:
        engine.dispose()
    return areas, answers


# ------------------------------------------------------------------------------------------ coordinator

def test_coordinator_sees_the_synthetic_survey_with_its_charts(monkeypatch, demo_db_url):
    at = as_coordinator(make_app(monkeypatch, demo_db_url))
    assert titles(at) == [TITLE]
    assert any("架空の調査データ" in w.value for w in at.warning)
    # rate bars, difference heatmap, participation, intent, needs ↔ helpers (the radar waits for an area)
    assert len(plotly_charts(at)) == 5


def test_choosing_an_area_draws_its_radar_chart(monkeypatch, demo_db_url):
    at = as_coordinator(make_app(monkeypatch, demo_db_url))
    at.selectbox(key="tsudoi_survey_area").set_value("kita").run()
    assert not at.exception
    assert at.selectbox(key="tsudoi_survey_area").value == "kita"  # the choice sticks …
    assert len(plotly_charts(at)) == 6  # … and the radar is drawn


def test_an_area_chosen_elsewhere_draws_its_radar_chart(monkeypatch, demo_db_url):
    # the shared choice (set by another page or a clicked bar) selects the radar's area
    at = make_app(monkeypatch, demo_db_url)
    at.session_state["tsudoi_selected_area"] = "kita"
    at = as_coordinator(at)
    assert at.selectbox(key="tsudoi_survey_area").value == "kita"
    assert len(plotly_charts(at)) == 6


def test_the_summary_table_matches_the_service(monkeypatch, demo_db_url, demo):
    areas, answers = demo
    at = as_coordinator(make_app(monkeypatch, demo_db_url))
    shown = summary_table(at)
    expected = needs_table(answers, load_profile("standard"), areas["area_id"].tolist())
    expected = expected[expected["group"] == "risk"]
    assert len(shown) == len(expected) == (len(areas) + 1) * 8
    names = dict(zip(areas["area_id"], areas["area_name"]))
    for row in expected.itertuples():
        area = names.get(row.area_id, "市全体")
        got = shown[(shown["圏域"] == area) & (shown["指標"] == row.label)].iloc[0]
        assert got["割合（%）"] == pytest.approx(round(row.rate * 100, 1))
        assert int(got["判定可能"]) == row.n_valid and int(got["該当"]) == row.n_risk


def iadl_city_rate(table: pd.DataFrame) -> float:
    label = load_profile("standard").indicator("iadl").label
    return float(table[(table["圏域"] == "市全体") & (table["指標"] == label)]["割合（%）"].iloc[0])


def test_switching_profile_changes_the_iadl_rate(monkeypatch, demo_db_url, demo):
    areas, answers = demo
    area_ids = areas["area_id"].tolist()
    expected = {}
    for name in ("standard", "variant_strict"):
        table = needs_table(answers, load_profile(name), area_ids).set_index(["area_id", "indicator"])
        expected[name] = round(table.at[("ALL", "iadl"), "rate"] * 100, 1)
    assert expected["variant_strict"] > expected["standard"]  # 1 できない flags more people than 2
    at = as_coordinator(make_app(monkeypatch, demo_db_url))
    assert iadl_city_rate(summary_table(at)) == pytest.approx(expected["standard"])
    at.selectbox(key="tsudoi_profile").set_value("variant_strict").run()
    assert not at.exception
    assert iadl_city_rate(summary_table(at)) == pytest.approx(expected["variant_strict"])


@pytest.fixture
def small_survey_store(demo_db_copy, demo) -> tuple[str, pd.DataFrame]:
    """The demo store plus a newer, small needs survey: 30 respondents in 錦町, 60 in every other area."""
    _, answers = demo
    parts = [answers[answers["area_id"] == area].head(30 if area == "nishiki" else 60)
             for area in answers["area_id"].unique()]
    small = pd.concat(parts, ignore_index=True)
    engine = create_engine(f"sqlite:///{demo_db_copy}")
    try:
        with write_session(engine) as session:
            writes.add_survey(session, municipality_code=CODE, kind="needs", title="小さな調査", as_of="令和6年",
                              is_synthetic=True, source_name="small.csv", sha256="0" * 64, answers=small)
    finally:
        engine.dispose()
    return f"sqlite:///{demo_db_copy}", small


def test_raising_min_n_hides_small_cells(monkeypatch, small_survey_store, demo):
    url, small = small_survey_store
    areas, _ = demo
    nishiki = areas.set_index("area_id").at["nishiki", "area_name"]
    before = needs_table(small, load_profile("standard"), areas["area_id"].tolist())
    assert not before["suppressed"].any()  # precondition: at the default of 10 every cell is shown
    at = as_coordinator(make_app(monkeypatch, url))
    table = summary_table(at)
    assert not table.isin(["n<10のため非表示"]).any().any()
    assert (table[table["圏域"] == nishiki]["回答者数"] == 30).all()
    at.number_input(key="tsudoi_min_n").set_value(31).run()  # 錦町 has 30 respondents: n_valid ≤ 30 < 31
    assert not at.exception
    table = summary_table(at)
    rows = table[table["圏域"] == nishiki]
    assert len(rows) == 8
    for column in ("回答者数", "判定可能", "該当", "割合（%）", "95%信頼区間"):
        assert (rows[column] == "n<31のため非表示").all(), column
    assert not table[table["圏域"] == "市全体"].isin(["n<31のため非表示"]).any().any()


def test_no_respondent_rows_reach_the_page(monkeypatch, demo_db_url, demo):
    areas, answers = demo
    ids = set(answers["respondent_id"])
    limit = len(areas) * len(load_profile("standard").ids()) + len(load_profile("standard").ids())
    at = make_app(monkeypatch, demo_db_url)
    at.session_state["tsudoi_selected_area"] = "chuo"  # radar and helpers tab for one area too
    at = as_coordinator(at)
    assert len(plotly_charts(at)) == 6
    assert len(at.dataframe) == 4
    for frame in (d.value for d in at.dataframe):
        assert "respondent_id" not in frame.columns
        assert len(frame) <= limit
        cells = set(frame.astype(str).to_numpy().ravel())
        assert not cells & ids


def test_a_store_without_a_needs_survey_shows_the_import_hint(monkeypatch, demo_db_copy):
    with sqlite3.connect(demo_db_copy) as connection:
        connection.execute("DELETE FROM survey_responses")
        connection.execute("DELETE FROM helper_responses")
        connection.execute("DELETE FROM survey_batches")
    at = as_coordinator(make_app(monkeypatch, f"sqlite:///{demo_db_copy}"))
    assert titles(at) == [TITLE]
    assert any("survey import" in i.value for i in at.info)
    assert not plotly_charts(at)
    assert not at.dataframe


# ------------------------------------------------------------------------------------------ anonymous

def test_anonymous_cannot_switch_to_the_survey_page(monkeypatch, demo_db_url):
    at = make_app(monkeypatch, demo_db_url).run()
    assert not at.exception
    with pytest.raises(ValueError, match="survey.py"):
        at.switch_page("../pages/survey.py")
    assert TITLE not in titles(at)
    assert not plotly_charts(at)


def test_anonymous_deep_link_to_survey_gets_the_login_page(monkeypatch, demo_db_url):
    at = make_app(monkeypatch, demo_db_url).run()
    # what a deep link to /survey sends: st.Page identifies a page by the hash of its url_path
    at._page_hash = calc_hash("survey")
    at.run()
    assert not at.exception
    assert titles(at) == ["ログイン"]
    assert not plotly_charts(at)
    assert not any("架空の調査データ" in w.value for w in at.warning)


def test_the_same_deep_link_shows_the_survey_to_a_coordinator(monkeypatch, demo_db_url):
    # control for the test above: the URL-path mechanism does reach the survey page when allowed
    at = make_app(monkeypatch, demo_db_url)
    at.session_state["tsudoi_user"] = dashboard.auth.AuthenticatedUser("demo", "coordinator")
    at.run()
    at._page_hash = calc_hash("survey")
    at.run()
    assert not at.exception
    assert titles(at) == [TITLE]
