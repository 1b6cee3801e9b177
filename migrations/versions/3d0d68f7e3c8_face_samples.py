"""face samples: enrolled face encodings (float32 x 128, 512 bytes) with their photo and face box

Revision ID: 3d0d68f7e3c8
Revises: 5a3ae3e48e44
Create Date: 2026-11-21 20:16:00.914406

"""
from alembic import op
import sqlalchemy as sa

import app.common.types


# revision identifiers, used by Alembic.
revision = '3d0d68f7e3c8'
down_revision = '5a3ae3e48e44'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('face_samples',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('encoding', sa.LargeBinary(length=512), nullable=False),
    sa.Column('photo_path', sa.String(length=255), nullable=False),
    sa.Column('box_top', sa.Integer(), nullable=False),
    sa.Column('box_right', sa.Integer(), nullable=False),
    sa.Column('box_bottom', sa.Integer(), nullable=False),
    sa.Column('box_left', sa.Integer(), nullable=False),
    sa.Column('created_at', app.common.types.UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('box_bottom > box_top AND box_right > box_left', name=op.f('ck_face_samples_box_valid')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_face_samples_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_face_samples_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_face_samples'))
    )
    with op.batch_alter_table('face_samples', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_face_samples_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('face_samples', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_face_samples_user_id'))

    op.drop_table('face_samples')
