"""A member followed over the years: the person each subject of a counted
round is, as its secretary confirmed it (member_link), so a member's record
reads every period's score, rank, proposal and the committee's 评定 by one
stable key, never by voter data.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 16:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('member_link',
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('person_key', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_member_link_round_id_round')),
    sa.ForeignKeyConstraint(['subject_id'], ['subject.id'], name=op.f('fk_member_link_subject_id_subject')),
    sa.PrimaryKeyConstraint('subject_id', name=op.f('pk_member_link'))
    )
    op.create_index(op.f('ix_member_link_round_id'), 'member_link', ['round_id'], unique=False)
    op.create_index(op.f('ix_member_link_person_key'), 'member_link', ['person_key'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_member_link_person_key'), table_name='member_link')
    op.drop_index(op.f('ix_member_link_round_id'), table_name='member_link')
    op.drop_table('member_link')
