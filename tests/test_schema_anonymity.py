"""The schema itself keeps the anonymity promise: no way to join a ballot to
the code that cast it, and nothing on a ballot finer than a date."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy import inspect, select, text

from surveyapp.database import db
from surveyapp.models import Ballot

from .conftest import csrf_token, full_ballot, issue, make_round

BALLOT_SIDE = ("ballot", "answer", "comment")


def test_no_foreign_key_or_shared_column_links_codes_and_ballots(app):
    inspector = inspect(db.engine)
    code_columns = {c["name"] for c in inspector.get_columns("voter_code")}
    for table in BALLOT_SIDE:
        targets = {fk["referred_table"] for fk in inspector.get_foreign_keys(table)}
        assert "voter_code" not in targets, table
        columns = {c["name"] for c in inspector.get_columns(table)}
        # What they share may only be the coarse round and group, and a
        # generic surrogate "id" that is random on the ballot side.
        assert columns & code_columns <= {"id", "round_id", "group_id"}, table
    assert not any(fk["referred_table"] in BALLOT_SIDE
                   for fk in inspector.get_foreign_keys("voter_code"))


def test_ballot_side_stores_no_time_ip_or_device(app):
    inspector = inspect(db.engine)
    for table in BALLOT_SIDE:
        for column in inspector.get_columns(table):
            assert not isinstance(column["type"], sa.DateTime | sa.Time), (table, column)
            words = set(column["name"].lower().split("_"))
            assert not words & {"ip", "addr", "agent", "ua", "time", "at", "code", "token"}, (
                table, column["name"])


@pytest.mark.sqlite_only(reason="WITHOUT ROWID is a SQLite table option")
def test_ballot_tables_keep_no_arrival_order(app):
    for table in BALLOT_SIDE:
        sql = db.session.scalar(text("SELECT sql FROM sqlite_master WHERE name = :t"), {"t": table})
        assert "WITHOUT ROWID" in sql.upper(), table


@pytest.mark.sqlite_only(reason="reads the database through sqlite3's iterdump")
def test_stored_ballots_hold_random_ids_and_a_date(client):
    round_ = make_round()
    codes = issue(round_, count=3)
    for code in codes:
        c = client.application.test_client()
        c.get(f"/c/{code}")
        html = c.get("/ballot").get_data(as_text=True)
        assert c.post("/ballot", data={"csrf_token": csrf_token(html),
                                       **full_ballot(round_)}).status_code == 302
    rows = db.session.scalars(select(Ballot)).all()
    assert len({b.id for b in rows}) == 3
    for ballot in rows:
        assert len(ballot.id) == 32 and int(ballot.id, 16) >= 0
        assert type(ballot.received_on) is dt.date
    # No code hash appears anywhere on the ballot side.
    hashes = set(db.session.scalars(text("SELECT code_hash FROM voter_code")))
    dump = "\n".join(db.session.connection().connection.driver_connection.iterdump())
    ballot_lines = [line for line in dump.splitlines()
                    if line.startswith(('INSERT INTO "ballot"', 'INSERT INTO "answer"'))]
    assert ballot_lines and not any(h in line for h in hashes for line in ballot_lines)
