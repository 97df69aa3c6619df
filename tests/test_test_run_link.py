"""Test runs of shared-link rounds (issue 14, part 3, for access = "link"):
the secretary makes secret test links (test codes) on a draft; each opens the
very ballot voters will see, marked as a test, checked like a real one, never
stored or counted; the shared link itself stays closed until the round opens,
and opening deletes the test links, as for a round with personal codes."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from surveyapp.database import db
from surveyapp.domain.spec import parse_spec
from surveyapp.models import AuditEvent, Ballot, Comment, VoterCode
from surveyapp.services import codes as codes_service
from surveyapp.services import turnout
from surveyapp.services.rounds import create_round

from . import conftest
from .conftest import SPEC, csrf_token, full_ballot, open_round

LINK = SPEC.replace("anonymity_min = 2\n", 'anonymity_min = 2\naccess = "link"\n', 1)


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def link_draft(orgs):
    return create_round(parse_spec(LINK), actor="t", org=orgs["a"])


def make_test_links(client, round_, group="members", n=2) -> list[str]:
    page = client.get(f"/admin/rounds/{round_.slug}").get_data(as_text=True)
    assert "测试链接" in page  # the link round's test run speaks of links
    response = client.post(f"/admin/rounds/{round_.slug}/test-codes",
                           data={"csrf_token": csrf_token(page), "group": group,
                                 "count": str(n)})
    assert response.status_code == 200
    return re.findall(r'href="(http://vote\.example/c/[0-9A-Z-]{11})"',
                      response.get_data(as_text=True))


def test_a_test_link_opens_the_marked_ballot_checks_it_and_stores_nothing(app, client, orgs):
    round_ = link_draft(orgs)
    assert conftest.login(client, "a").status_code == 302
    first, second = make_test_links(client, round_)
    # The shared link is closed to everyone while the round is a draft.
    assert app.test_client().get(f"/r/{round_.slug}").status_code != 200
    voter = app.test_client()
    assert voter.get(first.removeprefix("http://vote.example")).status_code == 302
    page = voter.get("/ballot").get_data(as_text=True)
    assert "试投：本选票会被检查" in page and "张三" in page and "李四" in page
    # As on the shared link, the voter says which group they take part as.
    assert 'name="group"' in page and "群众评议" in page
    incomplete = voter.post("/ballot", data={"csrf_token": csrf_token(page),
                                             "q-0-0": "excellent"})
    assert incomplete.status_code == 400
    no_group = voter.post("/ballot", data={"csrf_token": csrf_token(page), **full_ballot(round_)})
    assert no_group.status_code == 400
    done = voter.post("/ballot", data={"csrf_token": csrf_token(page), **full_ballot(round_),
                                       "group": "masses", "comment": "测试意见"},
                      follow_redirects=True)
    assert done.status_code == 200 and "测试票已收到" in done.get_data(as_text=True)
    assert count(Ballot) == 0 and count(Comment) == 0
    # One test ballot per link; the round page counts the test run.
    again = app.test_client().get(first.removeprefix("http://vote.example"))
    assert again.status_code == 409
    assert "1 张测试票，共 2 个测试链接" in client.get(
        f"/admin/rounds/{round_.slug}").get_data(as_text=True)
    assert turnout.panel(round_)["total"] == 0
    assert second


def test_opening_a_link_round_ends_its_test_run(app, client, orgs):
    round_ = link_draft(orgs)
    assert conftest.login(client, "a").status_code == 302
    [link] = make_test_links(client, round_, n=1)
    open_round(round_)
    assert count(VoterCode) == 0
    assert app.test_client().get(link.removeprefix("http://vote.example")).status_code == 404
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "round.open"))
    assert event.detail == "test codes deleted: 1"
    # Real voters use the shared link; their ballots are not marked as tests.
    voter = app.test_client()
    page = voter.get(f"/r/{round_.slug}").get_data(as_text=True)
    assert "试投" not in page
    response = voter.post(f"/r/{round_.slug}", data={
        "csrf_token": csrf_token(page), "group": "members", **full_ballot(round_)})
    assert response.status_code == 302 and count(Ballot) == 1
    # No test links once open.
    token = csrf_token(client.get(f"/admin/rounds/{round_.slug}").get_data(as_text=True))
    assert client.post(f"/admin/rounds/{round_.slug}/test-codes", data={
        "csrf_token": token, "group": "members", "count": "1"}).status_code == 404


def test_a_link_round_still_takes_no_real_codes(orgs):
    round_ = link_draft(orgs)
    try:
        codes_service.issue(round_, "members", 1, actor="t")
    except Exception as error:  # noqa: BLE001 - the refusal's message is what matters
        assert "shared-link round" in str(error)
    else:
        raise AssertionError("a link round took a real code")


def test_the_command_line_makes_test_links_for_a_link_draft(cli, tmp_path):
    path = tmp_path / "round.toml"
    path.write_text(LINK, encoding="utf-8")
    slug = cli("rounds", "create", path).output.strip()
    result = cli("codes", "issue", slug, "--group", "members", "--count", "2", "--test")
    assert result.exit_code == 0 and result.output.count("/c/") == 2
    real = cli("codes", "issue", slug, "--group", "members", "--count", "1")
    assert real.exit_code == 2 and "shared-link round" in real.output
