"""Every published round shows a frozen snapshot.

`surveyapp rounds publish` used to set the status only, and the 公示 page
then computed the results live.  Publishing now always freezes what is shown
(services/publication.py) and the page never computes; a round published the
old way, without a snapshot, goes back to closed (with an audit line) so its
secretary publishes it again and sees what will be shown.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    connection = op.get_bind()
    stale = [row[0] for row in connection.execute(sa.text(
        "SELECT id FROM round WHERE status = 'published' "
        "AND publish_json NOT LIKE '%\"subjects\"%'"))]
    for round_id in stale:
        connection.execute(sa.text("UPDATE round SET status = 'closed' WHERE id = :id"),
                           {"id": round_id})
        connection.execute(sa.text(
            "INSERT INTO audit_event (round_id, action, actor, at, detail) "
            "VALUES (:id, 'round.unpublish', 'migration', CURRENT_TIMESTAMP, "
            "'published without a snapshot; publish again')"), {"id": round_id})


def downgrade():
    pass  # the snapshots stay valid for the old code, which also reads them
