"""Many devices submitting one code at the same instant, against a real
threaded HTTP server: exactly one ballot may be stored."""

from __future__ import annotations

import http.cookiejar
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from surveyapp.database import db
from surveyapp.models import Ballot, VoterCode

from .conftest import csrf_token, full_ballot, issue, make_round

DEVICES = 24


@pytest.fixture
def server(app):
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(timeout=10)


def device():
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def test_simultaneous_submissions_of_one_code_store_exactly_one_ballot(app, server):
    round_ = make_round()
    [code] = issue(round_)
    answers = full_ballot(round_)
    devices = []
    for _ in range(DEVICES):  # every device scans the same slip and opens the ballot
        opener = device()
        with opener.open(f"{server}/c/{code}", timeout=30) as page:
            assert page.url.endswith("/ballot")
            token = csrf_token(page.read().decode())
        devices.append((opener, urllib.parse.urlencode({"csrf_token": token, **answers})))

    start = threading.Barrier(DEVICES)
    outcomes: list[object] = [None] * DEVICES

    def submit(i: int) -> None:
        opener, body = devices[i]
        start.wait()
        try:
            with opener.open(f"{server}/ballot", data=body.encode(), timeout=60) as response:
                outcomes[i] = response.url.rsplit("/", 1)[-1]
        except urllib.error.HTTPError as error:
            outcomes[i] = error.code

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(DEVICES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert outcomes.count("done") == 1, outcomes
    assert outcomes.count(409) == DEVICES - 1, outcomes
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 1
    assert db.session.scalar(select(VoterCode.status)) == "used"
