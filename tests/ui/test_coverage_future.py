"""The coverage page switched to a future year (推計), in AppTest: the 蕨市 demo (mesh, the city's 住基
bands scaled per unit) and 新座市 (町丁目 age bands, a second city set up through the CLI).

For 新座市 the expected figures are worked out from the raw synthetic age table and the survival-table
CSV by hand (tests.dashboard.test_karte_future), and which 町丁目 are within walking distance comes
from today's coverage (a future year moves the people on, not the places).
"""

from __future__ import annotations

import json
import re
import sqlite3

import pytest
from sqlalchemy import create_engine

from dashboard import coverage
from dashboard.auth import AuthenticatedUser, add_user
from dashboard.services import scenarios
from dashboard.store import reads
from dashboard.store.engine import open_store
from tests.dashboard.test_karte_future import _raw_age_rows, _town_name, expected_area_65, shifted
from tests.dashboard.test_onboarding import NIIZA, copy_store, set_up_niiza
from tests.ui.apptest import app_on

CODE, PREFECTURE = "11223", 11
YEARS_KEY = "tsudoi_future_years"
PLAIN_KPIS = ("徒歩圏の65歳以上", "徒歩圏の75歳以上", "徒歩圏外の65歳以上", "集いの場（65歳以上千人あたり）")


def on_coverage(app):
    app.run()
    app.switch_page("../pages/coverage.py").run()
    assert not app.exception, app.exception
    return app


def metrics(app) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def page_text(app) -> str:
    parts = [w.value for w in app.warning] + [c.value for c in app.caption] + [s.value for s in app.subheader]
    return " ".join(parts).replace("\\", "")


#: A year's mark as the page writes it, 【2030年推計】 or 【仮定・2030年推計】.
TAG = re.compile(r"【[^】]*推計】")


def ranking(app):
    return next(d.value for d in app.dataframe if "徒歩圏カバー率（65歳以上）" in d.value.columns)


def in_order(node):
    """The page's elements top to bottom (columns left to right), as a reader meets them."""
    yield node
    for index in sorted(getattr(node, "children", {})):
        yield from in_order(node.children[index])


def tables_with_titles(app) -> list[tuple[list[str], str]]:
    """Each table's column headers and the words above it in its section: the section's subheader and
    every caption and paragraph from there down to the table."""
    found, above = [], []
    for node in in_order(app.main):
        kind = getattr(node, "type", "")
        if kind == "subheader":
            above = [node.value]
        elif kind in ("caption", "markdown"):
            above.append(str(node.value))
        elif kind == "dataframe":
            found.append(([str(c) for c in node.value.columns], " ".join(above).replace("\\", "")))
    return found


def assert_each_table_says_its_year_once(app, tag: str) -> None:
    """No header carries a 【…推計】 (it pushes columns off the screen); each table's title or a
    caption above it says the year instead (the outlook names its years in its headers)."""
    tables = tables_with_titles(app)
    assert len(tables) >= 7, [headers for headers, _ in tables]  # ranking, distances, critical, reliance, …
    for headers, title in tables:
        assert not [h for h in headers if TAG.search(h)], headers
        if any(re.search(r"\d{4}年（推計）", h) for h in headers):
            continue  # 65歳以上・75歳以上のこれから: a column per year, each named
        assert tag in title, (headers, title)


def map_texts(app) -> list[str]:
    """Everything each folium map sends to the browser (script and HTML: the legend is HTML)."""
    return [" ".join(str(v) for v in json.loads(c.proto.json_args).values()) for c in app.get("component_instance")
            if c.proto.component_name == "streamlit_folium.st_folium"]


# --- 蕨市 demo --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_expected(demo_db_url):
    """City table today and 5 / 10 years on, through the services on their own connection."""
    engine = create_engine(demo_db_url)
    try:
        areas, places = reads.areas(engine, CODE), reads.places(engine, CODE, internal=True)
        return {y: coverage.compute(areas, scenarios.units_for(engine, CODE, y), places, coverage.CoverageQuery(),
                                    PREFECTURE).table.set_index("area_id") for y in (0, 5, 10)}
    finally:
        engine.dispose()


