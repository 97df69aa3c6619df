"""Test runs (issue 14, part 3): before a round opens a secretary tries the very
ballot voters will see with test codes; a test ballot is checked like a real one,
visibly marked, never stored or counted, and opening the round deletes the test
codes."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from surveyapp.database import db
from surveyapp.domain.spec import parse_spec
from surveyapp.models import AuditEvent, Ballot, Comment, VoterCode
from surveyapp.services import codes as codes_service
from surveyapp.services import turnout
from surveyapp.services.errors import RoundError
from surveyapp.services.rounds import create_round

from . import conftest
from .conftest import SPEC, csrf_token, full_ballot, open_round


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def draft(orgs):
    return create_round(parse_spec(SPEC), actor="t", org=orgs["a"])


def test_codes(round_, group="members", n=2):
    return codes_service.issue(round_, group, n, actor="t", test=True)[0]


test_codes.__test__ = False  # a helper, not a test


def vote(app, code, data=None, round_=None):
    voter = app.test_client()
    first = voter.get(f"/c/{code}")
    if first.status_code != 302:
        return first
    html = voter.get("/ballot").get_data(as_text=True)
    return voter.post("/ballot", data={"csrf_token": csrf_token(html),
                                       **(data if data is not None else full_ballot(round_))},
                      follow_redirects=True)


def test_a_test_ballot_is_the_voters_ballot_marked_checked_and_not_stored(app, orgs):
    round_ = draft(orgs)
    [code, other] = test_codes(round_)
    voter = app.test_client()
    assert voter.get(f"/c/{code}").status_code == 302
    page = voter.get("/ballot").get_data(as_text=True)
    assert "试投：本选票会被检查" in page and "张三" in page and "提交选票" in page
    # Checked like a real one: an incomplete ballot comes back.
    incomplete = voter.post("/ballot", data={"csrf_token": csrf_token(page), "q-0-0": "excellent"})
    assert incomplete.status_code == 400
    done = voter.post("/ballot", data={"csrf_token": csrf_token(page), **full_ballot(round_),
                                       "comment": "测试意见"}, follow_redirects=True)
    text = done.get_data(as_text=True)
    assert done.status_code == 200 and "测试票已收到" in text and "回执" not in text
    assert count(Ballot) == 0 and count(Comment) == 0
    assert count(VoterCode, VoterCode.test.is_(True), VoterCode.status == "used") == 1
    # A test code is single-use too.
    assert vote(app, code, round_=round_).status_code == 409
    assert codes_service.test_run(round_)[0] | {"group": None} == {
        "group": None, "codes": 2, "ballots": 1}
    # Never counted: not in the turnout, nor among the round's codes.
    assert turnout.panel(round_)["total"] == 0
    assert codes_service.counts(round_) == {} and codes_service.batches(round_) == []
    assert other


def test_opening_deletes_the_test_run_and_test_codes_stop_working(app, orgs):
    round_ = draft(orgs)
    [used, unused] = test_codes(round_)
    [real] = codes_service.issue(round_, "members", 1, actor="t")[0]
    assert vote(app, used, round_=round_).status_code == 200
    open_round(round_)
    assert count(VoterCode, VoterCode.test.is_(True)) == 0
    assert count(VoterCode) == 1
    assert app.test_client().get(f"/c/{unused}").status_code == 404
    assert vote(app, real, round_=round_).status_code == 200 and count(Ballot) == 1
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "round.open"))
    assert event.detail == "test codes deleted: 2"


def test_test_codes_only_before_opening_and_a_few_at_a_time(app, orgs):
    round_ = draft(orgs)
    with pytest.raises(RoundError, match="at most 50"):
        test_codes(round_, n=51)
    open_round(round_)
    with pytest.raises(RoundError, match="test codes are for a test run"):
        test_codes(round_)


def test_the_console_issues_test_codes_with_links_and_shows_the_test_turnout(client, orgs):
    round_ = draft(orgs)
    assert conftest.login(client, "a").status_code == 302
    page = client.get(f"/admin/rounds/{round_.slug}").get_data(as_text=True)
    assert "试投" in page
    token = csrf_token(page)
    response = client.post(f"/admin/rounds/{round_.slug}/test-codes",
                           data={"csrf_token": token, "group": "masses", "count": "2"})
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
    plain = re.findall(r"<code>([0-9A-Z-]{11})</code>", text)
    assert len(plain) == 2 and f"http://vote.example/c/{plain[0]}" in text and "<svg" in text
    assert count(VoterCode, VoterCode.test.is_(True)) == 2
    page = client.get(f"/admin/rounds/{round_.slug}").get_data(as_text=True)
    assert "0 张测试票，共 2 个测试码" in page
    too_many = client.post(f"/admin/rounds/{round_.slug}/test-codes",
                           data={"csrf_token": token, "group": "masses", "count": "99"})
    assert too_many.status_code == 400
    open_round(round_)
    assert "试投" not in client.get(f"/admin/rounds/{round_.slug}").get_data(as_text=True)
    assert client.post(f"/admin/rounds/{round_.slug}/test-codes",
                       data={"csrf_token": token, "group": "masses",
                             "count": "1"}).status_code == 404


def test_test_codes_of_another_branch_are_404(client, orgs):
    round_ = draft(orgs)
    assert conftest.login(client, "b").status_code == 302
    token = csrf_token(client.get("/admin/").get_data(as_text=True))
    assert client.post(f"/admin/rounds/{round_.slug}/test-codes",
                       data={"csrf_token": token, "group": "members",
                             "count": "1"}).status_code == 404
    assert count(VoterCode) == 0


def test_the_command_line_issues_test_codes_for_drafts_only(cli, tmp_path):
    path = tmp_path / "round.toml"
    path.write_text(SPEC, encoding="utf-8")
    slug = cli("rounds", "create", path).output.strip()
    result = cli("codes", "issue", slug, "--group", "members", "--count", "2", "--test")
    assert result.exit_code == 0 and result.output.count("/c/") == 2
    assert count(VoterCode, VoterCode.test.is_(True)) == 2
    assert cli("codes", "batches", slug).output.splitlines() == [
        "batch\tgroup\tunused\tused\tvoid"]
    assert cli("rounds", "open", slug).exit_code == 0
    late = cli("codes", "issue", slug, "--group", "members", "--count", "1", "--test")
    assert late.exit_code == 2 and "test codes are for a test run" in late.output
    assert count(VoterCode) == 0
