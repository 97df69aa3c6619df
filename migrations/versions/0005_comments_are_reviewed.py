"""Comments are reviewed before the 公示.

Each comment gets the secretary's decision (pending, show, hide or redact;
pending until decided, so nothing counted before this change is published
unreviewed) and, when redacted, the text that is shown instead.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN, never a batch copy: the comment table must stay
    # WITHOUT ROWID on SQLite (see models.py and 0004).
    op.add_column('comment', sa.Column('decision', sa.String(length=10),
                                       server_default='pending', nullable=False))
    op.add_column('comment', sa.Column('shown_text', sa.Text(), nullable=True))


def downgrade():
    # Native DROP COLUMN (SQLite 3.35+), which keeps WITHOUT ROWID too.
    op.drop_column('comment', 'shown_text')
    op.drop_column('comment', 'decision')
