"""token sessions: device id and biometric unlock of an API token (clinic dialect, contract 000)

Each bearer token is one session; the clinic app may send its own device
identifier and enable a local biometric unlock for it ("Biometric
Authentication").  Only the type and the moment are stored, never biometric data.

Revision ID: 033c13dedf59
Revises: bc79ce5c15d4
Create Date: 2026-11-21 21:01:07.467517

"""
from alembic import op
import sqlalchemy as sa

import app.common.types


# revision identifiers, used by Alembic.
revision = '033c13dedf59'
down_revision = 'bc79ce5c15d4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('device_id', sa.String(length=191), nullable=True))
        batch_op.add_column(sa.Column('biometric_type', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('biometric_enabled_at', app.common.types.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('biometric_enabled_at')
        batch_op.drop_column('biometric_type')
        batch_op.drop_column('device_id')
