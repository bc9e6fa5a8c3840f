"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-28 03:27:11.435846
"""
from alembic import op
import sqlalchemy as sa
import dashboard.store.types


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('import_batches',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('source_name', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('encoding', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('meta',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('municipalities',
    sa.Column('code', sa.String(length=5), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('prefecture', sa.String(length=16), nullable=False),
    sa.Column('boundary', dashboard.store.types.Geometry(), nullable=True),
    sa.Column('boundary_source', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('users',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('password_hash', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('areas',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('municipality_code', sa.String(length=5), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.Column('geometry', dashboard.store.types.Geometry(), nullable=False),
    sa.Column('pop_total', sa.Float(), nullable=True),
    sa.Column('pop65', sa.Float(), nullable=True),
    sa.Column('pop75', sa.Float(), nullable=True),
    sa.Column('pop85', sa.Float(), nullable=True),
    sa.Column('import_batch_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['import_batch_id'], ['import_batches.id'], ),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('population_cells',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('municipality_code', sa.String(length=5), nullable=False),
    sa.Column('mesh_code', sa.String(length=11), nullable=False),
    sa.Column('mesh_level_m', sa.Integer(), nullable=False),
    sa.Column('census_year', sa.Integer(), nullable=False),
    sa.Column('frac_inside', sa.Float(), nullable=False),
    sa.Column('pop_total', sa.Float(), nullable=False),
    sa.Column('pop65', sa.Float(), nullable=False),
    sa.Column('pop75', sa.Float(), nullable=False),
    sa.Column('pop85', sa.Float(), nullable=False),
    sa.Column('raw_pop_total', sa.Integer(), nullable=False),
    sa.Column('raw_pop65', sa.Integer(), nullable=False),
    sa.Column('geometry', dashboard.store.types.Geometry(), nullable=False),
    sa.Column('import_batch_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['import_batch_id'], ['import_batches.id'], ),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('population_cells', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_population_cells_municipality_code'), ['municipality_code'], unique=False)

    op.create_table('candidate_venues',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('municipality_code', sa.String(length=5), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('area_id', sa.String(length=32), nullable=True),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('source_id', sa.String(length=64), nullable=True),
    sa.Column('import_batch_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], ),
    sa.ForeignKeyConstraint(['import_batch_id'], ['import_batches.id'], ),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('candidate_venues', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_candidate_venues_municipality_code'), ['municipality_code'], unique=False)

    op.create_table('towns',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('municipality_code', sa.String(length=5), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('oaza', sa.String(length=64), nullable=False),
    sa.Column('area_id', sa.String(length=32), nullable=True),
    sa.Column('pop_2015', sa.Integer(), nullable=True),
    sa.Column('households_2015', sa.Integer(), nullable=True),
    sa.Column('est_pop_total', sa.Float(), nullable=True),
    sa.Column('est_pop65', sa.Float(), nullable=True),
    sa.Column('est_pop75', sa.Float(), nullable=True),
    sa.Column('est_pop85', sa.Float(), nullable=True),
    sa.Column('rep_lat', sa.Float(), nullable=True),
    sa.Column('rep_lon', sa.Float(), nullable=True),
    sa.Column('geometry', dashboard.store.types.Geometry(), nullable=False),
    sa.Column('import_batch_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], ),
    sa.ForeignKeyConstraint(['import_batch_id'], ['import_batches.id'], ),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], ),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('places',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('municipality_code', sa.String(length=5), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('name_kana', sa.Text(), nullable=True),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('visibility', sa.String(length=16), nullable=False),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('prefecture', sa.String(length=16), nullable=True),
    sa.Column('city', sa.String(length=64), nullable=True),
    sa.Column('town_street', sa.Text(), nullable=True),
    sa.Column('banchi', sa.Text(), nullable=True),
    sa.Column('building', sa.Text(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('location_precision', sa.String(length=16), nullable=False),
    sa.Column('area_id', sa.String(length=32), nullable=True),
    sa.Column('town_code', sa.String(length=16), nullable=True),
    sa.Column('rrule', sa.Text(), nullable=True),
    sa.Column('schedule_text', sa.Text(), nullable=True),
    sa.Column('frequency_class', sa.String(length=16), nullable=False),
    sa.Column('operator_type', sa.Text(), nullable=True),
    sa.Column('venue_type', sa.Text(), nullable=True),
    sa.Column('activities', sa.Text(), nullable=True),
    sa.Column('target', sa.Text(), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('fee', sa.Text(), nullable=True),
    sa.Column('transport', sa.Boolean(), nullable=True),
    sa.Column('barrier_free', sa.Boolean(), nullable=True),
    sa.Column('contact_public', sa.Text(), nullable=True),
    sa.Column('contact_internal', sa.Text(), nullable=True),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('last_verified', sa.Date(), nullable=True),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('is_synthetic', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('import_batch_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], ),
    sa.ForeignKeyConstraint(['import_batch_id'], ['import_batches.id'], ),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], ),
    sa.ForeignKeyConstraint(['town_code'], ['towns.code'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('places', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_places_municipality_code'), ['municipality_code'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('places', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_places_municipality_code'))

    op.drop_table('places')
    op.drop_table('towns')
    with op.batch_alter_table('candidate_venues', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_candidate_venues_municipality_code'))

    op.drop_table('candidate_venues')
    with op.batch_alter_table('population_cells', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_population_cells_municipality_code'))

    op.drop_table('population_cells')
    op.drop_table('areas')
    op.drop_table('users')
    op.drop_table('municipalities')
    op.drop_table('meta')
    op.drop_table('import_batches')
