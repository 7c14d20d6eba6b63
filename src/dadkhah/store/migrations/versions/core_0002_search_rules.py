"""search index rows record the build of the indexing rules that wrote them (issue 18)

Revision ID: core_0002
Revises: core_0001
"""
from alembic import op
import sqlalchemy as sa


revision = 'core_0002'
down_revision = 'core_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('search_doc', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rules', sa.String(length=16), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('search_doc', schema=None) as batch_op:
        batch_op.drop_column('rules')
