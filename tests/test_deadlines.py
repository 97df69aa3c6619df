"""Deadlines (issue 14, part 4): optional ``opens_at`` / ``closes_at`` on a round,
from the spec or the console, checked at creation; a ballot outside them is
refused with a clear page and its code stays unused; the console counts down.
Only the round's settings hold a time: no ballot does."""

from __future__ import annotations

import datetime as dt

import pytest
from flask_babel import refresh
from sqlalchemy import func, inspect, select

from surveyapp.database import db
from surveyapp.domain.spec import parse_spec, spec_to_dict
from surveyapp.models import Ballot, Round, VoterCode, utcnow
from surveyapp.services import deadlines, voting
from surveyapp.services import rounds as rounds_service
from surveyapp.services.errors import RoundError

from . import conftest
from .conftest import SPEC, csrf_token, full_ballot, issue, make_round

HOUR = dt.timedelta(hours=1)


def with_deadlines(**lines: str) -> str:
    extra = "".join(f"{key} = {value}\n" for key, value in lines.items())
    return SPEC.replace("anonymity_min = 2\n", "anonymity_min = 2\n" + extra)


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def set_deadlines(round_, opens_at=None, closes_at=None):
    round_.opens_at, round_.closes_at = opens_at, closes_at
    db.session.commit()


# -- the setting ------------------------------------------------------------------------

def test_no_deadline_by_default(app):
    round_ = make_round(status="draft")
    assert (round_.opens_at, round_.closes_at) == (None, None)
    assert "closes_at" not in spec_to_dict(rounds_service.round_spec(round_))


def test_local_times_are_the_organisations_and_stored_in_utc(app):
    spec = parse_spec(with_deadlines(opens_at="2036-12-01T08:00:00",
                                     closes_at='"2036-12-01 18:30+00:00"'))
    round_ = rounds_service.create_round(spec, actor="t")
    # Asia/Shanghai by default: 08:00 there is 00:00 UTC; an explicit offset is kept.
    assert round_.opens_at == dt.datetime(2036, 12, 1, 0, 0)
    assert round_.closes_at == dt.datetime(2036, 12, 1, 18, 30)
    assert deadlines.local(round_.closes_at) == dt.datetime(2036, 12, 2, 2, 30)
    again = rounds_service.round_spec(round_)
    assert deadlines.to_utc(again.closes_at) == round_.closes_at


@pytest.mark.parametrize(("lines", "message"), [
    ({"closes_at": "2036-12-01"}, "closes_at must be a date and time"),
    ({"closes_at": '"soon"'}, 'got "soon"'),
    ({"opens_at": "2036-12-02T08:00:00", "closes_at": "2036-12-01T08:00:00"},
     "closes_at must come after opens_at"),
    ({"closes_at": "2020-01-01T08:00:00"}, "closes_at 2020-01-01 08:00 has passed already"),
])
def test_bad_deadlines_are_refused_at_creation_naming_the_field(cli, tmp_path, lines, message):
    path = tmp_path / "round.toml"
    path.write_text(with_deadlines(**lines), encoding="utf-8")
    result = cli("rounds", "create", path)
    assert result.exit_code == 2, result.output
    assert "[closes_at]" in result.output and message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert count(Round) == 0


def test_the_key_binds_no_deadline_so_it_can_move_while_open(app):
    spec = parse_spec(with_deadlines(closes_at="2036-12-01T18:00:00"))
    round_ = rounds_service.create_round(spec, actor="t")
    conftest.open_round(round_)
    deadlines.set_closes_at(round_, dt.datetime(2036, 12, 2, 18, 0), actor="t")
    assert round_.closes_at == dt.datetime(2036, 12, 2, 10, 0)
    from surveyapp.services import ballot_box
    assert ballot_box.board_spec(round_, rounds_service.round_spec(round_)) is not None
    with pytest.raises(RoundError, match="has passed already"):
        deadlines.set_closes_at(round_, dt.datetime(2020, 1, 1), actor="t")
    rounds_service.transition(round_, "close", actor="t")
    with pytest.raises(RoundError, match="can no longer change"):
        deadlines.set_closes_at(round_, None, actor="t")


def test_copies_leave_the_deadlines_behind(app):
    round_ = rounds_service.create_round(
        parse_spec(with_deadlines(closes_at="2036-12-01T18:00:00")), actor="t")
    assert rounds_service.copy_round(round_, actor="t").closes_at is None


