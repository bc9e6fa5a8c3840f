"""survey tables

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 03:48:04.396417
"""
from alembic import op
import sqlalchemy as sa
import dashboard.store.types


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('saved_mappings',
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('mapping_json', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'name')
    )
    op.create_table('survey_batches',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('municipality_code', sa.String(length=5), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('as_of', sa.String(length=32), nullable=True),
    sa.Column('is_synthetic', sa.Boolean(), nullable=False),
    sa.Column('source_name', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('n_respondents', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('survey_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_batches_municipality_code'), ['municipality_code'], unique=False)

    op.create_table('helper_responses',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('respondent_id', sa.String(length=64), nullable=False),
    sa.Column('area_id', sa.String(length=32), nullable=False),
    sa.Column('answers_json', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['survey_batches.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('helper_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_helper_responses_batch_id'), ['batch_id'], unique=False)

    op.create_table('survey_responses',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('respondent_id', sa.String(length=64), nullable=False),
    sa.Column('area_id', sa.String(length=32), nullable=False),
    sa.Column('answers_json', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['survey_batches.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_responses_batch_id'), ['batch_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_responses_batch_id'))

    op.drop_table('survey_responses')
    with op.batch_alter_table('helper_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_helper_responses_batch_id'))

    op.drop_table('helper_responses')
    with op.batch_alter_table('survey_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_batches_municipality_code'))

    op.drop_table('survey_batches')
    op.drop_table('saved_mappings')
