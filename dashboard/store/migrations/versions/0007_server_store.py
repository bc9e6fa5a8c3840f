"""A store on a PostgreSQL server: spatial indexes, and a revision row from the start

On PostgreSQL the geometry columns are PostGIS ``geometry(GEOMETRY, 4326)`` (see
``dashboard/store/types.py``; migration 0001 creates them through that type) and get GiST indexes here,
so the server can answer spatial queries (ST_Intersects, ST_DWithin, KNN) without scanning every row.
SQLite keeps WKB blobs and gets no index.

Every store gets its ``revision`` row now, so that concurrent first writers on a server each bump it
with one UPDATE instead of racing to insert it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

#: (table, geometry column) of every stored geometry
SPATIAL_COLUMNS = (
    ('municipalities', 'boundary'),
    ('areas', 'geometry'),
    ('towns', 'geometry'),
    ('population_cells', 'geometry'),
)


def _index_name(table: str, column: str) -> str:
    return f'ix_{table}_{column}_gist'


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for table, column in SPATIAL_COLUMNS:
            op.create_index(_index_name(table, column), table, [column], postgresql_using='gist')
    op.execute(sa.text("INSERT INTO meta (key, value) SELECT 'revision', '0' "
                       "WHERE NOT EXISTS (SELECT 1 FROM meta WHERE key = 'revision')"))


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for table, column in SPATIAL_COLUMNS:
            op.drop_index(_index_name(table, column), table_name=table)
