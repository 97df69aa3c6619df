"""The committee's 评定 beside the software's proposal (测评建议): recorded
per subject with its reason after the count, audited without the reason's
text, frozen while the results are published."""

from __future__ import annotations

from sqlalchemy import select

from surveyapp.database import db
from surveyapp.domain.spec import parse_spec
from surveyapp.models import AuditEvent, CommitteeDecision
from surveyapp.services import decisions, publication
from surveyapp.services import rounds as rounds_service

from .conftest import SPEC, count_round, csrf_token, login, open_round
from .test_results_page import vote


def counted_round(org):
    round_ = rounds_service.create_round(parse_spec(SPEC), actor="t", org=org)
    open_round(round_)
    vote(round_, {"members": [{"zhangsan": "excellent", "lisi": "qualified"}] * 3,
                  "masses": [{"zhangsan": "excellent", "lisi": "basic"}] * 3})
    rounds_service.transition(round_, "close", actor="t")
    count_round(round_)
    db.session.commit()
    return round_


def post(client, round_, subject, **form):
    page = client.get(f"/admin/rounds/{round_.slug}/results").get_data(as_text=True)
    return client.post(f"/admin/rounds/{round_.slug}/decisions/{subject}",
                       data={"csrf_token": csrf_token(page), **form})


def test_the_committee_decides_beside_the_proposal_with_its_reason(client, orgs):
    round_ = counted_round(orgs["a"])
    login(client, "a")
    page = client.get(f"/admin/rounds/{round_.slug}/results").get_data(as_text=True)
    assert "支委会评定" in page and "测评建议" in page and 'id="decision-zhangsan"' in page
    proposal = next(d for d in decisions.decisions(round_) if d.subject == "zhangsan").proposal
    other = "basic" if proposal != "basic" else "qualified"
    refused = post(client, round_, "zhangsan", option=other, reason=" ")
    assert refused.status_code == 400
    assert "须写明理由" in refused.get_data(as_text=True)
    assert db.session.scalar(select(CommitteeDecision)) is None
    done = post(client, round_, "zhangsan", option=other, reason="日常表现一般，经支委会研究")
    assert done.status_code == 303 and done.headers["Location"].endswith("#decision-zhangsan")
    decided = {d.subject: d for d in decisions.decisions(round_)}["zhangsan"]
    assert (decided.option, decided.reason) == (other, "日常表现一般，经支委会研究")
    detail = db.session.scalar(select(AuditEvent.detail).where(
        AuditEvent.action == "decision.record"))
    assert detail == f"subject=zhangsan grade={other}" and "日常" not in detail
    # htmx swaps the row alone.
    swapped = client.post(f"/admin/rounds/{round_.slug}/decisions/zhangsan",
                          data={"csrf_token": csrf_token(page), "option": "", "reason": ""},
                          headers={"HX-Request": "true", "HX-Target": "decision-zhangsan"})
    body = swapped.get_data(as_text=True)
    assert swapped.status_code == 200 and body.lstrip().startswith("<li id=\"decision-zhangsan\"")
    assert db.session.scalar(select(CommitteeDecision)) is None  # withdrawn


def test_decisions_are_frozen_while_published(client, orgs):
    round_ = counted_round(orgs["a"])
    login(client, "a")
    publication.publish(round_, actor="t")
    refused = post(client, round_, "lisi", option="qualified", reason="x")
    assert refused.status_code == 409
    assert db.session.scalar(select(CommitteeDecision)) is None


def test_another_branch_cannot_decide(client, orgs):
    round_ = counted_round(orgs["a"])
    login(client, "b")
    page = client.get("/admin/").get_data(as_text=True)
    response = client.post(f"/admin/rounds/{round_.slug}/decisions/lisi",
                           data={"csrf_token": csrf_token(page), "option": "qualified",
                                 "reason": "x"})
    assert response.status_code == 404
    assert db.session.scalar(select(CommitteeDecision)) is None
