"""The store: SQLAlchemy models, engine/migrations and read/write functions.

SQLite file by default; the schema keeps geometry in a portable column type
(:class:`dashboard.store.types.Geometry`) so a PostGIS backend can map it to ``geometry``.
"""
