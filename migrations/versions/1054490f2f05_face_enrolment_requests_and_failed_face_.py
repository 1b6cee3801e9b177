"""face_enrolment_requests (a first face photo waiting for an admin) and failed_face_check_ins
(face app attempts with no face or another face: shown to the person as failed, never attendance)

Revision ID: 1054490f2f05
Revises: d1a7c3e5b9f2
Create Date: 2026-12-06 08:32:14.514306

"""
from alembic import op
import sqlalchemy as sa

import app.common.types


# revision identifiers, used by Alembic.
revision = '1054490f2f05'
down_revision = 'd1a7c3e5b9f2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('failed_face_check_ins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', app.common.types.UTCDateTime(), nullable=False),
    sa.Column('work_date', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('distance', sa.Float(), nullable=True),
    sa.Column('photo_path', sa.String(length=255), nullable=True),
    sa.CheckConstraint("reason IN ('no_face', 'several_faces', 'not_matched')", name=op.f('ck_failed_face_check_ins_reason_known')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_failed_face_check_ins_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_failed_face_check_ins'))
    )
    with op.batch_alter_table('failed_face_check_ins', schema=None) as batch_op:
        batch_op.create_index('ix_failed_face_check_ins_user_time', ['user_id', 'occurred_at'], unique=False)

    op.create_table('face_enrolment_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('encoding', sa.LargeBinary(length=512), nullable=False),
    sa.Column('photo_path', sa.String(length=255), nullable=False),
    sa.Column('box_top', sa.Integer(), nullable=False),
    sa.Column('box_right', sa.Integer(), nullable=False),
    sa.Column('box_bottom', sa.Integer(), nullable=False),
    sa.Column('box_left', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', app.common.types.UTCDateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', app.common.types.UTCDateTime(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.Column('sample_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'approved', 'rejected')", name=op.f('ck_face_enrolment_requests_status_known')),
    sa.CheckConstraint('box_bottom > box_top AND box_right > box_left', name=op.f('ck_face_enrolment_requests_box_valid')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_face_enrolment_requests_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['sample_id'], ['face_samples.id'], name=op.f('fk_face_enrolment_requests_sample_id_face_samples'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_face_enrolment_requests_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_face_enrolment_requests'))
    )
    with op.batch_alter_table('face_enrolment_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_face_enrolment_requests_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_face_enrolment_requests_one_pending', ['user_id'], unique=True, sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))



def downgrade():
    with op.batch_alter_table('face_enrolment_requests', schema=None) as batch_op:
        batch_op.drop_index('uq_face_enrolment_requests_one_pending', sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))
        batch_op.drop_index(batch_op.f('ix_face_enrolment_requests_user_id'))

    op.drop_table('face_enrolment_requests')
    with op.batch_alter_table('failed_face_check_ins', schema=None) as batch_op:
        batch_op.drop_index('ix_failed_face_check_ins_user_time')

    op.drop_table('failed_face_check_ins')
