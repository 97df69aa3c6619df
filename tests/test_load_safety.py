"""Races against a real server process (``surveyapp serve``: gunicorn with
two worker processes of four threads) on the test's database, SQLite or
PostgreSQL: a double tap, two phones with one slip, and ballots racing the
secretary's close.  Exactly one ballot per code, none after the close, none
lost: every "counted" page the voters saw is a ballot in the tally."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select

from surveyapp.database import db
from surveyapp.models import Answer, Ballot, VoterCode
from surveyapp.services import rounds as rounds_service
from surveyapp.services import turnout as turnout_service

from .conftest import full_ballot, issue, make_round
from .live_server import Device, LiveServer

SUBJECTS = 20  # a ballot of 20 answers, as on a typical 党支部 appraisal

WIDE_SPEC = """
title = "二十人评议"
anonymity_min = 1
[scale]
options = [
  { key = "excellent", label = "优秀", points = 100 },
  { key = "qualified", label = "合格", points = 80 },
]
[[groups]]
key = "members"
label = "党员"
""" + "".join(f'[[subjects]]\nkey = "s{i}"\nname = "成员{i}"\n' for i in range(SUBJECTS))


@pytest.fixture
def server(app, tmp_path):
    live = LiveServer(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path)
    yield live
    live.stop()


def all_at_once(jobs) -> list:
    """Run the callables in threads released together; their results in order."""
    start = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(i):
        start.wait()
        results[i] = jobs[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return results


def count(model, *where) -> int:
    db.session.rollback()  # a fresh snapshot: see what the server committed
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_double_tap_counts_one_ballot(app, server):
    round_ = make_round()
    [code] = issue(round_)
    phone = Device(server.url)
    phone.scan(code)
    answers = full_ballot(round_)
    outcomes = all_at_once([lambda: phone.submit(answers)] * 2)
    assert sorted(outcomes, key=str) == [409, "done"], outcomes
    assert count(Ballot) == 1
    assert count(Ballot, Ballot.sealed.is_not(None)) == 1 and count(Answer) == 0
    assert count(VoterCode, VoterCode.status == "used") == 1


def test_two_phones_with_one_slip_each_count_once(app, server):
    round_ = make_round(WIDE_SPEC)
    codes = issue(round_, count=12)
    phones = []
    for code in codes:  # every slip scanned on two phones before either submits
        for _ in range(2):
            phone = Device(server.url)
            phone.scan(code)
            phones.append(phone)
    answers = full_ballot(round_, "excellent")
    outcomes = all_at_once([lambda p=p: p.submit(answers) for p in phones])
    for first, second in zip(outcomes[::2], outcomes[1::2], strict=True):
        assert sorted([first, second], key=str) == [409, "done"], outcomes
    assert count(Ballot) == len(codes)
    assert count(Ballot, Ballot.sealed.is_not(None)) == len(codes)
    assert count(VoterCode, VoterCode.status == "used") == len(codes)


def test_ballots_racing_the_close_are_counted_before_it_or_refused(app, server):
    round_ = make_round(WIDE_SPEC)
    codes = issue(round_, count=48)
    phones = []
    for code in codes:
        phone = Device(server.url)
        phone.scan(code)
        phones.append(phone)
    answers = full_ballot(round_, "qualified")
    at_close: dict[str, int] = {}

    def close():
        with app.app_context():  # this thread's own session
            deadline = time.monotonic() + 30
            while count(Ballot) < 6 and time.monotonic() < deadline:
                time.sleep(0.005)  # close in mid-stream: some counted, more in flight
            rounds_service.transition(rounds_service.get_round(round_.slug), "close",
                                      actor="test")
            at_close["ballots"] = count(Ballot)

    jobs = [lambda p=p: p.submit(answers) for p in phones]
    outcomes = all_at_once([close, *jobs])[1:]

    counted = outcomes.count("done")
    assert set(outcomes) <= {"done", 409}, outcomes  # refused as closed, never a 500
    assert count(Ballot) == at_close["ballots"] == counted  # none after the close, none lost
    assert count(Ballot, Ballot.sealed.is_not(None)) == counted
    assert count(VoterCode, VoterCode.status == "used") == counted
    assert turnout_service.turnout(round_)["members"]["ballots"] == counted
