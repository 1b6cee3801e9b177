"""pending events by person and day: the clinic app's pending approvals read from an index

The pending approvals group the events waiting for review by (user_id, work_date) and take
each group's oldest occurred_at. The partial index of the pending events on (occurred_at,
flag_reason) does not hold the person and day, so PostgreSQL fetched each of the 5,000
waiting events of a year of 1,000 people from the table (27 ms); this partial index holds
all four columns and only the pending events (a few thousand rows: no cost to a check-in that
needs no review).

Revision ID: a7d4c2e9f013
Revises: b3e81f0c2a47
Create Date: 2026-12-06 18:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7d4c2e9f013'
down_revision = 'b3e81f0c2a47'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attendance_events', schema=None) as batch_op:
        batch_op.create_index('ix_attendance_events_pending_day', ['user_id', 'work_date', 'occurred_at', 'flag_reason'],
                              unique=False, sqlite_where=sa.text("review_state = 'pending'"),
                              postgresql_where=sa.text("review_state = 'pending'"))


def downgrade():
    with op.batch_alter_table('attendance_events', schema=None) as batch_op:
        batch_op.drop_index('ix_attendance_events_pending_day', sqlite_where=sa.text("review_state = 'pending'"),
                            postgresql_where=sa.text("review_state = 'pending'"))
