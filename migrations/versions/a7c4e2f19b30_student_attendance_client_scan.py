"""student attendance: the kiosk's client id and reported time of a card scan

A student card scanned while the kiosk was offline is sent later with the tablet's own id for
the scan (replays find the row instead of recording twice) and the time the tablet saw it.

Revision ID: a7c4e2f19b30
Revises: f81df1894d55
Create Date: 2026-12-06 12:05:00

"""
from alembic import op
import sqlalchemy as sa

import app.common.types


# revision identifiers, used by Alembic.
revision = 'a7c4e2f19b30'
down_revision = 'f81df1894d55'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('student_attendance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('client_time', app.common.types.UTCDateTime(), nullable=True))
        batch_op.create_unique_constraint('uq_student_attendance_client_id', ['client_id'])


def downgrade():
    with op.batch_alter_table('student_attendance', schema=None) as batch_op:
        batch_op.drop_constraint('uq_student_attendance_client_id', type_='unique')
        batch_op.drop_column('client_time')
        batch_op.drop_column('client_id')
