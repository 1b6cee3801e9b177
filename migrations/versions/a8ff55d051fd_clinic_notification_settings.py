"""clinic notifications: priority and data of a notification, a person's notification settings (quiet hours), registered devices with their push token

Revision ID: a8ff55d051fd
Revises: 41e2cfcf1b25
Create Date: 2026-11-21 21:17:23.103289

"""
from alembic import op
import sqlalchemy as sa

import app.common.types


# revision identifiers, used by Alembic.
revision = 'a8ff55d051fd'
down_revision = '41e2cfcf1b25'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notification_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('email_notifications', sa.Boolean(), server_default=sa.text('(true)'), nullable=False),
    sa.Column('push_notifications', sa.Boolean(), server_default=sa.text('(true)'), nullable=False),
    sa.Column('notification_types', sa.JSON(), nullable=False),
    sa.Column('quiet_hours_enabled', sa.Boolean(), server_default=sa.text('(false)'), nullable=False),
    sa.Column('quiet_start', sa.Time(), nullable=False),
    sa.Column('quiet_end', sa.Time(), nullable=False),
    sa.Column('updated_at', app.common.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_settings_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_settings')),
    sa.UniqueConstraint('user_id', name=op.f('uq_notification_settings_user_id'))
    )
    op.create_table('user_devices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.String(length=191), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=True),
    sa.Column('device_type', sa.String(length=10), nullable=False),
    sa.Column('app_version', sa.String(length=32), nullable=True),
    sa.Column('os_version', sa.String(length=32), nullable=True),
    sa.Column('push_token_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.common.types.UTCDateTime(), nullable=False),
    sa.Column('last_seen_at', app.common.types.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', app.common.types.UTCDateTime(), nullable=True),
    sa.CheckConstraint("device_type IN ('ios', 'android', 'web')", name=op.f('ck_user_devices_device_type_known')),
    sa.ForeignKeyConstraint(['push_token_id'], ['push_tokens.id'], name=op.f('fk_user_devices_push_token_id_push_tokens'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_devices_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_devices')),
    sa.UniqueConstraint('user_id', 'device_id', name='uq_user_devices_user_device')
    )
    with op.batch_alter_table('user_devices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_devices_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('priority', sa.String(length=10), server_default='medium', nullable=False))
        batch_op.add_column(sa.Column('data', sa.JSON(), nullable=True))
        batch_op.create_check_constraint(op.f('ck_notifications_priority_known'),
                                         "priority IN ('high', 'medium', 'low')")



def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_notifications_priority_known'), type_='check')
        batch_op.drop_column('data')
        batch_op.drop_column('priority')

    with op.batch_alter_table('user_devices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_devices_user_id'))

    op.drop_table('user_devices')
    op.drop_table('notification_settings')
