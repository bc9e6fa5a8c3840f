"""活動記録 and 地域の声: the coordinators' activity log, follow-ups, attachments and what residents said

Records are internal: no published copy ever holds a row of these tables (``publish`` copies by
allow-list and ``dashboard.public_mode.INTERNAL_TABLES`` names them). Area and place ids are kept as
plain text, not foreign keys: a city that imports its 圏域 again keeps its records, and an id that no
longer exists is shown as such instead of blocking the import. Their own audit trail
(``activity_audit_log``) has the shape of the places' ``audit_log``.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 12:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

_NOW = sa.text('(CURRENT_TIMESTAMP)')


def upgrade() -> None:
    op.create_table(
        'activity_records',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('municipality_code', sa.String(length=5), sa.ForeignKey('municipalities.code'), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('place_id', sa.String(length=64), nullable=True),
        sa.Column('participants', sa.Integer(), nullable=True),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(), server_default=_NOW, nullable=False),
        sa.Column('updated_at', sa.DateTime(), server_default=_NOW, nullable=False),
        sa.Column('import_batch_id', sa.Integer(), sa.ForeignKey('import_batches.id'), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_activity_records_municipality_code', 'activity_records', ['municipality_code'])
    op.create_table(
        'activity_record_areas',
        sa.Column('record_id', sa.Integer(), sa.ForeignKey('activity_records.id', ondelete='CASCADE'), nullable=False),
        sa.Column('area_id', sa.String(length=32), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('record_id', 'area_id'),
    )
    op.create_table(
        'activity_followups',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('record_id', sa.Integer(), sa.ForeignKey('activity_records.id', ondelete='CASCADE'), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('owner', sa.Text(), nullable=True),
        sa.Column('due_on', sa.Date(), nullable=True),
        sa.Column('status', sa.String(length=8), nullable=False),
        sa.Column('closed_on', sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_activity_followups_record_id', 'activity_followups', ['record_id'])
    op.create_table(
        'activity_voices',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('record_id', sa.Integer(), sa.ForeignKey('activity_records.id', ondelete='CASCADE'), nullable=False),
        sa.Column('municipality_code', sa.String(length=5), nullable=False),
        sa.Column('area_id', sa.String(length=32), nullable=True),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_activity_voices_record_id', 'activity_voices', ['record_id'])
    op.create_index('ix_activity_voices_municipality_code', 'activity_voices', ['municipality_code'])
    op.create_table(
        'activity_voice_tags',
        sa.Column('voice_id', sa.Integer(), sa.ForeignKey('activity_voices.id', ondelete='CASCADE'), nullable=False),
        sa.Column('tag', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('voice_id', 'tag'),
    )
    op.create_table(
        'activity_attachments',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('record_id', sa.Integer(), sa.ForeignKey('activity_records.id', ondelete='CASCADE'), nullable=False),
        sa.Column('file_name', sa.Text(), nullable=False),
        sa.Column('media_type', sa.String(length=32), nullable=False),
        sa.Column('size_bytes', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(), server_default=_NOW, nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_activity_attachments_record_id', 'activity_attachments', ['record_id'])
    op.create_table(
        'activity_audit_log',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('municipality_code', sa.String(length=5), nullable=False),
        sa.Column('changed_by', sa.String(length=64), nullable=False),
        sa.Column('changed_at', sa.DateTime(), server_default=_NOW, nullable=False),
        sa.Column('action', sa.String(length=16), nullable=False),
        sa.Column('field', sa.String(length=64), nullable=False),
        sa.Column('old_value', sa.Text(), nullable=True),
        sa.Column('new_value', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_activity_audit_log_record_id', 'activity_audit_log', ['record_id'])


def downgrade() -> None:
    op.drop_index('ix_activity_audit_log_record_id', table_name='activity_audit_log')
    op.drop_table('activity_audit_log')
    op.drop_index('ix_activity_attachments_record_id', table_name='activity_attachments')
    op.drop_table('activity_attachments')
    op.drop_table('activity_voice_tags')
    op.drop_index('ix_activity_voices_municipality_code', table_name='activity_voices')
    op.drop_index('ix_activity_voices_record_id', table_name='activity_voices')
    op.drop_table('activity_voices')
    op.drop_index('ix_activity_followups_record_id', table_name='activity_followups')
    op.drop_table('activity_followups')
    op.drop_table('activity_record_areas')
    op.drop_index('ix_activity_records_municipality_code', table_name='activity_records')
    op.drop_table('activity_records')