def test_no_ballot_table_gains_a_time(app):
    for table in ("ballot", "answer", "comment", "voter_code"):
        for column in inspect(db.engine).get_columns(table):
            assert not isinstance(column["type"], db.DateTime), (table, column["name"])


# -- the voter ----------------------------------------------------------------------------

@pytest.mark.parametrize(("language", "title", "said"), [
    ("zh-CN", "已过截止时间", "您的投票码未被使用"),
    ("en", "The deadline has passed", "Your code has not been used"),
])
def test_a_code_after_the_deadline_gets_a_clear_page_and_stays_unused(app, language, title,
                                                                      said):
    round_ = make_round()
    [code] = issue(round_)
    set_deadlines(round_, closes_at=dt.datetime(2026, 1, 1, 10, 0))  # 18:00 in Beijing
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    response = client.get(f"/c/{code}")
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert f"<h1>{title}</h1>" in page and said in page and "2026-01-01 18:00" in page
    assert count(VoterCode, VoterCode.status == "issued") == 1


def test_a_ballot_submitted_after_the_deadline_is_refused_and_the_code_kept(client):
    round_ = make_round()
    [code] = issue(round_)
    set_deadlines(round_, closes_at=utcnow() + HOUR)
    client.get(f"/c/{code}")
    html = client.get("/ballot").get_data(as_text=True)
    set_deadlines(round_, closes_at=utcnow() - dt.timedelta(minutes=1))
    response = client.post("/ballot", data={"csrf_token": csrf_token(html),
                                            **full_ballot(round_)})
    assert response.status_code == 409 and "已过截止时间" in response.get_data(as_text=True)
    assert count(Ballot) == 0 and count(VoterCode, VoterCode.status == "issued") == 1


def test_before_opens_at_the_ballot_waits_and_in_between_it_counts(client):
    round_ = make_round()
    [code] = issue(round_)
    set_deadlines(round_, opens_at=utcnow() + HOUR, closes_at=utcnow() + 2 * HOUR)
    response = client.get(f"/c/{code}")
    assert response.status_code == 403 and "投票码仍然有效" in response.get_data(as_text=True)
    set_deadlines(round_, opens_at=utcnow() - HOUR, closes_at=utcnow() + HOUR)
    client.get(f"/c/{code}")
    html = client.get("/ballot").get_data(as_text=True)
    assert client.post("/ballot", data={"csrf_token": csrf_token(html),
                                        **full_ballot(round_)}).status_code == 302
    assert count(Ballot) == 1


def test_a_shared_link_round_refuses_after_the_deadline(client):
    round_ = make_round(SPEC.replace("anonymity_min = 2", 'anonymity_min = 2\naccess = "link"'))
    set_deadlines(round_, closes_at=utcnow() - HOUR)
    assert client.get(f"/r/{round_.slug}").status_code == 409
    assert count(Ballot) == 0


def test_paper_ballots_gathered_in_time_can_be_typed_after_the_deadline(app):
    round_ = make_round()
    set_deadlines(round_, closes_at=utcnow() - HOUR)
    paper = "ballot,group,subject,criterion,option\n1,members,zhangsan,,excellent\n"
    assert voting.import_paper_ballots(round_, paper.encode(), source="p.csv", actor="t") == 1
    # A paper 废票 (main's issue 17) is a paper ballot too: counted after the deadline.
    voting.spoil_paper_ballot(round_, "members", actor="t")
    db.session.refresh(round_)
    assert {g.key: g.spoiled for g in round_.groups}["members"] == 1


# -- the console ------------------------------------------------------------------------------

def test_the_console_counts_down_and_says_when_the_deadline_passed(client, orgs):
    round_ = rounds_service.create_round(parse_spec(SPEC), actor="t", org=orgs["a"])
    conftest.open_round(round_)
    set_deadlines(round_, closes_at=utcnow() + dt.timedelta(hours=2, minutes=30, seconds=30))
    assert conftest.login(client, "a").status_code == 302
    page = client.get(f"/admin/rounds/{round_.slug}").get_data(as_text=True)
    assert "还剩 2 小时 30 分钟" in page
    partial = client.get(f"/admin/rounds/{round_.slug}/turnout").get_data(as_text=True)
    assert "countdown" in partial  # the polled panel carries it, so it stays current
    set_deadlines(round_, closes_at=utcnow() + dt.timedelta(days=3, hours=1, minutes=1))
    refresh()
    assert "3 days 1 h left" in client.get(
        f"/admin/rounds/{round_.slug}?lang=en").get_data(as_text=True)
    set_deadlines(round_, closes_at=utcnow() - HOUR)
    refresh()
    assert "The deadline (" in client.get(f"/admin/rounds/{round_.slug}").get_data(as_text=True)


