"""Column types that work on SQLite now and map onto PostGIS later."""

from __future__ import annotations

import shapely
from sqlalchemy import LargeBinary
from sqlalchemy.types import TypeDecorator


class Geometry(TypeDecorator):
    """A shapely geometry in EPSG:4326, stored as ISO WKB.

    On SQLite this is a BLOB. WKB is what PostGIS' ``geometry`` accepts and returns
    (``ST_GeomFromWKB``/``ST_AsBinary``), so a PostgreSQL backend can switch the implementation
    in :meth:`load_dialect_impl` without changing the models or the data.
    """

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return shapely.to_wkb(value, output_dimension=2)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return shapely.from_wkb(bytes(value))
