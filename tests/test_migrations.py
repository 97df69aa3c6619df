"""Data migrations, run on a database written by the schema before them."""

from __future__ import annotations

import json

from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from surveyapp.database import db
from surveyapp.models import AuditEvent, Round

from .conftest import make_round


def test_a_round_published_without_a_snapshot_goes_back_to_closed(app, client):
    legacy, frozen = make_round(status="closed"), make_round(status="closed")
    ids = legacy.id, frozen.id
    slug = legacy.slug
    # End the session's transaction (it read the ids): on PostgreSQL its lock on
    # the round table would make the downgrade's DROP COLUMN wait for ever.  The
    # rows below are read back with the newest columns only.
    db.session.close()
    downgrade(revision="0002")
    db.session.execute(text("UPDATE round SET status = 'published', publish_json = :j "
                            "WHERE id = :id"), {"j": json.dumps({"fields": ["unit"]}),
                                               "id": ids[0]})
    db.session.execute(text("UPDATE round SET status = 'published', publish_json = :j "
                            "WHERE id = :id"),
                       {"j": json.dumps({"fields": [], "subjects": []}), "id": ids[1]})
    db.session.commit()
    upgrade()
    db.session.expire_all()
    # Back to closed by 0003; and closed rounds of plain ballots count as counted (0004).
    assert db.session.get(Round, ids[0]).status == "counted"
    assert db.session.get(Round, ids[1]).status == "published"
    assert db.session.scalar(select(AuditEvent.actor).where(
        AuditEvent.round_id == ids[0], AuditEvent.action == "round.unpublish")) == "migration"
    assert client.get(f"/p/{slug}").status_code == 404


def test_comments_counted_before_the_review_wait_for_it(app):
    round_ = make_round(status="counted")
    round_id = round_.id
    db.session.close()  # see above: no lock held across the DROP COLUMN
    downgrade(revision="0004")
    db.session.execute(text("INSERT INTO comment (id, round_id, text) VALUES (:id, :r, :t)"),
                       {"id": "ab" * 16, "r": round_id, "t": "旧意见"})
    db.session.commit()
    db.session.close()
    upgrade()
    assert db.session.execute(text(
        "SELECT text, decision, shown_text FROM comment")).one() == ("旧意见", "pending", None)
    if db.engine.dialect.name == "sqlite":  # still WITHOUT ROWID (tests/test_schema_anonymity.py)
        sql = db.session.scalar(text("SELECT sql FROM sqlite_master WHERE name = 'comment'"))
        assert "WITHOUT ROWID" in sql.upper()
