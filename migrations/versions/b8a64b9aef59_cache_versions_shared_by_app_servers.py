"""cache_versions: versions of data that app processes cache (the face gallery), seen by every app server

Revision ID: b8a64b9aef59
Revises: 7c1e5d2a9f40
Create Date: 2026-12-06 08:18:46.514277

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b8a64b9aef59'
down_revision = '7c1e5d2a9f40'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cache_versions',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('version', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_cache_versions'))
    )


def downgrade():
    op.drop_table('cache_versions')
