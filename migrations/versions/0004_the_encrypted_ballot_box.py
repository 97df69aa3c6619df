"""The encrypted ballot box.

A round now gets a key pair at open, split among its 监票人; ballots are
stored only as ciphertexts with proofs (ballot.sealed, ballot.tracker, an
encrypted comment) and counted by decrypting sums (opened_sum).  A round
closes, then is counted: the new status "counted" comes between "closed"
and "published".  Rounds closed before this change stored plain answers,
which the tally reads directly: they count as counted already.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 12:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('opened_sum',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('ciphertext', sa.LargeBinary(), nullable=False),
    sa.Column('partials', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['voter_group.id'], name=op.f('fk_opened_sum_group_id_voter_group')),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_opened_sum_round_id_round')),
    sa.PrimaryKeyConstraint('round_id', 'group_id', 'position', name=op.f('pk_opened_sum'))
    )
    # Plain ADD COLUMN and CREATE INDEX, never a batch copy: the ballot table
    # must stay WITHOUT ROWID on SQLite (see models.py).
    op.add_column('ballot', sa.Column('tracker', sa.String(length=64), nullable=True))
    op.add_column('ballot', sa.Column('sealed', sa.LargeBinary(), nullable=True))
    op.add_column('ballot', sa.Column('sealed_comment', sa.LargeBinary(), nullable=True))
    op.create_index(op.f('ix_ballot_tracker'), 'ballot', ['tracker'], unique=True)
    op.add_column('round', sa.Column('trustee_names', sa.Text(), server_default='[]', nullable=False))
    op.add_column('round', sa.Column('threshold', sa.Integer(), nullable=True))
    op.add_column('round', sa.Column('public_key', sa.String(length=66), nullable=True))
    op.add_column('round', sa.Column('trustee_keys', sa.Text(), server_default='[]', nullable=False))
    op.add_column('round', sa.Column('spec_hash', sa.String(length=64), nullable=True))
    op.execute("UPDATE round SET status = 'counted' WHERE status = 'closed'")


def downgrade():
    op.execute("UPDATE round SET status = 'closed' WHERE status = 'counted'")
    # Native DROP COLUMN (SQLite 3.35+): a batch copy of round would trip the
    # foreign keys that point at it.
    for column in ('spec_hash', 'trustee_keys', 'public_key', 'threshold', 'trustee_names'):
        op.drop_column('round', column)
    op.drop_index(op.f('ix_ballot_tracker'), table_name='ballot')
    op.drop_column('ballot', 'sealed_comment')
    op.drop_column('ballot', 'sealed')
    op.drop_column('ballot', 'tracker')
    op.drop_table('opened_sum')