def test_the_wizard_sets_deadlines_in_local_time_and_checks_them(client, orgs):
    assert conftest.login(client, "a").status_code == 302
    token = csrf_token(client.get("/admin/new").get_data(as_text=True))
    basics = {"csrf_token": token, "title": "2036年度民主评议党员", "template": "",
              "scale": "four-grade", "access": "codes", "anonymity_min": "3",
              "closes_at": "2020-12-01T18:00"}
    refused = client.post("/admin/new", data=basics)
    assert refused.status_code == 400
    assert "截止时间 closes_at 2020-12-01 18:00 已经过去" in refused.get_data(as_text=True)
    basics |= {"opens_at": "2036-12-01T08:00", "closes_at": "2036-12-01T07:00"}
    assert "必须晚于开始时间" in client.post("/admin/new", data=basics).get_data(as_text=True)
    basics["closes_at"] = "2036-12-01T18:00"
    assert client.post("/admin/new", data=basics).status_code == 302
    client.post("/admin/new/groups", data={"csrf_token": token, "rows-0-key": "members",
                                           "rows-0-label": "党员", "rows-0-weight": "1"})
    client.post("/admin/new/criteria", data={"csrf_token": token})
    done = client.post("/admin/new/subjects", data={"csrf_token": token, "subjects": "张三",
                                                    "action": "finish"})
    assert done.status_code == 302, done.get_data(as_text=True)
    round_ = db.session.scalar(select(Round))
    assert (round_.opens_at, round_.closes_at) == (dt.datetime(2036, 12, 1, 0, 0),
                                                   dt.datetime(2036, 12, 1, 10, 0))
    edit = client.get(f"/admin/rounds/{round_.slug}/edit/basics").get_data(as_text=True)
    assert 'value="2036-12-01T18:00"' in edit


def test_the_command_line_moves_and_shows_the_deadline(cli, tmp_path):
    path = tmp_path / "round.toml"
    path.write_text(SPEC, encoding="utf-8")
    slug = cli("rounds", "create", path).output.strip()
    result = cli("rounds", "deadline", slug, "2036-12-01T18:00")
    assert result.exit_code == 0 and result.output.strip() == f"{slug} closes at 2036-12-01 18:00"
    assert "closes_at: 2036-12-01 18:00 (local time)" in cli("rounds", "show", slug).output
    for args in (("yesterday",), ("2020-01-01T08:00",), ()):
        bad = cli("rounds", "deadline", slug, *args)
        assert bad.exit_code == 2 and len(bad.output.strip().splitlines()) == 1, bad.output
    assert cli("rounds", "deadline", slug, "--none").output.strip() == f"{slug} has no deadline"


def test_the_console_moves_the_deadline_of_an_open_round(client, orgs):
    round_ = rounds_service.create_round(parse_spec(SPEC), actor="t", org=orgs["a"])
    conftest.open_round(round_)
    assert conftest.login(client, "a").status_code == 302
    token = csrf_token(client.get(f"/admin/rounds/{round_.slug}").get_data(as_text=True))
    url = f"/admin/rounds/{round_.slug}/deadline"
    assert client.post(url, data={"csrf_token": token,
                                  "closes_at": "2036-12-01T18:00"}).status_code == 303
    db.session.expire_all()
    assert round_.closes_at == dt.datetime(2036, 12, 1, 10, 0)
    client.post(url, data={"csrf_token": token, "closes_at": "2020-12-01T18:00"})
    assert "已经过去" in client.get(f"/admin/rounds/{round_.slug}").get_data(as_text=True)
    db.session.expire_all()
    assert round_.closes_at == dt.datetime(2036, 12, 1, 10, 0)
    client.post(url, data={"csrf_token": token, "closes_at": ""})
    db.session.expire_all()
    assert round_.closes_at is None
