"""login_sessions and app_secrets: logins that survive reloads, deep links and several tabs

A login is a server-side row; the browser keeps only a signed, HttpOnly cookie holding a random
token whose SHA-256 is stored here. The key that signs the cookies is created with the store, so
every store (and every copy of the demo) has its own.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 06:00:00
"""
import secrets

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'login_sessions',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('user_name', sa.String(length=64), sa.ForeignKey('users.name', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('token_sha256', sa.String(length=64), nullable=True),
        sa.Column('handoff_sha256', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_sha256'),
    )
    op.create_index('ix_login_sessions_user_name', 'login_sessions', ['user_name'])
    secrets_table = op.create_table(
        'app_secrets',
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('value', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )
    # 256 random bits from the OS; never shown, exported or logged.
    op.bulk_insert(secrets_table, [{'name': 'session_signing_key', 'value': secrets.token_urlsafe(32)}])


def downgrade() -> None:
    op.drop_table('app_secrets')
    op.drop_index('ix_login_sessions_user_name', table_name='login_sessions')
    op.drop_table('login_sessions')
