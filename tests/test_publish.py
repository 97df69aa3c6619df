"""Publishing the 公示 page, unpublishing it, and the receipt lookup."""

from __future__ import annotations

import json
import re

from sqlalchemy import func, select

from surveyapp.database import db
from surveyapp.domain import codes
from surveyapp.domain.spec import parse_spec
from surveyapp.models import AuditEvent, Ballot, Round
from surveyapp.services import publication
from surveyapp.services import results as results_service
from surveyapp.services import rounds as rounds_service

from .conftest import SPEC, count_round, csrf_token
from .test_results_page import (
    BANDS,
    SUPPRESSED_SPEC,
    SUPPRESSED_VOTES,
    closed_round,
    login,
    people_fixture,  # noqa: F401  (the "people" fixture)
    section,
)

# 李四 ranks first here, so rank order differs from the spec's order.
LI_FIRST = {"members": [{"zhangsan": "basic", "lisi": "excellent"}] * 3,
            "masses": [{"zhangsan": "qualified", "lisi": "excellent"}] * 2}


def publish(client, round_, fields: list[str]):
    page = client.get(f"/admin/rounds/{round_.slug}/results").get_data(as_text=True)
    return client.post(f"/admin/rounds/{round_.slug}/results/publish",
                       data={"csrf_token": csrf_token(page), "fields": fields, "confirm": "y"})


def ticked(html: str) -> set[str]:
    """The publish form's checked fields."""
    form = section(html, "publish-h")
    return set(re.findall(r'<input[^>]*\bchecked\b[^>]*value="(\w+)"', form))


def actions(round_) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action)
                                   .where(AuditEvent.round_id == round_.id)
                                   .order_by(AuditEvent.id)))


