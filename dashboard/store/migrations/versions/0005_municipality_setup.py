"""Set up any municipality: per-city facts (sources, as-of dates), how a 町丁目 is located
(polygon or only a point), and coordinators limited to one city.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 02:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'municipality_meta',
        sa.Column('municipality_code', sa.String(length=5), sa.ForeignKey('municipalities.code'), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('value', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('municipality_code', 'key'),
    )
    with op.batch_alter_table('towns', schema=None) as batch_op:
        # 'polygon' (a real boundary) or 'point' (only a representative point is known; the stored
        # geometry is then the point's Voronoi cell inside the city, used only to assign places)
        batch_op.add_column(sa.Column('geometry_kind', sa.String(length=16), nullable=False,
                                      server_default='polygon'))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('municipality_code', sa.String(length=5), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('municipality_code')
    with op.batch_alter_table('towns', schema=None) as batch_op:
        batch_op.drop_column('geometry_kind')
    op.drop_table('municipality_meta')
