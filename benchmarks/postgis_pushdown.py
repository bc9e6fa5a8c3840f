"""Should coverage and area assignment be pushed down into PostGIS? Measured at prefecture scale.

Issue #13 asks to push spatial work into PostGIS *where it pays off* (ST_DWithin or KNN for coverage
candidates, ST_Intersects for area assignment) with results equal to the embedded backend's. This
benchmark answers "does it pay off?" on equal work with equal answers, in one run, on the SYNTHETIC
prefecture of :mod:`benchmarks.prefecture` (≈ 58,000 units, the counted places of 5,000, 500 m):

Coverage — every unit's nearest counted place and whether it lies within D:

- ``ours_warm``: :func:`geo.coverage.nearest_distance_m` on arrays the app already holds (the pages
  cache units and places by store revision, so this is what a page run pays);
- ``ours_cold``: the same after reading the units' and places' coordinates from the server (what a
  cold cache pays: one ``SELECT`` of x/y, then the KD-tree);
- ``postgis_dwithin``: ``EXISTS (… ST_DWithin(u.geom, p.geom, D))`` per unit, GiST-indexed — the
  covered set only;
- ``postgis_knn``: the KNN operator ``ORDER BY u.geom <-> p.geom LIMIT 1`` per unit (GiST-indexed) —
  the nearest distance, as ours returns it.

Area assignment — which municipality (polygon) each place lies in:

- ``ours``: geopandas ``sjoin(predicate="intersects")`` (an STRtree) on frames the app holds;
- ``postgis``: ``ST_Intersects`` join of places × polygons on the server, GiST-indexed.

Geometry on the server is stored in the prefecture's plane zone (EPSG:6677 for 埼玉県) from the very
same ``x_m``/``y_m`` the app computes with pyproj, so distances agree to floating-point rounding:
the covered sets must be equal, and distances equal within 1e-6 m, before any time is reported.

A server is needed: ``--url`` or ``$TSUDOI_BENCH_PG_URL`` / ``$TSUDOI_TEST_PG_URL`` (``./test.sh``
and ``scripts/test_postgres.sh`` start a throwaway cluster). The benchmark makes a database of its
own and drops it afterwards.

    .venv/bin/python benchmarks/postgis_pushdown.py --url postgresql+psycopg://… [--scale 1] [--repeat 3]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from benchmarks.common import row, timed  # noqa: E402
from benchmarks.prefecture import Prefecture, build  # noqa: E402
from dashboard import coverage  # noqa: E402
from geo.coverage import nearest_distance_m  # noqa: E402

DISTANCE_M = 500
URL_ENVS = ("TSUDOI_BENCH_PG_URL", "TSUDOI_TEST_PG_URL")


def server_url(url: str | None = None) -> str | None:
    """The PostgreSQL URL to measure on: ``url`` or the first of :data:`URL_ENVS` that is set."""
    return url or next((os.environ[k].strip() for k in URL_ENVS if os.environ.get(k, "").strip()), None)


class _Database:
    """A database of the benchmark's own on the server (``CREATE DATABASE`` … ``DROP``)."""

    def __init__(self, url: str):
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url
        from sqlalchemy.pool import NullPool

        base = make_url(url)
        self.name = f"tsudoi_bench_{os.getpid()}"
        self.admin = create_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{self.name}"'))
        self.engine = create_engine(base.set(database=self.name), poolclass=NullPool)

    def close(self) -> None:
        from sqlalchemy import text

        self.engine.dispose()
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


def _copy(connection, table: str, columns: str, frame: pd.DataFrame) -> None:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, header=False)
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)") as copy:
        copy.write(buffer.getvalue())


def _load(db: _Database, units: pd.DataFrame, places: pd.DataFrame, polygons: gpd.GeoDataFrame,
          metric_srid: int) -> None:
    """The units, counted places (EPSG:``metric_srid`` points from x_m/y_m) and municipality polygons
    (EPSG:4326), GiST-indexed and analysed — as a server store would hold them."""
    raw = db.engine.raw_connection()
    try:
        connection = raw.driver_connection
        with connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            cursor.execute("CREATE TABLE units (i integer PRIMARY KEY, x double precision, y double precision)")
            cursor.execute("CREATE TABLE places (i integer PRIMARY KEY, x double precision, y double precision,"
                           " lat double precision, lon double precision)")
            cursor.execute("CREATE TABLE towns (code text, wkt text)")
        _copy(connection, "units", "i, x, y", units)
        _copy(connection, "places", "i, x, y, lat, lon", places)
        _copy(connection, "towns", "code, wkt", pd.DataFrame({"code": polygons["code"].astype(str),
                                                              "wkt": polygons.geometry.to_wkt()}))
        with connection.cursor() as cursor:
            for table in ("units", "places"):
                cursor.execute(f"ALTER TABLE {table} ADD COLUMN geom geometry(Point, {metric_srid})")
                cursor.execute(f"UPDATE {table} SET geom = ST_SetSRID(ST_MakePoint(x, y), {metric_srid})")
                cursor.execute(f"CREATE INDEX ON {table} USING gist (geom)")
            cursor.execute("ALTER TABLE places ADD COLUMN geom4326 geometry(Point, 4326)")
            cursor.execute("UPDATE places SET geom4326 = ST_SetSRID(ST_MakePoint(lon, lat), 4326)")
            cursor.execute("CREATE INDEX ON places USING gist (geom4326)")
            cursor.execute("ALTER TABLE towns ADD COLUMN geom geometry(MultiPolygon, 4326)")
            cursor.execute("UPDATE towns SET geom = ST_Multi(ST_GeomFromText(wkt, 4326))")
            cursor.execute("CREATE INDEX ON towns USING gist (geom)")
            cursor.execute("ANALYZE")
        connection.commit()
    finally:
        raw.close()


