"""surveyapp/services/voting/statements.py: a Core statement compiled once per dialect and run on
the driver's cursor keeps the statement's own literals, converts values as
the column's type would (a date on SQLite), and refuses a missing value."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import bindparam, select, update

from surveyapp.database import db
from surveyapp.models import VoterCode
from surveyapp.services.voting.statements import Prepared

from .conftest import issue, make_round

SPEND = Prepared(update(VoterCode)
                 .where(VoterCode.round_id == bindparam("p_round"), VoterCode.status == "issued")
                 .values(status="used", used_on=bindparam("p_day")))


def test_literals_and_typed_values_reach_the_database(app):
    round_ = make_round()
    issue(round_, count=3)
    day = dt.date(2026, 7, 1)
    cursor = SPEND.execute(db.session.connection(), {"p_round": round_.id, "p_day": day})
    assert cursor.rowcount == 3
    again = SPEND.execute(db.session.connection(), {"p_round": round_.id, "p_day": day})
    assert again.rowcount == 0  # the literal 'issued' is part of the statement
    db.session.commit()
    assert set(db.session.execute(select(VoterCode.status, VoterCode.used_on))) == {("used", day)}


def test_a_missing_value_is_refused_before_anything_runs(app):
    round_ = make_round()
    issue(round_)
    with pytest.raises(KeyError, match="p_day"):
        SPEND.execute(db.session.connection(), {"p_round": round_.id})
    db.session.rollback()
    assert db.session.scalar(select(VoterCode.status)) == "issued"


def test_many_rows_in_one_call(app):
    round_ = make_round()
    issue(round_, count=2)
    mark = Prepared(update(VoterCode).where(VoterCode.code_hash == bindparam("p_hash"))
                    .values(status="void"))
    hashes = db.session.scalars(select(VoterCode.code_hash)).all()
    mark.executemany(db.session.connection(), [{"p_hash": h} for h in hashes])
    db.session.commit()
    assert db.session.scalars(select(VoterCode.status)).all() == ["void", "void"]
