"""The 蕨市 demo store built from the real files in data/warabi (built once per session: conftest).

Expected values come from published facts (2015 census total 72,260), from the raw files read
here with the standard library, from geometry worked out in this file, and from the derived
町丁目 table that someone else computed independently (est2020 sums 75,193 / 17,059 / 8,810).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from shapely.geometry import box
from sqlalchemy import select

from dashboard.demo.build import build_demo
from dashboard.store import models as m
from dashboard.store import reads
from dashboard.store.engine import open_store, read_session, revision

CODE = "11223"
REPO = Path(__file__).resolve().parents[2]
RAW = REPO / "data" / "warabi" / "raw"
DERIVED = Path("/work/shared/data/warabi/derived/warabi_chome_attributes.csv")
SAMPLE_LABEL = "サンプル（架空）"
REAL_SOURCES = {"国土地理院 指定緊急避難場所・指定避難所データ", "厚生労働省 介護サービス情報公表システム オープンデータ"}


@pytest.fixture(scope="module")
def engine(demo_engine):
    return demo_engine


@pytest.fixture(scope="module")
def towns(engine):
    return reads.towns(engine, CODE)


@pytest.fixture(scope="module")
def cells(engine):
    return reads.population_cells(engine, CODE)


@pytest.fixture(scope="module")
def areas(engine):
    return reads.areas(engine, CODE)


@pytest.fixture(scope="module")
def places(engine):
    return reads.places(engine, CODE, internal=True)


def raw_mesh_rows() -> list[dict]:
    with (RAW / "estat_tblT001142Q5339_subset_warabi.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def cell_box(code: str):
    """JIS X 0410 250 m cell, computed here independently of geo.mesh."""
    d = [int(c) for c in code]
    lat_s = (d[0] * 10 + d[1]) * 2400 + d[4] * 300 + d[6] * 30
    lon_s = (d[2] * 10 + d[3]) * 3600 + d[5] * 450 + d[7] * 45
    size_lat, size_lon = 30.0, 45.0
    for q in d[8:]:
        size_lat, size_lon = size_lat / 2, size_lon / 2
        lat_s += size_lat if q in (3, 4) else 0
        lon_s += size_lon if q in (2, 4) else 0
    return box(100 + lon_s / 3600, lat_s / 3600, 100 + (lon_s + size_lon) / 3600, (lat_s + size_lat) / 3600)


# --- towns and population ------------------------------------------------------------------------

def test_29_towns_with_the_2015_census_total(towns):
    assert len(towns) == 29
    assert int(towns["pop_2015"].sum()) == 72_260


def test_population_is_preserved_from_clipped_cells_to_towns_to_areas(towns, cells, areas):
    for column, town_column in (("pop_total", "est_pop_total"), ("pop65", "est_pop65"), ("pop75", "est_pop75")):
        cells_total = cells[column].sum()
        assert towns[town_column].sum() == pytest.approx(cells_total, rel=1e-6)
        assert areas[column].sum() == pytest.approx(cells_total, rel=1e-6)


def test_clipped_total_lies_between_the_cells_fully_inside_and_all_cells(towns, cells):
    rows = raw_mesh_rows()
    city = towns.union_all()
    all_cells = sum(int(r["T001142001"]) for r in rows)
    fully_inside = sum(int(r["T001142001"]) for r in rows if cell_box(r["KEY_CODE"]).within(city))
    clipped = cells["pop_total"].sum()
    assert 0 < fully_inside < clipped < all_cells


def test_each_stored_cell_is_its_raw_count_times_its_share_inside(engine):
    rows = {r["KEY_CODE"]: int(r["T001142001"]) for r in raw_mesh_rows()}
    with read_session(engine) as session:
        stored = session.execute(select(m.PopulationCell.mesh_code, m.PopulationCell.frac_inside,
                                        m.PopulationCell.pop_total, m.PopulationCell.raw_pop_total)).all()
    assert stored
    for code, frac, pop_total, raw_total in stored:
        assert raw_total == rows[code]
        assert 0 < frac <= 1
        assert pop_total == pytest.approx(raw_total * frac, rel=1e-9, abs=1e-9)


def test_town_estimates_agree_with_the_independently_derived_table(towns):
    with DERIVED.open(encoding="utf-8") as f:
        derived = {r["KEY_CODE"]: r for r in csv.DictReader(f)}
    # published sums of the derived table (SOURCES.md), ±0.5 %
    assert towns["est_pop_total"].sum() == pytest.approx(75_193, rel=0.005)
    assert towns["est_pop65"].sum() == pytest.approx(17_059, rel=0.005)
    assert towns["est_pop75"].sum() == pytest.approx(8_810, rel=0.005)
    assert set(towns["code"]) == set(derived)
    for town in towns.itertuples():
        row = derived[town.code]
        assert town.pop_2015 == int(row["pop_2015"])
        assert town.est_pop_total == pytest.approx(float(row["est2020_pop_total"]), rel=0.005, abs=1.0)
        assert town.est_pop65 == pytest.approx(float(row["est2020_age65p"]), rel=0.005, abs=1.0)


def test_towns_have_their_geolonia_representative_point(towns):
    from dashboard.normalize import chome_arabic

    points = json.loads((RAW / "geolonia_japanese-addresses_蕨市.json").read_text(encoding="utf-8"))
    expected = {chome_arabic(p["town"]): (float(p["lat"]), float(p["lng"])) for p in points}
    for town in towns.itertuples():
        assert (town.rep_lat, town.rep_lon) == pytest.approx(expected[town.name], abs=1e-9)


# --- areas -------------------------------------------------------------------------------------------

def test_five_demo_areas_summing_their_towns(areas, towns):
    assert areas["area_id"].tolist() == ["nishiki", "kita", "chuo", "minami", "tsukagoshi"]  # file order
    assert areas["is_demo"].all()
    by_area = towns.groupby("area_id")["est_pop_total"].sum()
    for area in areas.itertuples():
        assert area.pop_total == pytest.approx(by_area[area.area_id], rel=1e-9)
    assert areas.to_crs("EPSG:6677").area.sum() == pytest.approx(towns.to_crs("EPSG:6677").area.sum(), rel=1e-9)
    assert areas["pop65"].gt(0).all() and (areas["pop75"] <= areas["pop65"]).all()


# --- places ------------------------------------------------------------------------------------------

def test_40_to_60_sample_places_all_labelled_synthetic(places):
    samples = places[places["is_synthetic"]]
    assert 40 <= len(samples) <= 60
    assert samples["name"].str.contains(SAMPLE_LABEL, regex=False).all()
    assert samples["source"].str.contains(SAMPLE_LABEL, regex=False).all()
    assert samples["id"].str.startswith("demo-").all()


def test_real_places_keep_real_names_and_sources(places):
    real = places[~places["is_synthetic"]]
    names = set()
    for path in (RAW / "gsi_shelter_evacuation_112232.json", RAW / "gsi_shelter_emergency_112232.json"):
        names |= {f["properties"]["施設・場所名"] for f in json.loads(path.read_text(encoding="utf-8"))["features"]}
    for path in RAW.glob("mhlw_kaigo_via_helpmesearch_*_warabi.json"):
        names |= {r["name"] for r in json.loads(path.read_text(encoding="utf-8"))}
    for path in RAW.glob("mhlw_kaigo_[0-9]*_warabi.csv"):
        with path.open(encoding="utf-8") as f:
            names |= {r["事業所名"] for r in csv.DictReader(f)}
    # 14 public halls (7 公民館 + 7 会館/センター) and 41 MHLW providers (SOURCES.md)
    assert len(real) == 14 + 41
    assert set(real["name"]) <= names
    assert set(real["source"]) == REAL_SOURCES
    assert not real["name"].str.contains("サンプル").any()
    assert (real["visibility"] == "public").all()


def test_every_place_has_an_area_and_a_town(places):
    assert places["area_id"].notna().all()
    assert places["town_code"].notna().all()
    assert set(places["area_id"]) <= {"nishiki", "kita", "chuo", "minami", "tsukagoshi"}


def test_places_lie_inside_their_town_unless_placed_at_a_representative_point(engine, places, towns):
    by_code = towns.set_index("code").geometry
    from shapely.geometry import Point

    for place in places.itertuples():
        assert by_code[place.town_code].buffer(0.004).contains(Point(place.lon, place.lat)), place.id


def test_the_two_mhlw_rows_with_bad_coordinates_are_moved_to_their_town(places, towns):
    # Raw: 1171401225 通所介護 (中央5丁目9-14…) at 35.698°N and 1171400771 訪問介護 (北町1-9-12…) at
    # 35.763°N, 7–14 km south of 蕨市. Their towns' Geolonia points: 中央五丁目 35.823725, 139.680588;
    # 北町一丁目 35.82984, 139.682984. 1171400771 also runs 地域密着型通所介護, whose coordinates
    # (35.8282171, 139.6841908) are fine and must stay as they are.
    expected = {("1171401225", "通所介護"): ("中央5丁目", 35.823725, 139.680588),
                ("1171400771", "訪問介護"): ("北町1丁目", 35.82984, 139.682984)}
    code_of = dict(zip(towns["name"], towns["code"]))
    for (number, service), (town, lat, lon) in expected.items():
        rows = places[places["id"].str.startswith(f"mhlw-{number}-")
                      & places["notes"].str.startswith(f"サービスの種類: {service}")]
        assert len(rows) == 1, number
        place = rows.iloc[0]
        assert place["location_precision"] == "town"
        assert place["town_code"] == code_of[town]
        assert (place["lat"], place["lon"]) == pytest.approx((lat, lon), abs=1e-6)
        assert town in place["notes"]
    sibling = places[places["id"].str.startswith("mhlw-1171400771-")
                     & places["notes"].str.startswith("サービスの種類: 地域密着型通所介護")].iloc[0]
    assert (sibling["lat"], sibling["lon"]) == (35.8282171, 139.6841908)
    assert sibling["location_precision"] == "address"
    moved = places[~places["is_synthetic"] & (places["location_precision"] == "town")]
    assert len(moved) == 2  # no other real place was moved


def test_candidate_venues_are_the_14_halls(engine):
    venues = reads.candidate_venues(engine, CODE)
    assert len(venues) == 14
    assert set(venues["kind"]) == {"公民館", "集会・福祉施設"}
    assert venues["area_id"].notna().all()


def test_the_store_is_marked_as_demo_with_as_of_dates(engine):
    meta = reads.meta(engine, "11223")
    assert meta["demo"] == "true"
    assert {"population_as_of", "boundary_as_of", "facilities_as_of"} <= set(meta)
    assert revision(engine) >= 1


# --- reproducibility and re-running ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def second_build(tmp_path_factory):
    path = tmp_path_factory.mktemp("second_build") / "again.sqlite"
    engine = open_store(f"sqlite:///{path}")
    counts = build_demo(engine)
    yield engine, counts
    engine.dispose()


def test_a_second_build_into_another_file_is_identical(second_build, places, towns, areas):
    engine, counts = second_build
    again = reads.places(engine, CODE, internal=True)
    assert again["id"].tolist() == places["id"].tolist()
    assert again[["lat", "lon"]].to_numpy().tolist() == places[["lat", "lon"]].to_numpy().tolist()
    assert again["name"].tolist() == places["name"].tolist()
    assert again["rrule"].tolist() == places["rrule"].tolist()
    assert reads.towns(engine, CODE)["est_pop_total"].tolist() == towns["est_pop_total"].tolist()
    assert reads.areas(engine, CODE)["pop_total"].tolist() == areas["pop_total"].tolist()
    assert counts["towns"] == 29 and counts["areas"] == 5
    assert counts["places_real"] + counts["places_sample"] == len(places)


def test_rebuilding_the_same_store_replaces_rather_than_duplicates(second_build):
    engine, counts = second_build
    before, before_revision = reads.counts(engine), revision(engine)
    build_demo(engine)
    after = reads.counts(engine)
    for table in ("municipalities", "areas", "towns", "population_cells", "places", "candidate_venues", "users"):
        assert after[table] == before[table], table
    assert revision(engine) > before_revision
