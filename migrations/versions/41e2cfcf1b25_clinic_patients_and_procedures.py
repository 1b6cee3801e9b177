"""clinic: patients and the procedures (tindakan) staff perform for them, with fee and service-fee share (whole rupiah)

Revision ID: 41e2cfcf1b25
Revises: 033c13dedf59
Create Date: 2026-11-21 21:15:33.990394

"""
from alembic import op
import sqlalchemy as sa

import app.common.types


# revision identifiers, used by Alembic.
revision = '41e2cfcf1b25'
down_revision = '033c13dedf59'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('patients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_number', sa.String(length=32), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('sex', sa.String(length=6), nullable=True),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('created_at', app.common.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', app.common.types.UTCDateTime(), nullable=False),
    sa.CheckConstraint("sex IS NULL OR sex IN ('male', 'female')", name=op.f('ck_patients_sex_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patients')),
    sa.UniqueConstraint('record_number', name=op.f('uq_patients_record_number'))
    )
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patients_name'), ['name'], unique=False)

    op.create_table('procedures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('performer_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('performed_at', app.common.types.UTCDateTime(), nullable=False),
    sa.Column('fee', sa.BigInteger(), nullable=False),
    sa.Column('service_fee_share', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=10), server_default='pending', nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('validated_by_id', sa.Integer(), nullable=True),
    sa.Column('validated_at', app.common.types.UTCDateTime(), nullable=True),
    sa.Column('validation_note', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.common.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', app.common.types.UTCDateTime(), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'approved', 'rejected')", name=op.f('ck_procedures_status_known')),
    sa.CheckConstraint('fee >= 0', name=op.f('ck_procedures_fee_not_negative')),
    sa.CheckConstraint('service_fee_share >= 0 AND service_fee_share <= fee', name=op.f('ck_procedures_share_within_fee')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_procedures_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_procedures_patient_id_patients'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['performer_id'], ['users.id'], name=op.f('fk_procedures_performer_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['validated_by_id'], ['users.id'], name=op.f('fk_procedures_validated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_procedures'))
    )
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_procedures_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index('ix_procedures_performer_performed_at', ['performer_id', 'performed_at'], unique=False)
        batch_op.create_index('ix_procedures_status_performed_at', ['status', 'performed_at'], unique=False)



def downgrade():
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.drop_index('ix_procedures_status_performed_at')
        batch_op.drop_index('ix_procedures_performer_performed_at')
        batch_op.drop_index(batch_op.f('ix_procedures_patient_id'))

    op.drop_table('procedures')
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patients_name'))

    op.drop_table('patients')
