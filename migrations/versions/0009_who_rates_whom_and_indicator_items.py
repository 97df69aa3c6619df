"""Who rates whom (评价关系) and criteria sub-items (the 四强/四优 indicator tree).

A voter group may rate only some subjects: ``voter_group.rates_json`` keeps
the spec's ``rates`` list (subject keys and "unit:<unit>" entries); NULL, as
for every round before this change, means every subject.  A criterion may
list sub-items with their points: ``criterion.items_json``; NULL means none.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('voter_group', sa.Column('rates_json', sa.Text(), nullable=True))
    op.add_column('criterion', sa.Column('items_json', sa.Text(), nullable=True))


def downgrade():
    op.drop_column('criterion', 'items_json')
    op.drop_column('voter_group', 'rates_json')
