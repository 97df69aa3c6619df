"""A round's optional deadlines; organiser accounts that can be disabled; test codes.

``round.opens_at`` / ``round.closes_at`` are the round's own settings (UTC,
no time zone stored): ballots are refused before the one and after the
other.  Nothing about a single ballot gains a time.  ``user.disabled``
keeps an account (and its name in the audit log) while it may no longer
log in.  ``voter_code.test`` marks the codes of a test run before a round
opens: a test ballot only spends its test code (nothing else is stored),
and opening the round deletes them.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
# TEMPORARY: '0009' (who-rates-whom) is merged separately; until then this
# branch chains onto 0008.  Must become '0009' at the final merge.
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('round', sa.Column('opens_at', sa.DateTime(), nullable=True))
    op.add_column('round', sa.Column('closes_at', sa.DateTime(), nullable=True))
    op.add_column('user', sa.Column('disabled', sa.Boolean(), nullable=False,
                                    server_default=sa.false()))
    op.add_column('voter_code', sa.Column('test', sa.Boolean(), nullable=False,
                                          server_default=sa.false()))


def downgrade():
    # Native DROP COLUMN (SQLite 3.35+).
    op.drop_column('voter_code', 'test')
    op.drop_column('user', 'disabled')
    op.drop_column('round', 'closes_at')
    op.drop_column('round', 'opens_at')
