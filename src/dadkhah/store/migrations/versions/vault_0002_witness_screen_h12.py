"""witness screen: keyed digests of protected witnesses' name forms, for masking them in other texts

Revision ID: vault_0002_h12
Revises: vault_0001
Create Date: 2026-12-02 07:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'vault_0002_h12'
down_revision = 'vault_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('witness_screen',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('person_id', sa.String(length=80), nullable=True),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('words', sa.Integer(), nullable=False),
    sa.Column('replacement', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_witness_screen_person_id_person'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_witness_screen'))
    )
    with op.batch_alter_table('witness_screen', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_witness_screen_digest'), ['digest'], unique=False)
        batch_op.create_index(batch_op.f('ix_witness_screen_person_id'), ['person_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('witness_screen', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_witness_screen_person_id'))
        batch_op.drop_index(batch_op.f('ix_witness_screen_digest'))
    op.drop_table('witness_screen')
