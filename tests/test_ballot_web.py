"""The voter's path through Flask's test client."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import Answer, Ballot, Comment, VoterCode
from surveyapp.results import tally_json

from .conftest import SPEC, csrf_token, full_ballot, issue, make_round


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
    assert db.session.scalar(select(Comment.text)) == "工作认真"
    options = {o.id: o.key for o in round_.options}
    stored = sorted(options[a.option_id] for a in db.session.scalars(select(Answer)))
    assert stored == ["excellent", "unknown"]

    round_.status = "closed"
    db.session.commit()
    result = tally_json(round_)
    zhangsan = next(s for s in result["subjects"] if s["key"] == "zhangsan")
    assert zhangsan["groups"]["members"]["ballots"] is None  # 1 < anonymity_min: suppressed
    assert zhangsan["groups"]["members"]["suppressed"] is True
    assert result["turnout"]["members"] == {"ballots": 1, "expected": 5}


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
