"""The voter's path through Flask's test client."""

from __future__ import annotations

import re
import time

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import func, select, update

from surveyapp.database import db
from surveyapp.models import Answer, Ballot, Comment, VoterCode
from surveyapp.services.results import tally_json
from surveyapp.services.rounds import transition

from .ballot_specs import ballot_spec, subject_name
from .conftest import SPEC, count_round, csrf_token, full_ballot, issue, make_round


def ballots() -> int:
    return db.session.scalar(select(func.count()).select_from(Ballot))


def open_ballot(client, code):
    response = client.get(f"/c/{code}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/ballot")
    page = client.get("/ballot")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_scan_fill_in_submit_and_count(client):
    round_ = make_round()
    [code] = issue(round_)
    html = open_ballot(client, code)
    assert "张三" in html and "李四" in html and "优秀" in html
    assert "提交选票" in html  # Chinese by default
    assert "checked" not in html  # no preselected grade

    data = {"csrf_token": csrf_token(html), "q-0-0": "excellent", "q-1-0": "unknown",
            "comment": "  工作认真  "}
    response = client.post("/ballot", data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith("/done")
    done = client.get("/done").get_data(as_text=True)
    assert "回执码" in done and "不保存什么" in done

    assert ballots() == 1
    assert db.session.scalar(select(VoterCode.status)) == "used"
    # Nothing in plaintext: no answer rows, the comment sealed until counted.
    assert db.session.scalars(select(Answer)).all() == []
    assert db.session.scalars(select(Comment)).all() == []

    transition(round_, "close", actor="test")
    count_round(round_)
    assert db.session.scalar(select(Comment.text)) == "工作认真"
    result = tally_json(round_)
    zhangsan = next(s for s in result["subjects"] if s["key"] == "zhangsan")
    assert zhangsan["groups"]["members"]["ballots"] is None  # 1 < anonymity_min: suppressed
    assert zhangsan["groups"]["members"]["suppressed"] is True
    assert zhangsan["score"] is None  # one ballot in all: nothing about it is shown
    assert result["turnout"]["members"] == {"ballots": None, "expected": 5}


def test_typed_code_is_forgiving_and_lands_on_the_ballot(client):
    round_ = make_round()
    [code] = issue(round_)
    page = client.get("/")
    typed = "  " + code.lower().replace("-", " ") + " "
    response = client.post("/", data={"csrf_token": csrf_token(page.get_data(as_text=True)),
                                      "code": typed})
    assert response.status_code == 302 and response.headers["Location"].endswith("/ballot")


def test_second_use_of_a_code_is_refused_with_409(client, app):
    round_ = make_round()
    [code] = issue(round_)
    html = open_ballot(client, code)
    client.post("/ballot", data={"csrf_token": csrf_token(html), **full_ballot(round_)})
    again = app.test_client().get(f"/c/{code}")
    assert again.status_code == 409
    assert "该投票码已使用" in again.get_data(as_text=True)
    assert ballots() == 1


def test_missing_answer_is_400_keeps_what_was_entered_and_stores_nothing(client):
    round_ = make_round()
    [code] = issue(round_)
    html = open_ballot(client, code)
    response = client.post("/ballot", data={"csrf_token": csrf_token(html), "q-0-0": "basic",
                                            "comment": "留着"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "请为“李四”选择一项。" in page
    assert re.search(r'<input checked[^>]*name="q-0-0"[^>]*value="basic"', page)  # kept
    assert "留着" in page
    assert ballots() == 0
    assert db.session.scalar(select(VoterCode.status)) == "issued"


def test_unknown_option_value_is_a_400_not_a_500(client):
    round_ = make_round()
    [code] = issue(round_)
    html = open_ballot(client, code)
    data = {"csrf_token": csrf_token(html), **full_ballot(round_), "q-0-0": "'; DROP TABLE--"}
    assert client.post("/ballot", data=data).status_code == 400
    assert ballots() == 0


def test_closed_round_and_draft_round_refuse_codes(client):
    closed = make_round(status="closed")
    draft = make_round(status="draft")
    # Codes can only be issued while draft or open: issue, then close.
    open_round = make_round()
    [late] = issue(open_round)
    [early] = issue(draft)
    open_round.status = "closed"
    db.session.commit()
    assert client.get(f"/c/{late}").status_code == 409
    assert "投票已结束" in client.get(f"/c/{late}").get_data(as_text=True)
    response = client.get(f"/c/{early}")
    assert response.status_code == 403 and "投票尚未开始" in response.get_data(as_text=True)
    assert closed.status == "closed"


def test_round_closed_between_opening_the_ballot_and_submitting(client):
    round_ = make_round()
    [code] = issue(round_)
    html = open_ballot(client, code)
    round_.status = "closed"
    db.session.commit()
    response = client.post("/ballot", data={"csrf_token": csrf_token(html), **full_ballot(round_)})
    assert response.status_code == 409
    assert ballots() == 0


def test_malformed_and_unknown_codes_are_404(client):
    make_round()
    assert client.get("/c/not-a-code").status_code == 404
    response = client.get("/c/ABCDE-FGHJK")
    assert response.status_code == 404 and "找不到该投票码" in response.get_data(as_text=True)


def test_post_without_csrf_token_is_refused(client):
    round_ = make_round()
    [code] = issue(round_)
    open_ballot(client, code)
    response = client.post("/ballot", data=full_ballot(round_))
    assert response.status_code == 400
    assert ballots() == 0


def test_ballot_without_a_code_in_the_session_goes_back_to_the_start(client):
    response = client.get("/ballot")
    assert response.status_code == 302 and response.headers["Location"].endswith("/")


def test_english_is_a_switch_away(client):
    page = client.get("/?lang=en").get_data(as_text=True)
    assert "Enter your voter code" in page
    assert "Enter your voter code" in client.get("/").get_data(as_text=True)  # remembered


def test_ballot_pages_send_privacy_and_security_headers(client):
    response = client.get("/")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_link_round_takes_one_ballot_per_browser_and_asks_the_group(client):
    spec = SPEC.replace("anonymity_min = 2", 'anonymity_min = 2\naccess = "link"')
    round_ = make_round(spec)
    html = client.get(f"/r/{round_.slug}").get_data(as_text=True)
    assert "公共链接" in html and "我的参评身份" in html
    data = {"csrf_token": csrf_token(html), **full_ballot(round_), "group": "masses"}
    assert client.post(f"/r/{round_.slug}", data=data).status_code == 302
    assert client.get(f"/r/{round_.slug}").status_code == 409
    group_ids = {g.id: g.key for g in round_.groups}
    assert [group_ids[b.group_id] for b in db.session.scalars(select(Ballot))] == ["masses"]


def test_codes_round_has_no_link_page(client):
    round_ = make_round()
    assert client.get(f"/r/{round_.slug}").status_code == 404


def test_refused_submit_lists_ungraded_subjects_by_name_with_links_to_their_cards(client):
    round_ = make_round(ballot_spec(5))
    [code] = issue(round_, "g0")
    html = open_ballot(client, code)
    assert re.search(r"已评</span> <b[^>]*><span data-done>0</span></b>/5", html)
    response = client.post("/ballot", data={"csrf_token": csrf_token(html), "q-0-0": "basic",
                                            "q-2-0": "excellent"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    summary = page[page.index('id="problems"'):page.index("<form")]
    links = re.findall(r'<a href="#(subject-\d+)">([^<]+)</a>', summary)
    assert links == [("subject-1", subject_name(1)), ("subject-3", subject_name(3)),
                     ("subject-4", subject_name(4))]
    for anchor, _name in links:  # each link lands on its card, marked as missing
        assert f'<fieldset class="card subject missing" id="{anchor}">' in page
    assert '<fieldset class="card subject" id="subject-0">' in page
    # The server's count, what a browser without JavaScript shows
    assert re.search(r"已评</span> <b[^>]*><span data-done>2</span></b>/5", page)


def test_criteria_descriptions_are_there_to_open(client):
    round_ = make_round(ballot_spec(2, criteria=True))
    [code] = issue(round_, "g0")
    html = open_ballot(client, code)
    assert html.count('<details class="criterion"><summary id="q-1-0-label">政治素质优</summary>'
                      "<p>理想信念坚定") == 1
    assert html.count('<details class="criterion">') == 2 * 3


def test_a_stale_form_comes_back_with_every_answer_kept(client, monkeypatch):
    round_ = make_round()
    [code] = issue(round_)
    html = open_ballot(client, code)
    later = int(time.time()) + 2 * 3600  # the form token lives one hour
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
    data = {"csrf_token": csrf_token(html), "q-0-0": "excellent", "q-1-0": "basic",
            "comment": "食堂排队太久"}
    response = client.post("/ballot", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "页面打开时间过长，选票未提交" in page
    assert re.search(r'<input checked[^>]*name="q-1-0"[^>]*value="basic"', page)
    assert "食堂排队太久" in page
    assert ballots() == 0
    again = client.post("/ballot", data={**data, "csrf_token": csrf_token(page)})
    assert again.status_code == 302 and ballots() == 1


def test_a_forged_form_token_never_gets_a_prefilled_ballot(client):
    round_ = make_round()
    [code] = issue(round_)
    open_ballot(client, code)
    response = client.post("/ballot", data={"csrf_token": "forged", "q-0-0": "unqualified"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "表单已过期或来源不符" in page and "checked" not in page
    assert ballots() == 0


def test_second_submit_of_a_double_tap_says_the_first_was_counted(client):
    round_ = make_round()
    [code] = issue(round_)
    html = open_ballot(client, code)
    in_flight = client.get_cookie("session").value  # the second tap's request carries this
    data = {"csrf_token": csrf_token(html), **full_ballot(round_)}
    assert client.post("/ballot", data=data).status_code == 302
    client.set_cookie("session", in_flight)
    second = client.post("/ballot", data=data)
    assert second.status_code == 409
    page = second.get_data(as_text=True)
    assert "该投票码已使用" in page and "只计入一次" in page
    assert ballots() == 1
    # Scanning a used code later is not a double tap: no such reassurance.
    assert "只计入一次" not in client.get(f"/c/{code}").get_data(as_text=True)


@pytest.mark.parametrize("language, texts", [
    ("zh-CN", {"used": "该投票码已使用", "unknown": "找不到该投票码", "not_open": "投票尚未开始",
               "closed": "投票已结束"}),
    ("en", {"used": "This code has already been used", "unknown": "Code not found",
            "not_open": "Voting has not started yet", "closed": "Voting has ended"}),
])
def test_each_refusal_has_its_own_page_in_both_languages(app, language, texts):
    open_round = make_round()
    [used, closing] = issue(open_round, count=2)
    draft = make_round(status="draft")
    [early] = issue(draft)
    db.session.execute(update(VoterCode).where(VoterCode.id == 1).values(status="used"))
    db.session.commit()
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    pages = {"used": client.get(f"/c/{used}"), "unknown": client.get("/c/ABCDE-FGHJK"),
             "not_open": client.get(f"/c/{early}")}
    open_round.status = "closed"
    db.session.commit()
    pages["closed"] = client.get(f"/c/{closing}")
    statuses = {"used": 409, "unknown": 404, "not_open": 403, "closed": 409}
    for reason, response in pages.items():
        assert response.status_code == statuses[reason], reason
        page = response.get_data(as_text=True)
        assert f"<h1>{texts[reason]}</h1>" in page, reason
        others = [t for r, t in texts.items() if r != reason]
        assert not any(t in page for t in others), reason
