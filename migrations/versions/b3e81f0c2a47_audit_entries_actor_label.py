"""audit entries name the command that made a change without a person (actor_label)

Revision ID: b3e81f0c2a47
Revises: 90c2f51d2f95
Create Date: 2026-12-06 15:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3e81f0c2a47'
down_revision = '90c2f51d2f95'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actor_label', sa.String(length=80), nullable=True))


def downgrade():
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_column('actor_label')
