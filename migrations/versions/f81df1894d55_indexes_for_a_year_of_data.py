"""indexes for a year of data: the foreign keys that deletions follow, a person's history by time

Deleting a person deletes their events; each deleted event is looked up in
daily_attendance.check_in_event_id / check_out_event_id and offline_sync_logs.event_id,
which had no index (27.5 s for a person with a year of history on PostgreSQL). Deleting a
work schedule looked up daily_attendance.schedule_id and overtime_claims.schedule_id, and a
deleted person the rows they reviewed or recorded. ``(user_id, occurred_at)`` on the events
serves a person's history newest first (and replaces the index on user_id alone); the index
on daily_attendance.user_id was redundant with the unique (user_id, work_date). The index on
(review_state, occurred_at) held every event though only pending ones are ever asked for: a
partial index of the pending events (with flag_reason, so the sidebar's count reads the index
alone) replaces it, one index write fewer per check-in.

The new indexes are created before the old ones are dropped. On a large PostgreSQL database,
creating them takes a write lock on the two attendance tables for some seconds (measured:
bench/README.md): run the upgrade outside the morning's check-in hours.

Revision ID: f81df1894d55
Revises: cb3545691f57
Create Date: 2026-12-06 11:32:32.126127

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f81df1894d55'
down_revision = 'cb3545691f57'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attendance_events', schema=None) as batch_op:
        batch_op.create_index('ix_attendance_events_reviewed_by', ['reviewed_by_id'], unique=False, sqlite_where=sa.text('reviewed_by_id IS NOT NULL'), postgresql_where=sa.text('reviewed_by_id IS NOT NULL'))
        batch_op.create_index('ix_attendance_events_user_time', ['user_id', 'occurred_at'], unique=False)
        batch_op.create_index('ix_attendance_events_pending', ['occurred_at', 'flag_reason'], unique=False, sqlite_where=sa.text("review_state = 'pending'"), postgresql_where=sa.text("review_state = 'pending'"))
        batch_op.drop_index(batch_op.f('ix_attendance_events_user_id'))
        batch_op.drop_index('ix_attendance_events_review')

    with op.batch_alter_table('daily_attendance', schema=None) as batch_op:
        batch_op.create_index('ix_daily_attendance_check_in_event', ['check_in_event_id'], unique=False)
        batch_op.create_index('ix_daily_attendance_check_out_event', ['check_out_event_id'], unique=False)
        batch_op.create_index('ix_daily_attendance_schedule', ['schedule_id'], unique=False)
        batch_op.drop_index(batch_op.f('ix_daily_attendance_user_id'))

    with op.batch_alter_table('offline_sync_logs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offline_sync_logs_event_id'), ['event_id'], unique=False)

    with op.batch_alter_table('overtime_claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_overtime_claims_decided_by_id'), ['decided_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_overtime_claims_schedule_id'), ['schedule_id'], unique=False)

    with op.batch_alter_table('student_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_student_attendance_recorded_by_id'), ['recorded_by_id'], unique=False)



def downgrade():
    with op.batch_alter_table('student_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_student_attendance_recorded_by_id'))

    with op.batch_alter_table('overtime_claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_overtime_claims_schedule_id'))
        batch_op.drop_index(batch_op.f('ix_overtime_claims_decided_by_id'))

    with op.batch_alter_table('offline_sync_logs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offline_sync_logs_event_id'))

    with op.batch_alter_table('daily_attendance', schema=None) as batch_op:
        batch_op.drop_index('ix_daily_attendance_schedule')
        batch_op.drop_index('ix_daily_attendance_check_out_event')
        batch_op.drop_index('ix_daily_attendance_check_in_event')
        batch_op.create_index(batch_op.f('ix_daily_attendance_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('attendance_events', schema=None) as batch_op:
        batch_op.create_index('ix_attendance_events_review', ['review_state', 'occurred_at'], unique=False)
        batch_op.drop_index('ix_attendance_events_pending', sqlite_where=sa.text("review_state = 'pending'"), postgresql_where=sa.text("review_state = 'pending'"))
        batch_op.drop_index('ix_attendance_events_user_time')
        batch_op.drop_index('ix_attendance_events_reviewed_by', sqlite_where=sa.text('reviewed_by_id IS NOT NULL'), postgresql_where=sa.text('reviewed_by_id IS NOT NULL'))
        batch_op.create_index(batch_op.f('ix_attendance_events_user_id'), ['user_id'], unique=False)