def test_switching_the_demo_to_2025_marks_every_figure(coordinator_app, demo_expected):
    at = on_coverage(coordinator_app)
    assert at.radio(key=YEARS_KEY).options == ["2020年（人口データの時点）", "2025年（推計・データの5年後）", "2030年（推計・データの10年後）"]
    assert "推計" not in " ".join(metrics(at))  # today: nothing says 推計
    at.radio(key=YEARS_KEY).set_value(5).run()
    assert not at.exception, at.exception
    shown = metrics(at)
    city = demo_expected[5].loc["ALL"]  # the KPIs keep a short mark each
    assert shown["【2025年推計】徒歩圏の65歳以上"] == f"{city['coverage65']:.1%}"
    assert shown["【2025年推計】徒歩圏の75歳以上"] == f"{city['coverage75']:.1%}"
    assert shown["【2025年推計】徒歩圏外の65歳以上"] == f"{city['pop65'] - city['pop65_covered']:,.0f} 人"
    assert shown["【2025年推計】集いの場（65歳以上千人あたり）"] == f"{city['places_per_1000_65']:.2f} か所"
    assert not set(PLAIN_KPIS) & set(shown)  # no unmarked figure left
    today = demo_expected[0].loc["ALL"]
    assert city["pop65"] > today["pop65"]  # more people 65+ in 2025: the numbers did change
    assert at.query_params["ahead"] == "5"  # a reload or a shared link keeps the year

    table = ranking(at)  # today's short headers; the year is in the title above
    assert "定員アクセス（65歳以上千人あたり）" in table.columns  # the column QA lost off the right edge
    assert table["65歳以上（人）"].sum() == pytest.approx(city["pop65"], abs=len(table))
    assert_each_table_says_its_year_once(at, "2025年推計")
    text = page_text(at)
    for words in ("2025年（推計）の人口で表示しています", "転入・転出", "新しい住宅", "第23回生命表",
                  "集いの場・候補会場は今のまま", "圏域の比較（カバー率の低い順）【2025年推計】",
                  "距離を変えると（65歳以上のカバー率）【2025年推計】", "ひとつの場に頼っている人と、重要な場【2025年推計】",
                  "仮定で考える（シナリオ）【仮定・2025年推計】", "2025年推計（2020年"):
        assert words in text, words
    # the scenario's figures: one bracket for 仮定 and the year, never two
    assert "【仮定・2025年推計】徒歩圏外の65歳以上" in shown and not [m for m in shown if "】【" in m]
    # the legend under the scenario map says the year once, in its title (two of its lines are places)
    legend = next(c.value for c in at.caption if "仮定で加えた場" in c.value)
    assert legend.startswith("凡例（人数は2025年推計）：") and legend.count("推計") == 1, legend
    # a critical place's details: each figure marked (today's 約799人 is no longer true in 2025)
    details = next(m.value for m in at.markdown if "この場だけが徒歩500m圏にある65歳以上" in m.value)
    assert "【2025年推計】この場だけが徒歩500m圏にある65歳以上" in details
    assert "【2025年推計】徒歩圏の65歳以上" in details
    coverage_map, scenario_map = map_texts(at)
    assert "【2025年推計】65歳以上・75歳以上は推計" in coverage_map  # the map legend's title
    # and the areas' tooltips (inside the GeoJSON, where non-ASCII is \u-escaped)
    assert json.dumps("【2025年推計】錦町地区：徒歩500 m 圏の65歳以上")[1:-1] in coverage_map
    assert "【2025年推計】" in scenario_map
    labels = [b.label for b in at.download_button]
    assert "全圏域の地域カルテ PDF（2025年推計）" in labels  # short, one bracket; what is in it in help
    karte = next(b for b in at.download_button if b.label == "全圏域の地域カルテ PDF（2025年推計）")
    assert "市全体の要約" in karte.help and "2025年推計" in karte.help
    assert "【2025年推計】この表をCSVで保存" in labels  # the table's CSV (file name: coverage_500m_2025年推計.csv)

    at.radio(key=YEARS_KEY).set_value(10).run()
    assert metrics(at)["【2030年推計】徒歩圏外の65歳以上"] == (
        f"{demo_expected[10].loc['ALL', 'pop65'] - demo_expected[10].loc['ALL', 'pop65_covered']:,.0f} 人")
    assert_each_table_says_its_year_once(at, "2030年推計")
    at.radio(key=YEARS_KEY).set_value(0).run()
    assert set(PLAIN_KPIS) <= set(metrics(at))
    assert "ahead" not in at.query_params
    assert "推計" not in " ".join(h for headers, _ in tables_with_titles(at) for h in headers
                                 if not re.search(r"\d{4}年（推計）", h))  # today: as it always was
    assert "ひとつの場に頼っている人と、重要な場" in [s.value for s in at.subheader]
    assert "【仮定】徒歩圏外の65歳以上" in metrics(at)


