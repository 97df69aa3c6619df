"""Console sessions end at logout.

A console session lives in a signed cookie, so logging out used to drop it
from that browser only: a copy taken before still worked.  Each user now has
a session epoch that the cookie must name; logging out moves it on, and every
session of that user made before stops working.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 13:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user') as batch:
        batch.add_column(sa.Column('session_epoch', sa.Integer(), nullable=False,
                                   server_default='0'))


def downgrade():
    with op.batch_alter_table('user') as batch:
        batch.drop_column('session_epoch')
