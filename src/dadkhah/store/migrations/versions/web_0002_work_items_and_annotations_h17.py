"""web: work items (assignments, statuses, queues) and document annotations with redaction

Revision ID: web_0002_h17
Revises: web_0001
Create Date: 2026-12-02 08:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'web_0002_h17'
down_revision = 'web_0001'
branch_labels = None
depends_on = 'vault_0001'


def upgrade() -> None:
    op.create_table('web_work_item',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('target', sa.String(length=80), nullable=False),
    sa.Column('assignee', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('note', sa.String(length=2000), nullable=True),
    sa.Column('assigned_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_work_item'))
    )
    op.create_index(op.f('ix_web_work_item_target'), 'web_work_item', ['target'], unique=False)
    op.create_index(op.f('ix_web_work_item_assignee'), 'web_work_item', ['assignee'], unique=False)
    op.create_table('web_annotation',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('item_id', sa.String(length=80), nullable=False),
    sa.Column('x', sa.Float(), nullable=False),
    sa.Column('y', sa.Float(), nullable=False),
    sa.Column('w', sa.Float(), nullable=False),
    sa.Column('h', sa.Float(), nullable=False),
    sa.Column('note', sa.String(length=2000), nullable=False),
    sa.Column('redact', sa.Boolean(), nullable=False),
    sa.Column('sensitivity', sa.String(length=12), nullable=False),
    sa.Column('author', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['evidence_item.id'], name=op.f('fk_web_annotation_item_id_evidence_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_annotation'))
    )
    op.create_index(op.f('ix_web_annotation_item_id'), 'web_annotation', ['item_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_web_annotation_item_id'), table_name='web_annotation')
    op.drop_table('web_annotation')
    op.drop_index(op.f('ix_web_work_item_assignee'), table_name='web_work_item')
    op.drop_index(op.f('ix_web_work_item_target'), table_name='web_work_item')
    op.drop_table('web_work_item')
