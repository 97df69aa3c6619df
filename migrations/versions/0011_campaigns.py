"""Campaigns: a 党委's rounds of many branches side by side; the committee's 评定.

A campaign (争创四强四优, 民主评议 across branches) groups the rounds of the
branches below a 党委 that share a template and a period; a round joins one
with ``campaign = "SLUG"`` in its spec.  The campaign keeps its spec's text
(title, template, period and its absolute standard); which rounds joined
is a table of its own, so the round table itself is not rebuilt.

committee_decision keeps the 支委会's final 评定 of a subject and its reason,
shown beside the software's proposal (测评建议).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('campaign',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=40), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('template', sa.String(length=80), nullable=False),
    sa.Column('period', sa.String(length=40), nullable=False),
    sa.Column('spec_text', sa.Text(), nullable=False),
    sa.Column('created_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_campaign_org_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign')),
    sa.UniqueConstraint('slug', name=op.f('uq_campaign_slug'))
    )
    op.create_table('campaign_round',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_campaign_round_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_campaign_round_round_id_round')),
    sa.PrimaryKeyConstraint('round_id', name=op.f('pk_campaign_round'))
    )
    op.create_index(op.f('ix_campaign_round_campaign_id'), 'campaign_round', ['campaign_id'], unique=False)
    op.create_table('committee_decision',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('option_key', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_committee_decision_round_id_round')),
    sa.ForeignKeyConstraint(['subject_id'], ['subject.id'], name=op.f('fk_committee_decision_subject_id_subject')),
    sa.PrimaryKeyConstraint('round_id', 'subject_id', name=op.f('pk_committee_decision'))
    )


def downgrade():
    op.drop_table('committee_decision')
    op.drop_index(op.f('ix_campaign_round_campaign_id'), table_name='campaign_round')
    op.drop_table('campaign_round')
    op.drop_table('campaign')
