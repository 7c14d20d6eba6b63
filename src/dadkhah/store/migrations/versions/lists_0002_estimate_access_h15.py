"""estimates: lists that allow aggregate publication; estimate runs in the database

Revision ID: lists_0002_h15
Revises: lists_0001
Create Date: 2026-12-02 07:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'lists_0002_h15'
down_revision = 'lists_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('victim_list', schema=None) as batch_op:
        batch_op.add_column(sa.Column('aggregate_publication', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    op.create_table('estimate_run',
    sa.Column('id', sa.String(length=60), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('sensitivity', sa.String(length=12), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=True),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('progress', sa.String(length=200), nullable=False),
    sa.Column('worker', sa.String(length=100), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('summary', sa.JSON(), nullable=True),
    sa.Column('report_dir', sa.String(length=500), nullable=True),
    sa.CheckConstraint("sensitivity IN ('public', 'restricted', 'confidential')",
                       name=op.f('ck_estimate_run_sensitivity')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_estimate_run'))
    )
    with op.batch_alter_table('estimate_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_estimate_run_state'), ['state'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('estimate_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_estimate_run_state'))
    op.drop_table('estimate_run')
    with op.batch_alter_table('victim_list', schema=None) as batch_op:
        batch_op.drop_column('aggregate_publication')
