"""On PostgreSQL a ballot holds its round's row in share mode until it
commits (services/voting/casting.py), so a close waits for the ballots in
flight and a ballot waiting behind a close under way is refused.  SQLite
serialises every writer and needs no lock, so these run in the PostgreSQL
run (.ci/run sets SURVEYAPP_TEST_DATABASE_URL).  Each would fail without the
lock: the close would not wait, and the ballot would land beside it."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select, update

from surveyapp.database import db
from surveyapp.models import Ballot, Round, VoterCode
from surveyapp.services import rounds as rounds_service
from surveyapp.services.voting import VotingError, cast
from surveyapp.services.voting.structure import structure_of

from .conftest import issue, make_round
from .databases import on_postgresql

pytestmark = pytest.mark.skipif(
    not on_postgresql(), reason="the share lock is PostgreSQL's (SQLite serialises writers); "
                                "set SURVEYAPP_TEST_DATABASE_URL, as .ci/run does")

#: Long enough for a close that does not wait to have finished on a busy machine.
WAIT = 2.0


def counted() -> tuple[int, int]:
    with db.engine.connect() as connection:
        return (connection.scalar(select(func.count()).select_from(Ballot)),
                connection.scalar(select(func.count()).select_from(VoterCode)
                                  .where(VoterCode.status == "used")))


def answers(round_) -> dict:
    return {(s.key, c.key): "qualified" for s in round_.subjects for c in round_.criteria}


def in_thread(app, job) -> tuple[threading.Thread, dict]:
    outcome: dict = {}

    def run():
        with app.app_context():  # this thread's own database session
            try:
                outcome["value"] = job()
            except Exception as error:  # noqa: BLE001 (reported to the test)
                outcome["error"] = error
            finally:
                db.session.remove()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_a_close_waits_for_the_ballot_in_flight(app):
    round_ = make_round()
    [code] = issue(round_)
    slug = round_.slug
    writing, release = threading.Event(), threading.Event()

    def ballot():
        structure = structure_of(rounds_service.get_round(slug))
        group = next(g for g in structure.groups if g.key == "members")
        # Inside the ballot's transaction, before its commit: hold it there.
        return cast(structure, group, answers(round_), code=code,
                    before_commit=lambda: (writing.set(), release.wait(60)))

    def close():
        rounds_service.transition(rounds_service.get_round(slug), "close", actor="test")

    voter, voted = in_thread(app, ballot)
    assert writing.wait(60)
    closer, closed = in_thread(app, close)
    closer.join(WAIT)
    assert closer.is_alive(), "the close did not wait for the ballot in flight"
    release.set()
    voter.join(60)
    closer.join(60)
    assert "error" not in voted and "error" not in closed, (voted, closed)
    assert counted() == (1, 1)  # counted, and before the close
    db.session.expire_all()
    assert db.session.get(Round, round_.id).status == "closed"


def test_a_ballot_behind_a_close_under_way_is_refused(app):
    round_ = make_round()
    [code] = issue(round_)
    slug, round_id = round_.slug, round_.id
    structure = structure_of(round_)
    group = next(g for g in structure.groups if g.key == "members")
    db.session.commit()
    with db.engine.connect() as closing:
        transaction = closing.begin()  # a close under way: the row changed, not yet committed
        closing.execute(update(Round).where(Round.id == round_id).values(status="closed"))

        def ballot():
            return cast(structure_of(rounds_service.get_round(slug)), group, answers(round_),
                        code=code)

        voter, voted = in_thread(app, ballot)
        voter.join(WAIT)
        assert voter.is_alive(), "the ballot did not wait for the close under way"
        transaction.commit()
    voter.join(60)
    assert isinstance(voted.get("error"), VotingError), voted
    assert voted["error"].reason == "closed"
    assert counted() == (0, 0)  # nothing stored, the code not spent

