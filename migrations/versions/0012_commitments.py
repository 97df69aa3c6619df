"""Commitment items (承诺兑现): a subject may carry its own commitments.

``subject.commitments_json`` keeps the subject's commitment items as a JSON
list of texts, each rated on the fixed scale 已兑现 / 部分兑现 / 未兑现 /
不了解; NULL, as for every subject before this change, means none.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 17:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('subject', sa.Column('commitments_json', sa.Text(), nullable=True))


def downgrade():
    op.drop_column('subject', 'commitments_json')
