"""Data migrations, run on a database written by the schema before them."""

from __future__ import annotations

import json

from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from surveyapp.database import db
from surveyapp.models import AuditEvent, Round

from .conftest import make_round


def test_a_round_published_without_a_snapshot_goes_back_to_closed(app, client):
    legacy = make_round(status="closed")
    frozen = make_round(status="closed")
    downgrade(revision="0002")
    db.session.execute(text("UPDATE round SET status = 'published', publish_json = :j "
                            "WHERE id = :id"), {"j": json.dumps({"fields": ["unit"]}),
                                               "id": legacy.id})
    db.session.execute(text("UPDATE round SET status = 'published', publish_json = :j "
                            "WHERE id = :id"),
                       {"j": json.dumps({"fields": [], "subjects": []}), "id": frozen.id})
    db.session.commit()
    upgrade()
    db.session.expire_all()
    assert db.session.get(Round, legacy.id).status == "closed"
    assert db.session.get(Round, frozen.id).status == "published"
    assert db.session.scalar(select(AuditEvent.actor).where(
        AuditEvent.round_id == legacy.id, AuditEvent.action == "round.unpublish")) == "migration"
    assert client.get(f"/p/{legacy.slug}").status_code == 404
