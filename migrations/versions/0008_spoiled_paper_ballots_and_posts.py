"""Spoiled paper ballots (废票) counted per voter group, and a person's post (职务).

A paper ballot that breaks the round's rules (or cannot be read) is recorded
as 废票: only a count per voter group, never what it said (its answers are
not stored, in plaintext or otherwise).  The results report 发出 / 收回 /
有效 / 废票 from it.  A subject may carry a post (职务), shown beside the name
on the ballot, as rosters exported from personnel systems have it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN, never a batch copy (see 0004).
    op.add_column('voter_group', sa.Column('spoiled', sa.Integer(), server_default='0',
                                           nullable=False))
    op.add_column('subject', sa.Column('post', sa.String(length=80), server_default='',
                                       nullable=False))


def downgrade():
    op.drop_column('subject', 'post')
    op.drop_column('voter_group', 'spoiled')