def _query(db: _Database, sql: str, params: dict | None = None) -> list[tuple]:
    from sqlalchemy import text

    with db.engine.connect() as connection:
        return [tuple(r) for r in connection.execute(text(sql), params or {})]


def measure(prefecture: Prefecture, url: str, repeat: int = 3, distance_m: float = DISTANCE_M) -> dict:
    from geo.crs import projected_crs

    query = coverage.CoverageQuery(distance_m=int(distance_m))
    counted = coverage.counted_places(prefecture.places, query).reset_index(drop=True)
    cells = prefecture.cells.reset_index(drop=True)
    unit_xy = (cells["x_m"].to_numpy(), cells["y_m"].to_numpy())
    place_xy = (counted["x_m"].to_numpy(), counted["y_m"].to_numpy())
    metric_srid = projected_crs(11).to_epsg()
    polygons = prefecture.municipalities[["code", "geometry"]].reset_index(drop=True)
    places_gdf = gpd.GeoDataFrame({"i": np.arange(len(counted))},
                                  geometry=gpd.points_from_xy(counted["lon"], counted["lat"]), crs=4326)

    db = _Database(url)
    try:
        _load(db, pd.DataFrame({"i": np.arange(len(cells)), "x": unit_xy[0], "y": unit_xy[1]}),
              pd.DataFrame({"i": np.arange(len(counted)), "x": place_xy[0], "y": place_xy[1],
                            "lat": counted["lat"], "lon": counted["lon"]}), polygons, metric_srid)

        def ours_warm():
            return nearest_distance_m(unit_xy, place_xy)

        def ours_cold():
            units = np.array(_query(db, "SELECT x, y FROM units ORDER BY i"), dtype=float)
            places = np.array(_query(db, "SELECT x, y FROM places ORDER BY i"), dtype=float)
            return nearest_distance_m((units[:, 0], units[:, 1]), (places[:, 0], places[:, 1]))

        def postgis_dwithin():
            got = _query(db, "SELECT u.i FROM units u WHERE EXISTS (SELECT 1 FROM places p "
                             "WHERE ST_DWithin(u.geom, p.geom, :d))", {"d": float(distance_m)})
            return np.sort(np.array([r[0] for r in got], dtype=int))

        def postgis_knn():
            got = _query(db, "SELECT u.i, (SELECT u.geom <-> p.geom FROM places p ORDER BY u.geom <-> p.geom "
                             "LIMIT 1) FROM units u ORDER BY u.i")
            return np.array([r[1] for r in got], dtype=float)

        def ours_areas():
            joined = gpd.sjoin(places_gdf, polygons, predicate="intersects", how="inner")
            return sorted(zip(joined["i"].tolist(), joined["code"].astype(str).tolist()))

        def postgis_areas():
            return sorted(_query(db, "SELECT p.i, t.code FROM places p JOIN towns t "
                                     "ON ST_Intersects(p.geom4326, t.geom)"))

        warm, warm_s = timed(ours_warm, repeat)
        cold, cold_s = timed(ours_cold, repeat)
        within, within_s = timed(postgis_dwithin, repeat)
        knn, knn_s = timed(postgis_knn, max(1, repeat // 2))
        our_areas, our_areas_s = timed(ours_areas, repeat)
        pg_areas, pg_areas_s = timed(postgis_areas, repeat)
    finally:
        db.close()

    # equal answers before any time is reported
    covered = np.flatnonzero(warm <= distance_m)
    assert np.array_equal(warm, cold), "reading the coordinates back from the server changed them"
    assert np.array_equal(covered, within), (
        f"ST_DWithin covers {len(within):,} units, ours {len(covered):,}")
    assert np.allclose(knn, warm, rtol=0, atol=1e-6), "KNN distances differ from ours by more than 1e-6 m"
    assert our_areas == pg_areas, "ST_Intersects assigns places to other municipalities than sjoin"
    return {
        "postgis_coverage": row(
            warm_s, within_s, None, what="covered units at prefecture scale: ours (KD-tree on the arrays the page "
            "caches) vs PostGIS ST_DWithin push-down (GiST)", units=len(warm), places=len(counted),
            distance_m=distance_m, ours_cold_s=cold_s, postgis_dwithin_s=within_s, postgis_knn_s=knn_s,
            cold_ratio=round(cold_s / within_s, 4), covered_units=len(covered), answers_equal=True),
        "postgis_area_assignment": row(
            our_areas_s, pg_areas_s, None, what="places → municipality polygons: geopandas sjoin (STRtree) vs "
            "PostGIS ST_Intersects join (GiST)", places=len(counted), polygons=len(polygons),
            assigned=len(our_areas), answers_equal=True),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=None, help="postgresql+psycopg://… (default: $TSUDOI_BENCH_PG_URL, "
                                                    "$TSUDOI_TEST_PG_URL)")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    url = server_url(args.url)
    if not url:
        parser.error("no PostgreSQL server: pass --url or set TSUDOI_BENCH_PG_URL")
    print(json.dumps(measure(build(args.scale), url, args.repeat), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
