"""Critical places, weekday opportunity, scenarios (仮定) and their CLI, on the demo and 新座市.

Oracles are independent of the code under test: unique coverage is checked against running the
whole coverage once per place without it; a saved scenario must give the very same table after a
reload; weekday figures on a hand-made city are worked out in comments.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from dashboard import coverage, fragility, scenario, weekday
from dashboard.cli import main
from dashboard.errors import InputError
from dashboard.services import scenarios
from dashboard.store import reads
from dashboard.store.engine import open_store, revision
from tests.dashboard.test_onboarding import NIIZA, set_up_niiza

WARABI = "11223"


@pytest.fixture(scope="module")
def demo(demo_db_path, tmp_path_factory):
    import shutil

    path = tmp_path_factory.mktemp("scenario_demo") / "store.sqlite"
    shutil.copy(demo_db_path, path)
    engine = open_store(f"sqlite:///{path}")
    yield path, engine
    engine.dispose()


def demo_inputs(engine):
    areas = reads.areas(engine, WARABI)
    units = coverage.build_units(areas, reads.population_cells(engine, WARABI), reads.towns(engine, WARABI), 11)
    return areas, units, reads.places(engine, WARABI, internal=True)


# --- critical places -------------------------------------------------------------------------------

def test_unique_coverage_equals_closing_each_place_on_the_demo(demo):
    _, engine = demo
    areas, units, places = demo_inputs(engine)
    query = coverage.CoverageQuery()
    base = coverage.compute(areas, units, places, query, 11)
    result = fragility.analyse(base, 11).places.set_index("place_id")
    base_uncovered = base.table.set_index("area_id").loc["ALL"]
    for place_id in base.places["id"]:
        closed = places.assign(status=np.where(places["id"] == place_id, "closed", places["status"]))
        city = coverage.compute(areas, units, closed, query, 11).table.set_index("area_id").loc["ALL"]
        lost65 = base_uncovered["pop65_covered"] - city["pop65_covered"]
        lost75 = base_uncovered["pop75_covered"] - city["pop75_covered"]
        assert result.at[place_id, "unique65"] == pytest.approx(lost65, abs=1e-6), place_id
        assert result.at[place_id, "unique75"] == pytest.approx(lost75, abs=1e-6), place_id
    assert (np.diff(fragility.analyse(base, 11).places["unique65"]) <= 0).all()  # ranked, most critical first


def test_reliance_shares_on_the_demo(demo):
    _, engine = demo
    areas, units, places = demo_inputs(engine)
    base = coverage.compute(areas, units, places, coverage.CoverageQuery(), 11)
    result = fragility.analyse(base, 11)
    table = result.reliance.set_index("area_id")
    # covered 65+ by reach equals the coverage table's (straight line both); single ≤ covered
    pd.testing.assert_series_equal(table.loc[base.table["area_id"], "pop65_covered"].reset_index(drop=True),
                                   base.table["pop65_covered"].rename("pop65_covered"), check_names=False)
    assert (table["pop65_single"] <= table["pop65_covered"] + 1e-9).all()
    # the city's single-place 65+ = the sum of every place's unique 65+
    assert table.at["ALL", "pop65_single"] == pytest.approx(result.places["unique65"].sum())


# --- weekday opportunity on a hand-made city ----------------------------------------------------------

def hand_city():
    """Two areas side by side (EPSG:6677 metres): west x<1000, east x≥1000; four point units."""
    areas = gpd.GeoDataFrame({"area_id": ["west", "east"], "area_name": ["西地区", "東地区"]},
                             geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)], crs="EPSG:6677")
    units = gpd.GeoDataFrame({"area_id": ["west", "west", "east", "east"], "pop65": [10.0, 30.0, 20.0, 40.0],
                              "pop75": [5.0, 10.0, 10.0, 20.0], "x_m": [100.0, 900.0, 1100.0, 1900.0],
                              "y_m": [500.0] * 4}, geometry=gpd.points_from_xy([100, 900, 1100, 1900], [500] * 4),
                             crs="EPSG:6677")
    return areas, units


def hand_places(areas):
    # p0 near the west unit u0 (100,500): 毎週月・水・金; p1 between u1 (900) and u2 (1100): 毎月第2火曜;
    # nothing near u3. D = 150 m.
    points = gpd.GeoSeries(gpd.points_from_xy([100, 1000], [520, 500]), crs="EPSG:6677").to_crs("EPSG:4326")
    return pd.DataFrame({"id": ["p0", "p1"], "name": ["月水金の体操", "第2火曜のサロン"], "category": ["サロン"] * 2,
                         "status": ["active"] * 2, "frequency_class": ["weekly", "monthly"],
                         "rrule": ["FREQ=WEEKLY;BYDAY=MO,WE,FR", "FREQ=MONTHLY;BYDAY=2TU"],
                         "area_id": ["west", "east"], "lat": points.y, "lon": points.x, "capacity": [np.nan] * 2,
                         "is_synthetic": [False] * 2})


def test_weekday_table_hand_case():
    areas, units = hand_city()
    places = hand_places(areas)
    # Saitama's zone IX is EPSG:6677: the prefecture code 11 makes coverage measure in it
    result = coverage.compute(areas.to_crs("EPSG:4326"), units, places, coverage.CoverageQuery(distance_m=150), 11)
    table = weekday.area_table(result, 11).set_index("area_id")
    # u0 (10): p0 → 月水金 = 3 days, 157/12 sessions a month (2025 has 52 Mondays, 53 Wednesdays, 52 Fridays);
    # u1 (30): p1 → 火, 1 session;
    # u2 (20): p1 → 火, 1; u3 (40): nothing.
    # west: ≥1 day (10 + 30)/40 = 1.0; ≥3 days 10/40 = 0.25; no Monday 30/40 = 0.75; no Tuesday 10/40 = 0.25;
    # sessions (10 × 157/12 + 30 × 1)/40 = 4.0208. east: ≥1 day 20/60; ≥3 days 0; no Tuesday 40/60; no Monday 1.0;
    # sessions 20 × 1 / 60. City: ≥1 60/100, ≥3 10/100, no Monday 90/100, sessions (130.83 + 30 + 20)/100 = 1.8083
    assert table.at["west", "weekdays_ge1_65"] == pytest.approx(1.0)
    assert table.at["west", "weekdays_ge3_65"] == pytest.approx(0.25)
    assert table.at["west", "no_activity_mo_65"] == pytest.approx(0.75)
    assert table.at["west", "no_activity_tu_65"] == pytest.approx(0.25)
    assert table.at["west", "sessions_per_month_65"] == pytest.approx((10 * 157 / 12 + 30) / 40)
    assert table.at["east", "weekdays_ge1_65"] == pytest.approx(20 / 60)
    assert table.at["east", "weekdays_ge3_65"] == pytest.approx(0.0)
    assert table.at["east", "no_activity_tu_65"] == pytest.approx(40 / 60)
    assert table.at["east", "no_activity_mo_65"] == pytest.approx(1.0)
    assert table.at["ALL", "weekdays_ge1_65"] == pytest.approx(0.6)
    assert table.at["ALL", "weekdays_ge3_65"] == pytest.approx(0.1)
    assert table.at["ALL", "no_activity_mo_65"] == pytest.approx(0.9)
    assert table.at["ALL", "sessions_per_month_65"] == pytest.approx((10 * 157 / 12 + 30 + 20) / 100)
    assert table.at["ALL", "no_activity_su_65"] == pytest.approx(1.0)
    row = table.reset_index().set_index("area_id").loc["west"]
    assert weekday.weekday_sentence(row, "MO", 150) == "月曜に徒歩150m以内で活動がない65歳以上：西地区 75%"


def test_rule_days():
    mask, sessions = weekday.rule_days("FREQ=WEEKLY;BYDAY=MO,WE,FR")  # 2025: 52 + 53 + 52 = 157 days
    assert mask == 0b10101 and sessions == pytest.approx(157 / 12)
    mask, sessions = weekday.rule_days("FREQ=MONTHLY;BYDAY=1TU,3TU")
    assert mask == 0b10 and sessions == pytest.approx(2.0)
    assert weekday.rule_days(None) == (0, 0.0)
    assert weekday.rule_days("nonsense") == (0, 0.0)


# --- scenarios ----------------------------------------------------------------------------------------

def test_scenario_json_round_trip_and_errors():
    what_if = scenario.Scenario(name="南町のサロン休止", distance_m=800, frequency="weekly", off=("demo-034",),
                                added=({"name": "仮の場", "lat": 35.82, "lon": 139.68},), years=5, note="試算")
    assert scenario.from_json(what_if.to_json()) == what_if
    with pytest.raises(InputError) as error:
        scenario.from_json('{"distance_m": -5, "added": [{"lat": 1, "lon": 2}], "colour": "red"}', source="x.json")
    text = " ".join(p.message_ja for p in error.value.problems)
    assert "colour" in text and "緯度・経度" in text and "条件" in text


def test_saved_scenario_gives_the_same_numbers_after_reload(demo):
    _, engine = demo
    areas, units, places = demo_inputs(engine)
    what_if = scenario.Scenario(name="錦町のサロンが休止したら", off=("demo-035",), distance_m=800,
                                added=({"name": "仮の場A", "lat": 35.8300, "lon": 139.6700},))
    before = scenario.run(areas, units, places, what_if, 11).table
    rev = revision(engine)
    stored = scenarios.save(engine, WARABI, what_if)
    assert revision(engine) == rev + 1
    assert "錦町のサロンが休止したら" in scenarios.names(engine, WARABI)
    again = scenarios.load(engine, WARABI, stored.name)
    assert again == what_if
    pd.testing.assert_frame_equal(scenario.run(areas, units, places, again, 11).table, before)
    pd.testing.assert_frame_equal(scenarios.run(engine, WARABI, again).table, before)
    # the switched-off place is not counted, the hypothetical one is, in the area its point lies in
    result = scenarios.run(engine, WARABI, again)
    assert "demo-035" not in set(result.places["id"])
    added = result.places[result.places["id"] == "hypo-1"]
    assert len(added) == 1 and added["area_id"].iloc[0] == "nishiki"
    scenarios.remove(engine, WARABI, stored.name)
    assert stored.name not in scenarios.names(engine, WARABI)
    with pytest.raises(InputError):
        scenarios.load(engine, WARABI, stored.name)


def test_scenarios_are_never_published(demo, tmp_path):
    from dashboard.services.publish import PUBLIC_CITY_FACTS

    assert not any(str(k).startswith(scenarios.PREFIX) for k in PUBLIC_CITY_FACTS)


def test_switching_off_the_most_critical_place_loses_its_unique_65(demo):
    _, engine = demo
    areas, units, places = demo_inputs(engine)
    base = coverage.compute(areas, units, places, coverage.CoverageQuery(), 11)
    top = fragility.analyse(base, 11).places.iloc[0]
    off = scenario.run(areas, units, places, scenario.Scenario(off=(top["place_id"],)), 11)
    lost = scenario.summary(off)["uncovered65"] - scenario.summary(base)["uncovered65"]
    assert lost == pytest.approx(top["unique65"])


# --- CLI -----------------------------------------------------------------------------------------------

def read_csv(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_cli_scenario_critical_and_run(demo, tmp_path, capsys):
    path, engine = demo
    out = tmp_path / "critical.csv"
    assert main(["--db", str(path), "scenario", "critical", "--distance", "500", "--out", str(out)]) == 0
    rows = read_csv(out)
    assert list(rows[0]) == ["place_id", "name", "area_id", "unique65", "unique75"]
    assert len(rows) == len(coverage.counted_places(reads.places(engine, WARABI, internal=True), coverage.CoverageQuery()))
    assert float(rows[0]["unique65"]) >= float(rows[-1]["unique65"])

    spec = tmp_path / "scenario.json"
    spec.write_text(json.dumps({"name": "top off", "off": [rows[0]["place_id"]]}), encoding="utf-8")
    table = tmp_path / "run.csv"
    assert main(["--db", str(path), "scenario", "run", str(spec), "--out", str(table)]) == 0
    run_rows = read_csv(table)
    assert list(run_rows[0]) == coverage.REQUIRED_COLUMNS
    base = tmp_path / "base.csv"
    assert main(["--db", str(path), "coverage", "--out", str(base)]) == 0
    city = {r["area_id"]: r for r in read_csv(base)}["ALL"]
    city_off = {r["area_id"]: r for r in run_rows}["ALL"]
    # the CSV says the same as the critical list: covered 65+ falls by exactly the place's unique 65+ (rounded 0.1)
    assert float(city["pop65_covered"]) - float(city_off["pop65_covered"]) == pytest.approx(float(rows[0]["unique65"]),
                                                                                           abs=0.06)

    spec.write_text(json.dumps({"off": ["no-such-place"]}), encoding="utf-8")
    assert main(["--db", str(path), "scenario", "run", str(spec), "--out", str(table)]) == 2
    assert "no-such-place" in capsys.readouterr().err


def test_cli_coverage_weekday_opportunity_appends_after_the_existing_columns(demo, tmp_path):
    path, _ = demo
    plain, extended = tmp_path / "plain.csv", tmp_path / "weekday.csv"
    assert main(["--db", str(path), "coverage", "--out", str(plain)]) == 0
    assert main(["--db", str(path), "coverage", "--weekday-opportunity", "--out", str(extended)]) == 0
    plain_rows, rows = read_csv(plain), read_csv(extended)
    assert list(rows[0]) == coverage.REQUIRED_COLUMNS + weekday.COLUMNS
    for before, after in zip(plain_rows, rows):
        assert {k: after[k] for k in before} == before  # existing columns unchanged
    assert all(0 <= float(r["weekdays_ge3_65"]) <= float(r["weekdays_ge1_65"]) <= 1 for r in rows)


@pytest.fixture(scope="module")
def niiza_path(tmp_path_factory):
    db = tmp_path_factory.mktemp("niiza_scenarios") / "store.sqlite"
    set_up_niiza(db)
    return db


def test_niiza_critical_places_and_future_scenario(niiza_path, tmp_path):
    out = tmp_path / "critical.csv"
    assert main(["--db", str(niiza_path), "scenario", "critical", "--municipality", NIIZA, "--out", str(out)]) == 0
    rows = read_csv(out)
    engine = open_store(f"sqlite:///{niiza_path}")
    try:
        counted = coverage.counted_places(reads.places(engine, NIIZA, internal=True), coverage.CoverageQuery())
        assert {r["place_id"] for r in rows} == set(counted["id"])
        spec = tmp_path / "future.json"
        spec.write_text(json.dumps({"name": "10年後", "years": 10}), encoding="utf-8")
        table = tmp_path / "future.csv"
        assert main(["--db", str(niiza_path), "scenario", "run", str(spec), "--municipality", NIIZA,
                     "--out", str(table)]) == 0
        future = {r["area_id"]: r for r in read_csv(table)}["ALL"]
        towns = reads.towns(engine, NIIZA)
        assert float(future["pop65"]) != pytest.approx(float(towns["est_pop65"].sum()))
    finally:
        engine.dispose()


def test_karte_prints_a_page_per_saved_scenario_marked_assumed(demo, tmp_path):
    import shutil
    import subprocess

    from dashboard.karte.pdf import build_karte

    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils (pdftotext) not installed")
    path, engine = demo
    areas = reads.areas(engine, WARABI)
    before = build_karte(engine, WARABI, [areas["area_id"].iloc[0]], tmp_path / "plain.pdf")
    counted = coverage.counted_places(reads.places(engine, WARABI, internal=True), coverage.CoverageQuery())
    scenarios.save(engine, WARABI, scenario.Scenario(name="カルテ用の仮定", off=(counted["id"].iloc[0],), years=5))
    try:
        pages = build_karte(engine, WARABI, [areas["area_id"].iloc[0]], tmp_path / "with.pdf")
        assert pages == before + 1
        text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "with.pdf"), "-"], capture_output=True,
                              text=True, check=True, timeout=120).stdout
        info = subprocess.run(["pdfinfo", str(tmp_path / "with.pdf")], capture_output=True, text=True,
                              timeout=120).stdout
        assert f"Pages:          {pages}" in info or f"Pages: {pages}" in " ".join(info.split())
        last = text.split("\f")[pages - 1]
        assert "仮定：カルテ用の仮定" in last and "試算" in last
        assert "推計" in last and "転入・転出" in last.replace("\n", "").replace(" ", "")
        result = scenarios.run(engine, WARABI, scenarios.load(engine, WARABI, "カルテ用の仮定"))
        city = result.table.set_index("area_id").loc["ALL"]
        assert f"{city['pop65'] - city['pop65_covered']:,.0f}" in last
    finally:
        scenarios.remove(engine, WARABI, "カルテ用の仮定")
