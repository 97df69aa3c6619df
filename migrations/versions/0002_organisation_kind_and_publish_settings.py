"""Organisation kind and publish settings.

The kind (企业/党委/党支部) labels the organisation tree; publish_json holds
what a round's 公示 page shows.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 21:39:33.016643

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=20), server_default='', nullable=False))

    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('publish_json', sa.Text(), server_default='{}', nullable=False))


def downgrade():
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.drop_column('publish_json')

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('kind')
