"""escorts: ER escort registrations and the igd API's per-session counters, activity and views

Revision ID: bc79ce5c15d4
Revises: 86de4a5f98b6
Create Date: 2026-11-21 20:37:15.642311

"""
from alembic import op
import sqlalchemy as sa

import app.common.types


# revision identifiers, used by Alembic.
revision = 'bc79ce5c15d4'
down_revision = '86de4a5f98b6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('escorts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('gender', sa.String(length=6), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('plate_number', sa.String(length=20), nullable=False),
    sa.Column('patient_name', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=10), server_default='pending', nullable=False),
    sa.Column('photo_path', sa.String(length=255), nullable=True),
    sa.Column('submission_id', sa.String(length=40), nullable=False),
    sa.Column('submitted_from_ip', sa.String(length=45), nullable=True),
    sa.Column('api_submission', sa.Boolean(), server_default=sa.text('(false)'), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', app.common.types.UTCDateTime(), nullable=True),
    sa.Column('created_at', app.common.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', app.common.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_escorts_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_escorts_reviewed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escorts')),
    sa.UniqueConstraint('submission_id', name=op.f('uq_escorts_submission_id'))
    )
    with op.batch_alter_table('escorts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escorts_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_escorts_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_escorts_status'), ['status'], unique=False)

    op.create_table('escort_api_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=40), nullable=False),
    sa.Column('cookie_hash', sa.String(length=64), nullable=True),
    sa.Column('csrf_hash', sa.String(length=64), nullable=True),
    sa.Column('token_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('access_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('submissions_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('updates_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('status_updates_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('deletions_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('failed_lookups', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_result_count', sa.Integer(), nullable=True),
    sa.Column('last_total', sa.Integer(), nullable=True),
    sa.Column('last_accessed_at', app.common.types.UTCDateTime(), nullable=True),
    sa.Column('created_at', app.common.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['token_id'], ['api_tokens.id'], name=op.f('fk_escort_api_sessions_token_id_api_tokens'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_escort_api_sessions_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escort_api_sessions')),
    sa.UniqueConstraint('cookie_hash', name=op.f('uq_escort_api_sessions_cookie_hash')),
    sa.UniqueConstraint('public_id', name=op.f('uq_escort_api_sessions_public_id')),
    sa.UniqueConstraint('token_id', name=op.f('uq_escort_api_sessions_token_id'))
    )
    op.create_table('escort_api_activity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('escort_id', sa.Integer(), nullable=False),
    sa.Column('escort_name', sa.String(length=255), nullable=False),
    sa.Column('patient_name', sa.String(length=255), nullable=False),
    sa.Column('category', sa.String(length=12), nullable=True),
    sa.Column('old_status', sa.String(length=10), nullable=True),
    sa.Column('new_status', sa.String(length=10), nullable=True),
    sa.Column('ref', sa.String(length=40), nullable=True),
    sa.Column('ip', sa.String(length=45), nullable=True),
    sa.Column('created_at', app.common.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['escort_api_sessions.id'], name=op.f('fk_escort_api_activity_session_id_escort_api_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escort_api_activity'))
    )
    with op.batch_alter_table('escort_api_activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escort_api_activity_session_id'), ['session_id'], unique=False)

    op.create_table('escort_api_views',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('escort_id', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_viewed_at', app.common.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['escort_id'], ['escorts.id'], name=op.f('fk_escort_api_views_escort_id_escorts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['escort_api_sessions.id'], name=op.f('fk_escort_api_views_session_id_escort_api_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escort_api_views')),
    sa.UniqueConstraint('session_id', 'escort_id', name='uq_escort_api_views_session_escort')
    )
    with op.batch_alter_table('escort_api_views', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escort_api_views_escort_id'), ['escort_id'], unique=False)



def downgrade():
    with op.batch_alter_table('escort_api_views', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_escort_api_views_escort_id'))

    op.drop_table('escort_api_views')
    with op.batch_alter_table('escort_api_activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_escort_api_activity_session_id'))

    op.drop_table('escort_api_activity')
    op.drop_table('escort_api_sessions')
    with op.batch_alter_table('escorts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_escorts_status'))
        batch_op.drop_index(batch_op.f('ix_escorts_created_at'))
        batch_op.drop_index(batch_op.f('ix_escorts_category'))

    op.drop_table('escorts')