def test_publish_shows_only_the_chosen_fields(client, people):
    round_, _ = closed_round(people["a"], spec=SPEC + BANDS, votes=LI_FIRST)
    assert client.get(f"/p/{round_.slug}").status_code == 404  # closed, not published
    login(client)
    response = publish(client, round_, ["rank", "score"])
    assert response.status_code == 302
    db.session.expire_all()
    assert round_.status == "published" and actions(round_)[-1] == "round.publish"
    stored = json.loads(round_.publish_json)
    assert stored["fields"] == ["rank", "score"]
    assert set(stored["subjects"][0]) == {"name", "rank", "score"}

    page = client.get(f"/p/{round_.slug}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "张三" in html and "李四" in html
    assert html.index("李四") < html.index("张三")                  # rank order
    assert "100.00" in html                                       # 李四's score
    assert "工程技术党支部" not in html                               # unit not chosen
    assert "建议等次" not in html and "优秀" not in html               # proposal not chosen
    assert "党员互评" not in html and "群众评议" not in html             # never group breakdowns
    assert 'viewBox="0 0 360' in html                             # the score ranking chart


def test_default_publication_does_not_leak_the_ranking_through_order(client, people):
    round_, _ = closed_round(people["a"], spec=SPEC + BANDS, votes=LI_FIRST)
    login(client)
    page = client.get(f"/admin/rounds/{round_.slug}/results").get_data(as_text=True)
    assert ticked(page) == {"unit", "proposal"}
    assert publish(client, round_, ["unit", "proposal"]).status_code == 302
    html = client.get(f"/p/{round_.slug}").get_data(as_text=True)
    assert html.index("张三") < html.index("李四")                   # the round's own order
    assert "工程技术党支部" in html and "优秀" in html and "100.00" not in html


def test_published_counts_respect_suppression(client, people):
    round_, _ = closed_round(people["a"], spec=SUPPRESSED_SPEC, votes=SUPPRESSED_VOTES)
    login(client)
    assert publish(client, round_, ["counts", "turnout"]).status_code == 302
    html = client.get(f"/p/{round_.slug}").get_data(as_text=True)
    at = html.index(">王五<")
    wang = html[at:html.index("</tr>", at)]
    assert "为保护匿名不显示" in wang and 'class="share"' not in wang
    # Turnout chosen, but masses' one ballot is not shown, nor members' 3 beside it (the
    # round's total, public on the board, less 3 would give masses' 1).
    assert "3/5 (60.0%)" not in html and html.count("不显示（保护人数少的组）") == 2
    assert "群众评议" in html and html.count("群众评议") == 1          # only in the turnout list


def test_unpublish_takes_the_page_down_and_keeps_the_choice(client, people):
    round_, _ = closed_round(people["a"])
    login(client)
    publish(client, round_, ["score"])
    page = client.get(f"/admin/rounds/{round_.slug}/results").get_data(as_text=True)
    assert f">http://vote.example/p/{round_.slug}</a>" in section(page, "publish-h")
    response = client.post(f"/admin/rounds/{round_.slug}/results/unpublish",
                           data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    db.session.expire_all()
    assert round_.status == "counted"
    assert actions(round_)[-2:] == ["round.publish", "round.unpublish"]
    assert json.loads(round_.publish_json) == {"fields": ["score"]}
    assert client.get(f"/p/{round_.slug}").status_code == 404
    again = client.get(f"/admin/rounds/{round_.slug}/results").get_data(as_text=True)
    assert ticked(again) == {"score"}


def test_publish_needs_a_closed_round_a_token_and_the_organisation(client, people):
    round_, _ = closed_round(people["a"], status="open")
    login(client, "sec-b")
    page = client.get("/admin/").get_data(as_text=True)
    other = client.post(f"/admin/rounds/{round_.slug}/results/publish",
                        data={"csrf_token": csrf_token(page), "fields": ["score"]})
    assert other.status_code == 404                                # not their round
    client.post("/admin/logout", data={"csrf_token": csrf_token(page)})
    login(client)
    page = client.get("/admin/").get_data(as_text=True)
    assert client.post(f"/admin/rounds/{round_.slug}/results/publish",
                       data={"fields": ["score"]}).status_code == 400   # no CSRF token
    still_open = client.post(f"/admin/rounds/{round_.slug}/results/publish",
                             data={"csrf_token": csrf_token(page), "fields": ["score"]})
    assert still_open.status_code == 409
    rounds_service.transition(round_, "close", actor="test")
    not_counted = client.post(f"/admin/rounds/{round_.slug}/results/publish",
                              data={"csrf_token": csrf_token(page), "fields": ["score"]})
    assert not_counted.status_code == 409
    count_round(round_)
    bogus = client.post(f"/admin/rounds/{round_.slug}/results/publish",
                        data={"csrf_token": csrf_token(page), "fields": ["answers"]})
    assert bogus.status_code == 400
    db.session.expire_all()
    assert round_.status == "counted" and "round.publish" not in actions(round_)


def test_cli_publish_freezes_the_default_fields(client, cli, people, monkeypatch):
    round_, _ = closed_round(people["a"], spec=SPEC + BANDS)
    result = cli("rounds", "publish", round_.slug)
    assert result.exit_code == 0, result.output
    assert "subjects" in json.loads(db.session.get(Round, round_.id).publish_json)

    def no_live_tally(*args, **kwargs):
        raise AssertionError("the public page computed the tally")

    # /p/<slug> shows the snapshot frozen at publishing, never a live tally.
    monkeypatch.setattr(results_service, "results", no_live_tally)
    monkeypatch.setattr(results_service, "load_counts", no_live_tally)
    html = client.get(f"/p/{round_.slug}").get_data(as_text=True)
    assert "张三" in html and "工程技术党支部" in html and "优秀" in html
    assert "84.00" not in html


def test_draft_and_unknown_rounds_have_no_public_pages(client, people):
    draft = rounds_service.create_round(parse_spec(SPEC), actor="test", org=people["a"])
    for url in (f"/p/{draft.slug}", f"/p/{draft.slug}/receipt", "/p/nosuchround",
                "/p/nosuchround/receipt"):
        assert client.get(url).status_code == 404, url


# -- receipts ---------------------------------------------------------------------------

def check(client, round_, receipt: str):
    page = client.get(f"/p/{round_.slug}/receipt")
    assert page.status_code == 200
    return client.post(f"/p/{round_.slug}/receipt",
                       data={"csrf_token": csrf_token(page.get_data(as_text=True)),
                             "receipt": receipt})


def test_receipt_lookup_says_counted_and_nothing_more(client, people):
    round_, receipts = closed_round(people["a"], status="open")
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    response = check(client, round_, receipts[0])
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert "已收到" in html and "已计入" not in html  # open: in the box, not counted yet
    assert "党员互评" not in html and "群众评议" not in html and "优秀" not in html
    assert receipts[0] not in html                                 # not left on the page
    typed = check(client, round_, receipts[1].lower().replace("-", " "))
    assert typed.status_code == 200 and "已收到" in typed.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_receipt_from_another_round_or_mistyped_is_not_found(client, people):
    round_, _ = closed_round(people["a"])
    _, elsewhere = closed_round(people["a"])
    response = check(client, round_, elsewhere[0])
    assert response.status_code == 404 and "未找到" in response.get_data(as_text=True)
    bad = check(client, round_, "12345")
    assert bad.status_code == 400
    assert "回执码由 20 位字母和数字组成" in bad.get_data(as_text=True)
    assert check(client, round_, "").status_code == 400


def test_receipt_lookup_works_after_publishing_too(client, people):
    round_, receipts = closed_round(people["a"])
    publication.publish(round_, actor="test")
    assert db.session.scalar(select(func.count()).select_from(Ballot)
                             .where(Ballot.round_id == round_.id)) == 5
    found = check(client, round_, receipts[-1])
    assert found.status_code == 200 and "已计入" in found.get_data(as_text=True)
    assert f"/p/{round_.slug}/board" in found.get_data(as_text=True)  # where to check it
    assert db.session.get(Round, round_.id).status == "published"


def test_a_voting_code_typed_as_a_receipt_is_explained_and_never_looked_up(client, people):
    round_, _ = closed_round(people["a"])
    response = check(client, round_, codes.new_code())
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "这是投票码，不是回执码" in html
