"""The store on a fresh database of each backend (a SQLite file; a PostgreSQL + PostGIS database):
migrations, geometry round-trip, transactions and revisions, and place upserts located in two tiny
hand-made 町丁目. What only a server has (PostGIS columns, GiST indexes) is at the end."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon, box
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import make_url

from dashboard.errors import InputError
from dashboard.importers.places import validate
from dashboard.store import models as m
from dashboard.store import reads, writes
from dashboard.store.engine import is_current, migrate, open_store, read_session, revision, write_session

CODE = "11223"
# Two towns 0.01° × 0.01° (≈ 900 m × 1,100 m) side by side near 蕨市: west (area w) and east (area e)
WEST = box(139.67, 35.82, 139.68, 35.83)
EAST = box(139.68, 35.82, 139.69, 35.83)
EXPECTED_TABLES = {"meta", "import_batches", "municipalities", "areas", "towns", "population_cells", "places",
                   "candidate_venues", "users"}


@pytest.fixture
def engine(store_url):
    if store_url.startswith("sqlite"):
        Path(make_url(store_url).database).touch()  # an empty file, as a sysadmin might create it
    engine = open_store(store_url)
    yield engine
    engine.dispose()


@pytest.fixture
def seeded(engine):
    """The store with a municipality, two areas and two towns."""
    with write_session(engine) as session:
        session.add(m.Municipality(code=CODE, name="蕨市", prefecture="埼玉県", boundary=WEST.union(EAST)))
        session.flush()
        session.add_all([m.Area(id="w", municipality_code=CODE, name="西", geometry=WEST),
                         m.Area(id="e", municipality_code=CODE, name="東", geometry=EAST)])
        session.flush()
        session.add_all([m.Town(code="t-w", municipality_code=CODE, name="西町1丁目", oaza="西町", area_id="w", geometry=WEST),
                         m.Town(code="t-e", municipality_code=CODE, name="東町1丁目", oaza="東町", area_id="e", geometry=EAST)])
    return engine


def place_records(rows: list[dict]) -> list[dict]:
    frame = pd.DataFrame([{"category": "サロン", **{k: str(v) for k, v in row.items()}} for row in rows])
    return validate(frame, "t.csv")


def upsert(engine, records):
    with write_session(engine) as session:
        batch = writes.add_batch(session, "places", "t.csv", "0" * 64, len(records))
        return writes.upsert_places(session, records, municipality_code=CODE, prefecture_code=11,
                                    batch_id=batch, source_name="t.csv")


def place_count(engine) -> int:
    return len(reads.places(engine, CODE, internal=True))


# --- schema ----------------------------------------------------------------------------------------

def test_migrating_an_empty_file_creates_every_table_at_head(engine):
    assert EXPECTED_TABLES <= set(inspect(engine).get_table_names())
    assert is_current(engine)
    assert revision(engine) == 0
    assert all(count == 0 for count in reads.counts(engine).values())


def test_migrating_again_is_harmless(engine):
    migrate(engine)
    assert is_current(engine)
    assert revision(engine) == 0


def test_a_fresh_in_memory_database_is_not_current_until_migrated():
    from dashboard.store.engine import make_engine

    engine = make_engine("sqlite://")
    assert not is_current(engine)


# --- geometry ----------------------------------------------------------------------------------------

def test_geometry_round_trips_exactly_including_holes_and_multipolygons(engine):
    with_hole = Polygon([(139.6, 35.8), (139.7, 35.8), (139.7, 35.9), (139.6, 35.9)],
                        holes=[[(139.62, 35.82), (139.64, 35.82), (139.64, 35.84), (139.62, 35.84)]])
    multi = MultiPolygon([box(139.600001, 35.800001, 139.61, 35.81), box(139.65, 35.85, 139.660000123456789, 35.86)])
    with write_session(engine) as session:
        session.add(m.Municipality(code=CODE, name="蕨市", prefecture="埼玉県", boundary=multi))
        session.add(m.Municipality(code="11224", name="戸田市", prefecture="埼玉県", boundary=None))
        session.flush()
        session.add(m.Area(id="a", municipality_code=CODE, name="A", geometry=with_hole))
    with read_session(engine) as session:
        boundary = session.scalar(select(m.Municipality.boundary).where(m.Municipality.code == CODE))
        empty = session.scalar(select(m.Municipality.boundary).where(m.Municipality.code == "11224"))
    assert boundary.geom_type == "MultiPolygon"
    assert shapely.equals_exact(boundary, multi, tolerance=0)
    assert empty is None
    area = reads.areas(engine, CODE)
    assert area.crs.to_epsg() == 4326
    assert shapely.equals_exact(area.geometry.iloc[0], with_hole, tolerance=0)
    assert len(area.geometry.iloc[0].interiors) == 1


def test_geometry_is_stored_two_dimensional(engine):
    with write_session(engine) as session:
        session.add(m.Municipality(code=CODE, name="蕨市", prefecture="埼玉県",
                                   boundary=Polygon([(0, 0, 5), (1, 0, 5), (1, 1, 5)])))
    boundary = reads.municipality_boundary(engine, CODE)
    assert not boundary.has_z


# --- transactions and the revision -------------------------------------------------------------------

def test_each_committed_write_session_bumps_the_revision_by_one(engine):
    assert revision(engine) == 0
    with write_session(engine) as session:
        writes.set_meta(session, "k", "v1")
    assert revision(engine) == 1
    with write_session(engine) as session:
        writes.set_meta(session, "k", "v2")
    assert revision(engine) == 2
    assert reads.meta(engine)["k"] == "v2"


def test_a_failing_write_session_leaves_the_store_unchanged_and_the_revision_unbumped(engine):
    with write_session(engine) as session:
        session.add(m.Municipality(code=CODE, name="蕨市", prefecture="埼玉県"))
    before_revision, before_counts = revision(engine), reads.counts(engine)

    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        with write_session(engine) as session:
            session.add(m.Municipality(code="11224", name="戸田市", prefecture="埼玉県"))
            writes.add_batch(session, "places", "x.csv", "0" * 64, 1)
            session.flush()  # really sent to the database before the failure
            raise Boom
    assert revision(engine) == before_revision == 1
    assert reads.counts(engine) == before_counts
    assert reads.municipalities(engine)["code"].tolist() == [CODE]


def test_an_input_error_inside_a_write_session_rolls_back(seeded):
    before = revision(seeded), place_count(seeded)
    records = place_records([{"name": "中", "lat": 35.825, "lon": 139.675},
                             {"name": "遠い", "lat": 35.825, "lon": 139.60}])
    with pytest.raises(InputError):
        upsert(seeded, records)
    assert (revision(seeded), place_count(seeded)) == before


# --- places: location, upsert, versions ----------------------------------------------------------------

def test_places_get_town_and_area_from_their_coordinates(seeded):
    counts = upsert(seeded, place_records([{"id": "p1", "name": "西のサロン", "lat": 35.825, "lon": 139.675},
                                           {"id": "p2", "name": "東のサロン", "lat": 35.825, "lon": 139.685}]))
    assert counts == {"new": 2, "changed": 0, "unchanged": 0}
    places = reads.places(seeded, CODE, internal=True).set_index("id")
    assert (places.at["p1", "area_id"], places.at["p1", "town_code"]) == ("w", "t-w")
    assert (places.at["p2", "area_id"], places.at["p2", "town_code"]) == ("e", "t-e")
    assert places["version"].tolist() == [1, 1]


def test_a_point_just_outside_within_tolerance_goes_to_the_nearest_town(seeded):
    # 0.001° of longitude at 35.8°N ≈ 90 m: within the 300 m tolerance, west of the west town
    upsert(seeded, place_records([{"id": "p1", "name": "境界の外", "lat": 35.825, "lon": 139.669}]))
    place = reads.places(seeded, CODE, internal=True).iloc[0]
    assert (place["town_code"], place["area_id"]) == ("t-w", "w")


def test_points_far_outside_are_rejected_naming_their_rows(seeded):
    # 0.01° ≈ 900 m west of the west edge; 0.01° of latitude ≈ 1.1 km north of the north edge
    records = place_records([{"name": "ok", "lat": 35.825, "lon": 139.675},
                             {"name": "west", "lat": 35.825, "lon": 139.66},
                             {"name": "north", "lat": 35.84, "lon": 139.685}])
    with pytest.raises(InputError) as error:
        upsert(seeded, records)
    assert [(p.row, p.column) for p in error.value.problems] == [(3, "lat/lon"), (4, "lat/lon")]
    assert place_count(seeded) == 0


def test_reimport_counts_unchanged_and_an_edit_bumps_the_version(seeded):
    rows = [{"id": "p1", "name": "サロン", "lat": 35.825, "lon": 139.675},
            {"id": "p2", "name": "体操", "lat": 35.825, "lon": 139.685}]
    upsert(seeded, place_records(rows))
    assert upsert(seeded, place_records(rows)) == {"new": 0, "changed": 0, "unchanged": 2}
    rows[1] = {**rows[1], "name": "体操（改名）", "lon": 139.676}  # renamed and moved west
    assert upsert(seeded, place_records(rows)) == {"new": 0, "changed": 1, "unchanged": 1}
    places = reads.places(seeded, CODE, internal=True).set_index("id")
    assert places.at["p2", "name"] == "体操（改名）"
    assert places.at["p2", "version"] == 2 and places.at["p1", "version"] == 1
    assert places.at["p2", "area_id"] == "w"  # re-derived from the new coordinates


def test_public_read_hides_internal_places_and_fields(seeded):
    upsert(seeded, place_records([
        {"id": "pub", "name": "公開サロン", "lat": 35.825, "lon": 139.675, "visibility": "public",
         "contact_internal": "090-0000-0000", "notes": "鍵は隣家"},
        {"id": "int", "name": "個人宅", "lat": 35.825, "lon": 139.676, "visibility": "internal"},
    ]))
    public = reads.places(seeded, CODE, internal=False)
    assert public["id"].tolist() == ["pub"]
    assert not {"contact_internal", "notes", "visibility"} & set(public.columns)
    internal = reads.places(seeded, CODE, internal=True)
    assert internal.set_index("id").at["pub", "contact_internal"] == "090-0000-0000"


def test_clear_municipality_removes_its_rows(seeded):
    upsert(seeded, place_records([{"id": "p1", "name": "a", "lat": 35.825, "lon": 139.675}]))
    with write_session(seeded) as session:
        writes.clear_municipality(session, CODE)
    counts = reads.counts(seeded)
    assert (counts["municipalities"], counts["areas"], counts["towns"], counts["places"]) == (0, 0, 0, 0)


def test_locating_points_without_towns_is_an_input_error(engine):
    with write_session(engine) as session:
        session.add(m.Municipality(code=CODE, name="蕨市", prefecture="埼玉県"))
    with pytest.raises(InputError):
        upsert(engine, place_records([{"name": "a", "lat": 35.825, "lon": 139.675}]))


# --- what only the server has --------------------------------------------------------------------------

def on_postgresql(test):
    """Run ``test`` with the PostgreSQL ``store_url`` only (SQLite has WKB blobs and no spatial index)."""
    return pytest.mark.postgresql(pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)(test))


SPATIAL_COLUMNS = {("municipalities", "boundary"), ("areas", "geometry"), ("towns", "geometry"),
                   ("population_cells", "geometry")}


@on_postgresql
def test_geometries_are_postgis_columns_in_srid_4326_with_gist_indexes(engine):
    with engine.connect() as connection:
        columns = set(connection.execute(text(
            "SELECT f_table_name, f_geometry_column, srid, type FROM geometry_columns")).all())
        indexed = set(connection.execute(text(
            "SELECT t.relname, a.attname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "JOIN pg_class t ON t.oid = x.indrelid JOIN pg_am am ON am.oid = i.relam "
            "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(x.indkey) WHERE am.amname = 'gist'")).all())
    assert columns == {(table, column, 4326, "GEOMETRY") for table, column in SPATIAL_COLUMNS}
    assert indexed == SPATIAL_COLUMNS


@on_postgresql
def test_the_server_sees_the_geometries_python_wrote(seeded):
    """PostGIS answers spatial SQL on what shapely wrote: the towns' areas and which town holds a point."""
    with seeded.connect() as connection:
        # 0.01° × 0.01° boxes: area in square degrees, exactly 1e-4 each
        areas = dict(connection.execute(text("SELECT code, ST_Area(geometry) FROM towns")).all())
        holder = connection.scalar(text("SELECT code FROM towns WHERE ST_Intersects(geometry, "
                                        "ST_SetSRID(ST_MakePoint(139.685, 35.825), 4326))"))
    assert areas == pytest.approx({"t-w": 1e-4, "t-e": 1e-4})
    assert holder == "t-e"


@pytest.mark.postgresql
def test_migrating_creates_postgis_where_it_is_missing(pg_server):
    url = pg_server.create()  # from template1: no PostGIS
    try:
        engine = open_store(url)
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT extversion FROM pg_extension WHERE extname = 'postgis'"))
        assert is_current(engine)
        engine.dispose()
    finally:
        pg_server.drop(url)
