"""dashboard.coverage on the real 蕨市 demo store (read-only), read from each backend (SQLite and
PostgreSQL + PostGIS); on both the same figures, and the very same table.

Expected values come from an independent path: places filtered here from the store's rows,
distances measured here with geopandas in EPSG:6677 (埼玉 = 平面直角座標系 IX), sums done here.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from sqlalchemy import create_engine

from dashboard import coverage, vocab
from dashboard.store import reads
from tests.conftest import BACKENDS

CODE = "11223"  # 蕨市
PREFECTURE = 11
METRIC = "EPSG:6677"
AREA_IDS = ["nishiki", "kita", "chuo", "minami", "tsukagoshi"]


def read_inputs(url: str) -> dict:
    engine = create_engine(url)
    try:
        return {
            "areas": reads.areas(engine, CODE),
            "cells": reads.population_cells(engine, CODE),
            "towns": reads.towns(engine, CODE),
            "places": reads.places(engine, CODE, internal=True),
            "candidates": reads.candidate_venues(engine, CODE),
        }
    finally:
        engine.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def demo_url(request) -> str:
    """The demo store on each backend (read-only by convention)."""
    if request.param == "sqlite":
        yield request.getfixturevalue("demo_db_url")
        return
    server = request.getfixturevalue("pg_server")
    url = server.create(request.getfixturevalue("pg_demo_template"))
    yield url
    server.drop(url)


@pytest.fixture(scope="module")
def store(demo_url):
    return read_inputs(demo_url)


@pytest.fixture(scope="module")
def units(store):
    return coverage.build_units(store["areas"], store["cells"], store["towns"], PREFECTURE)


def run(store, units, **query):
    return coverage.compute(store["areas"], units, store["places"], coverage.CoverageQuery(**query), PREFECTURE)


def my_counted(places: pd.DataFrame, categories=vocab.GATHERING_CATEGORIES) -> pd.DataFrame:
    """Active places of the given categories, any frequency (domain.md §4), filtered here."""
    return places[(places["status"] == "active") & places["category"].isin(list(categories))]


def metric_points(frame: pd.DataFrame) -> gpd.GeoSeries:
    return gpd.GeoSeries(gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326").to_crs(METRIC)


def distance_matrix(units: gpd.GeoDataFrame, points: gpd.GeoSeries) -> np.ndarray:
    """units × points straight-line metres, measured by geopandas (one column per point)."""
    unit_points = gpd.GeoSeries(gpd.points_from_xy(units["x_m"], units["y_m"]), crs=METRIC)
    return np.column_stack([unit_points.distance(p).to_numpy() for p in points]) if len(points) else \
        np.full((len(units), 0), np.inf)


# --- counted_places --------------------------------------------------------------------------

def test_counted_places_default_is_active_gathering_places_only(store):
    places = store["places"]
    counted = coverage.counted_places(places, coverage.CoverageQuery())
    assert set(counted["status"]) == {"active"}
    assert set(counted["category"]) <= set(vocab.GATHERING_CATEGORIES)
    assert not {"公民館・集会所", "介護サービス事業所", "生活支援サービス"} & set(counted["category"])
    assert sorted(counted["id"]) == sorted(my_counted(places)["id"])
    # the demo has paused 居場所: present in the store, never counted
    paused = places[(places["status"] != "active") & places["category"].isin(vocab.GATHERING_CATEGORIES)]
    assert len(paused) > 0
    assert not set(paused["id"]) & set(counted["id"])


def test_counted_places_venues_and_providers_count_only_when_chosen(store):
    places = store["places"]
    chosen = coverage.counted_places(places, coverage.CoverageQuery(categories=("公民館・集会所", "サロン")))
    assert set(chosen["category"]) == {"公民館・集会所", "サロン"}
    assert sorted(chosen["id"]) == sorted(my_counted(places, ("公民館・集会所", "サロン"))["id"])
    care = coverage.counted_places(places, coverage.CoverageQuery(categories=("介護サービス事業所",)))
    assert len(care) == ((places["category"] == "介護サービス事業所") & (places["status"] == "active")).sum() > 0


def test_counted_places_frequency_nests_weekly_in_monthly_in_any(store):
    places = store["places"]
    ids = {f: set(coverage.counted_places(places, coverage.CoverageQuery(frequency=f))["id"])
           for f in ("weekly", "monthly", "any")}
    assert ids["weekly"] <= ids["monthly"] <= ids["any"]
    assert 0 < len(ids["weekly"]) < len(ids["monthly"])
    by_id = places.set_index("id")
    assert set(by_id.loc[list(ids["weekly"]), "frequency_class"]) == {"weekly"}
    assert set(by_id.loc[list(ids["monthly"]), "frequency_class"]) <= {"weekly", "monthly"}
    # monthly = every active gathering place held at least monthly, none left out
    expected = my_counted(places)
    assert ids["monthly"] == set(expected[expected["frequency_class"].isin(["weekly", "monthly"])]["id"])


# --- build_units -----------------------------------------------------------------------------

def test_build_units_preserves_the_mesh_totals(store, units):
    assert units["pop65"].sum() == pytest.approx(store["cells"]["pop65"].sum(), rel=1e-6)
    assert units["pop75"].sum() == pytest.approx(store["cells"]["pop75"].sum(), rel=1e-6)
    assert (units["pop65"] >= 0).all()


def test_build_units_areas_are_known_and_points_lie_in_their_area(store, units):
    assert set(units["area_id"]) <= set(store["areas"]["area_id"])
    assert set(units["area_id"]) == set(AREA_IDS)
    assert units.crs.to_epsg() == 6677
    areas_m = store["areas"].to_crs(METRIC).set_index("area_id").geometry
    points = gpd.GeoSeries(gpd.points_from_xy(units["x_m"], units["y_m"]), crs=METRIC)
    # within 1 cm of the area (boundaries are shared between neighbours)
    assert all(areas_m[a].distance(p) < 0.01 for a, p in zip(units["area_id"], points))


# --- compute ---------------------------------------------------------------------------------

def test_compute_all_row_is_the_sum_of_the_areas(store, units):
    table = run(store, units).table.set_index("area_id")
    assert table.index.tolist() == AREA_IDS + ["ALL"]
    assert table.columns.tolist() == coverage.TABLE_COLUMNS[1:]
    for column in ("pop65", "pop65_covered", "pop75", "pop75_covered", "places"):
        assert table.at["ALL", column] == pytest.approx(table.loc[AREA_IDS, column].sum())
    assert table.at["ALL", "pop65"] == pytest.approx(units["pop65"].sum())
    assert table.at["ALL", "places"] == len(my_counted(store["places"]))
    assert table.at["ALL", "area_name"] == "市全体"
    assert ((table["coverage65"] >= 0) & (table["coverage65"] <= 1)).all()


def test_coverage_never_falls_as_the_distance_grows(store, units):
    tables = [run(store, units, distance_m=d).table.set_index("area_id") for d in (300, 500, 800, 1000)]
    for area in AREA_IDS + ["ALL"]:
        for column in ("coverage65", "coverage75"):
            values = [t.at[area, column] for t in tables]
            assert values == sorted(values), (area, column, values)
    # and the range is not degenerate: 300 m leaves people out in this city
    assert tables[0].at["ALL", "coverage65"] < tables[-1].at["ALL", "coverage65"]


def test_fewer_categories_or_stricter_frequency_never_raise_coverage(store, units):
    full = run(store, units).table.set_index("area_id")
    for narrower in (dict(categories=("サロン",)), dict(categories=("通いの場（体操）", "居場所")),
                     dict(frequency="weekly"), dict(frequency="monthly")):
        table = run(store, units, **narrower).table.set_index("area_id")
        assert (table["coverage65"] <= full["coverage65"] + 1e-12).all(), narrower
        assert (table["places"] <= full["places"]).all(), narrower


@pytest.mark.parametrize("distance_m", [300, 500])
def test_covered_units_really_have_a_counted_place_within_the_distance(store, units, distance_m):
    result = run(store, units, distance_m=distance_m)
    distances = distance_matrix(result.units, metric_points(my_counted(store["places"])))
    nearest = distances.min(axis=1)
    mine = nearest <= distance_m
    assert result.units["covered"].to_numpy().tolist() == mine.tolist()
    assert 0 < mine.sum() < len(mine)  # both kinds exist, so both directions are checked
    np.testing.assert_allclose(result.units["distance_m"].to_numpy(), nearest, atol=1e-6)
    # the table agrees with the covered population summed here, area by area
    frame = pd.DataFrame({"area_id": result.units["area_id"], "pop65": result.units["pop65"], "covered": mine})
    expected = frame[frame["covered"]].groupby("area_id")["pop65"].sum() / frame.groupby("area_id")["pop65"].sum()
    table = result.table.set_index("area_id")
    for area in AREA_IDS:
        assert table.at[area, "coverage65"] == pytest.approx(expected.get(area, 0.0))


def test_no_counted_places_means_no_coverage(store, units):
    # the demo has no active 子ども食堂: nothing counts, nobody is covered, no crash
    assert my_counted(store["places"], ("子ども食堂",)).empty
    result = run(store, units, categories=("子ども食堂",))
    assert not result.units["covered"].any()
    assert (result.table["coverage65"] == 0).all()
    assert (result.table["places"] == 0).all()


# --- sensitivity -----------------------------------------------------------------------------

def test_sensitivity_matches_separate_compute_calls(store, units):
    query = coverage.CoverageQuery(frequency="monthly")
    table = coverage.sensitivity(store["areas"], units, store["places"], query, PREFECTURE)
    assert table.columns.tolist() == [300, 500, 800, 1000]
    assert len(table) == len(AREA_IDS) + 1
    for distance in (300, 500, 800, 1000):
        single = run(store, units, distance_m=distance, frequency="monthly").table.set_index("area_name")
        assert table.index.tolist() == single.index.tolist()
        np.testing.assert_allclose(table[distance].to_numpy(), single["coverage65"].to_numpy())


# --- suggest ---------------------------------------------------------------------------------

@pytest.mark.parametrize("distance_m,k", [(300, 3), (500, 2)])
def test_suggest_gains_are_the_newly_covered_65_plus(store, units, distance_m, k):
    result = run(store, units, distance_m=distance_m)
    candidates = store["candidates"][["id", "name", "lat", "lon"]]
    picks = coverage.suggest(result, candidates, k, PREFECTURE)
    assert 0 < len(picks) <= k
    assert [set(p) for p in picks] == [{"candidate_id", "name", "lat", "lon", "gain65"}] * len(picks)
    assert len({p["candidate_id"] for p in picks}) == len(picks)

    # independent: who is uncovered (geopandas distance to the counted places), who each venue reaches
    to_places = distance_matrix(result.units, metric_points(my_counted(store["places"]))).min(axis=1)
    uncovered = to_places > distance_m
    pop65 = result.units["pop65"].to_numpy()
    reach = distance_matrix(result.units, metric_points(candidates)) <= distance_m  # units × candidates
    by_id = candidates.reset_index(drop=True).set_index("id")
    position = {cid: i for i, cid in enumerate(candidates["id"])}

    taken = np.zeros(len(pop65), dtype=bool)
    for number, pick in enumerate(picks):
        row = by_id.loc[pick["candidate_id"]]
        assert (pick["name"], pick["lat"], pick["lon"]) == (row["name"], row["lat"], row["lon"])
        new = reach[:, position[pick["candidate_id"]]] & uncovered & ~taken
        assert abs(pick["gain65"] - pop65[new].sum()) <= 0.5 + 1e-6, (number, pick, pop65[new].sum())
        # greedy: no other venue would have added more in this round
        best = max(pop65[reach[:, c] & uncovered & ~taken].sum() for c in range(len(candidates)))
        assert pop65[new].sum() == pytest.approx(best)
        taken |= new
    gains = [p["gain65"] for p in picks]
    assert gains == sorted(gains, reverse=True)
    assert all(g > 0 for g in gains)


def test_suggest_respects_k_and_empty_inputs(store, units):
    result = run(store, units, distance_m=300)
    candidates = store["candidates"][["id", "name", "lat", "lon"]]
    assert len(coverage.suggest(result, candidates, 1, PREFECTURE)) == 1
    assert coverage.suggest(result, candidates, 0, PREFECTURE) == []
    assert coverage.suggest(result, candidates.iloc[0:0], 3, PREFECTURE) == []
    first = coverage.suggest(result, candidates, 1, PREFECTURE)[0]
    assert coverage.suggest(result, candidates, 3, PREFECTURE)[0] == first


# --- CoverageQuery ---------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs,fragment", [
    (dict(categories=("謎",)), "謎"),
    (dict(categories=("サロン", "喫茶店")), "喫茶店"),
    (dict(frequency="daily"), "daily"),
    (dict(distance_m=0), "0"),
    (dict(distance_m=-300), "-300"),
])
def test_coverage_query_rejects_bad_values(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        coverage.CoverageQuery(**kwargs)


def test_coverage_query_defaults():
    query = coverage.CoverageQuery()
    assert (query.distance_m, query.frequency) == (500, "any")
    assert set(query.categories) == {"サロン", "通いの場（体操）", "通いの場（その他）", "老人クラブ", "居場所", "認知症カフェ"}


@pytest.mark.postgresql
def test_both_backends_give_the_same_inputs_and_the_same_coverage_table(demo_db_url, pg_server, pg_demo_template):
    """The demo built on PostgreSQL reads back as the SQLite one, geometries and floats bit for bit."""
    server_url = pg_server.create(pg_demo_template)
    try:
        on_server, embedded = read_inputs(server_url), read_inputs(demo_db_url)
    finally:
        pg_server.drop(server_url)
    for name in embedded:
        pd.testing.assert_frame_equal(on_server[name], embedded[name], check_exact=True)
    tables = [run(inputs, coverage.build_units(inputs["areas"], inputs["cells"], inputs["towns"], PREFECTURE),
                  distance_m=500).table for inputs in (on_server, embedded)]
    pd.testing.assert_frame_equal(*tables, check_exact=True)
