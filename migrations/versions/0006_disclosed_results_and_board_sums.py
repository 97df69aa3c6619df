"""Results decided at counting; the board's sums by unit, decrypted only where shown.

Counting now decides what may be shown (domain/disclosure.py) and keeps
only that: the shown result in round.result_json, and the sums the
bulletin board publishes in opened_sum, keyed by *unit* (a voter group
whose turnout is shown, "~hidden" for the others, "~all" for every
ballot), with a count and its decryptions only where the count is shown.
No hidden group's counts are stored any more.

Rounds counted before this change keep their per-group sums (unit = the
group's key, every count decrypted) and their results are computed as
before, through the same disclosure control.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 14:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('round', sa.Column('result_json', sa.Text(), nullable=True))
    op.create_table('board_sum',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('ciphertext', sa.LargeBinary(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=True),
    sa.Column('partials', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_board_sum_round_id_round')),
    sa.PrimaryKeyConstraint('round_id', 'unit', 'position', name=op.f('pk_board_sum'))
    )
    op.execute("INSERT INTO board_sum (round_id, unit, position, ciphertext, count, partials) "
               "SELECT s.round_id, g.key, s.position, s.ciphertext, s.count, s.partials "
               "FROM opened_sum s JOIN voter_group g ON g.id = s.group_id")
    op.drop_table('opened_sum')


def downgrade():
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
    # Only group units with every count go back: the old table knew no other.
    op.execute("INSERT INTO opened_sum (round_id, group_id, position, count, ciphertext, "
               "partials) SELECT s.round_id, g.id, s.position, s.count, s.ciphertext, "
               "s.partials FROM board_sum s JOIN voter_group g "
               "ON g.round_id = s.round_id AND g.key = s.unit "
               "WHERE s.count IS NOT NULL AND s.partials IS NOT NULL")
    op.drop_table('board_sum')
    op.drop_column('round', 'result_json')
