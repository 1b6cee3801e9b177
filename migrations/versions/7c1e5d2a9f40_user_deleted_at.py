"""users.deleted_at: soft delete, distinct from is_active (a deleted person is gone for every app)

Only a column is added (ALTER TABLE ADD COLUMN on SQLite, no table rebuild): the
unique email, NPP and NISN/NIP/NIK stay unique over deleted people too, so a
deleted person's identifiers stay reserved (see app.accounts.services.delete_user).

Revision ID: 7c1e5d2a9f40
Revises: c0d4e8996f94
Create Date: 2026-12-02 08:30:00

"""
from alembic import op
import sqlalchemy as sa

import app.common.types


# revision identifiers, used by Alembic.
revision = '7c1e5d2a9f40'
down_revision = 'c0d4e8996f94'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deleted_at', app.common.types.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('deleted_at')