def test_a_link_with_ahead_opens_on_that_year(coordinator_app, demo_expected):
    coordinator_app.query_params["ahead"] = "10"
    at = on_coverage(coordinator_app)
    assert at.radio(key=YEARS_KEY).value == 10
    city = demo_expected[10].loc["ALL"]
    assert metrics(at)["【2030年推計】徒歩圏の65歳以上"] == f"{city['coverage65']:.1%}"


def test_an_unknown_ahead_in_the_link_is_today(coordinator_app):
    coordinator_app.query_params["ahead"] = "7"
    at = on_coverage(coordinator_app)
    assert at.radio(key=YEARS_KEY).value == 0
    assert set(PLAIN_KPIS) <= set(metrics(at))


# --- 新座市: its own 町丁目 bands ------------------------------------------------------------------

@pytest.fixture(scope="module")
def niiza_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("niiza_coverage_future") / "store.sqlite"
    set_up_niiza(db)
    engine = open_store(f"sqlite:///{db}")
    add_user(engine, "chief", "pass1234", "admin")
    engine.dispose()
    return db


def hand_65_by_town_code(db, steps: int) -> dict[str, float]:
    with sqlite3.connect(db) as connection:
        code_of = {_town_name(name): code for name, code in
                   connection.execute("select name, code from towns where municipality_code = ?", (NIIZA,))}
    return {code_of[_town_name(town)]: sum(sum(shifted(by_sex[key], sex, steps)[13:])
                                           for sex, key in ((1, "男"), (2, "女")))
            for town, by_sex in _raw_age_rows().items() if town != "合計"}


def test_niiza_in_2032_from_its_own_bands(monkeypatch, niiza_db, tmp_path):
    db = copy_store(niiza_db, tmp_path / "niiza.sqlite")
    app = app_on(monkeypatch, db, AuthenticatedUser("chief", "admin"))
    at = on_coverage(app)
    assert at.radio(key=YEARS_KEY).options == ["2022年（人口データの時点）", "2027年（推計・データの5年後）", "2032年（推計・データの10年後）"]
    at.radio(key=YEARS_KEY).set_value(10).run()
    assert not at.exception, at.exception
    # per area: the hand-shifted 65+ of its 町丁目
    table = ranking(at)
    assert "圏域の比較（カバー率の低い順）【2032年推計】" in page_text(at)
    with sqlite3.connect(db) as connection:
        area_ids = dict(connection.execute("select name, id from areas where municipality_code = ?", (NIIZA,)))
    expected = expected_area_65(db, 2)
    for name, shown in zip(table["圏域"], table["65歳以上（人）"]):
        assert shown == round(expected[area_ids[name]]), name
    # the city's share: the 町丁目 within walking distance today, weighted by their hand-shifted 65+
    engine = create_engine(f"sqlite:///{db}")
    try:
        today = coverage.compute(reads.areas(engine, NIIZA), scenarios.units_for(engine, NIIZA, 0),
                                 reads.places(engine, NIIZA, internal=True), coverage.CoverageQuery(), PREFECTURE)
    finally:
        engine.dispose()
    covered = set(today.units.loc[today.units["covered"], "unit"])
    by_town = hand_65_by_town_code(db, 2)
    share = sum(v for code, v in by_town.items() if code in covered) / sum(by_town.values())
    shown = float(metrics(at)["【2032年推計】徒歩圏の65歳以上"].rstrip("%")) / 100
    assert shown == pytest.approx(share, abs=0.0005)
    text = page_text(at)
    assert "町丁目別の年齢別人口" in text and "転入・転出" in text


# --- the karte's own year on the data page ----------------------------------------------------------

def test_the_data_pages_karte_has_a_year_choice(coordinator_app, monkeypatch, demo_db_url):
    coordinator_app.run()
    at = coordinator_app.switch_page("../pages/data.py").run()
    assert not at.exception, at.exception
    at.radio(key="tsudoi_karte_years").set_value(10).run()
    at.selectbox(key="tsudoi_data_karte_area").set_value("nishiki").run()
    labels = [b.label for b in at.download_button]
    assert "錦町地区の地域カルテ PDF（2030年推計）" in labels
    assert "全圏域の地域カルテ PDF（2030年推計）" in labels
    assert "転入・転出" in page_text(at)
    from dashboard.ui import karte_view

    monkeypatch.setenv("DATABASE_URL", demo_db_url)
    pdf = karte_view._pdf(CODE, ["nishiki"], 10)()
    assert pdf.startswith(b"%PDF")
