"""Column types shared by the embedded store (SQLite) and the server store (PostgreSQL + PostGIS)."""

from __future__ import annotations

import shapely
from geoalchemy2 import Geometry as PostGISGeometry
from geoalchemy2.elements import WKBElement
from sqlalchemy import LargeBinary
from sqlalchemy.types import TypeDecorator

# GeoAlchemy2 is imported here, with the models, and not when a PostgreSQL statement is first compiled:
# on import it registers table-creation hooks, and a hook registered in the middle of a CREATE TABLE
# sees only the second half of it (KeyError '_saved_columns'). Its hooks leave our columns alone on
# every backend (they manage only columns whose type says ``use_typmod=False``).

#: Every stored geometry is longitude/latitude on WGS 84 / JGD2011 (EPSG:4326).
STORAGE_SRID = 4326


def _is_postgresql(dialect) -> bool:
    return getattr(dialect, "name", None) == "postgresql"  # GeoAlchemy2 asks with dialect None


class Geometry(TypeDecorator):
    """A shapely geometry in EPSG:4326, two-dimensional.

    - SQLite: a BLOB holding ISO WKB.
    - PostgreSQL: a PostGIS ``geometry(GEOMETRY, 4326)`` column through GeoAlchemy2, so the server can
      index it (GiST, migration 0007) and answer spatial SQL. Values travel as hex EWKB both ways
      (``ST_GeomFromEWKT`` accepts it; ``ST_AsEWKB`` returns it) — never as WKT, whose text
      rounding would change coordinates.

    Either way Python code reads and writes plain shapely geometries, and a geometry read back is
    exactly the one written (coordinates bit for bit), so both backends give identical results.
    """

    impl = LargeBinary
    cache_ok = True
    #: Read by GeoAlchemy2's table-creation hooks: no index of theirs (migration 0007 creates ours)
    spatial_index = False

    def load_dialect_impl(self, dialect):
        if _is_postgresql(dialect):
            # spatial_index=False: GeoAlchemy2 would name and create its own index when a table is
            # created; ours are created by the migrations, under names we choose
            return dialect.type_descriptor(PostGISGeometry(geometry_type="GEOMETRY", srid=STORAGE_SRID,
                                                           spatial_index=False))
        return LargeBinary() if dialect is None else dialect.type_descriptor(LargeBinary())

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if _is_postgresql(dialect):
            ewkb = shapely.to_wkb(shapely.set_srid(value, STORAGE_SRID), output_dimension=2, include_srid=True)
            return WKBElement(ewkb, srid=STORAGE_SRID, extended=True)
        return shapely.to_wkb(value, output_dimension=2)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if _is_postgresql(dialect):  # a GeoAlchemy2 WKBElement holding EWKB
            # the SRID the EWKB carries is dropped: SQLite's geometries have none, and equal stores
            # must give equal geometries
            return shapely.set_srid(shapely.from_wkb(bytes(value.data)), 0)
        return shapely.from_wkb(bytes(value))
