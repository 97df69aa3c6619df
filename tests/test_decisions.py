"""The committee's 评定 beside the software's proposal (测评建议): recorded
per subject with its reason after the count, audited without the reason's
text, frozen while the results are published; in the XLSX/PDF exports
beside the proposal (then headed 测评建议), and in the 公示 when chosen."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from surveyapp import plugins
from surveyapp.database import db
from surveyapp.domain.spec import parse_spec
from surveyapp.models import AuditEvent, CommitteeDecision
from surveyapp.services import decisions, publication
from surveyapp.services import rounds as rounds_service

from .conftest import SPEC, count_round, csrf_token, login, open_round
from .test_results_page import vote


def counted_round(org, template: str | None = None):
    text = f'template = "{template}"\n{SPEC}' if template else SPEC
    round_ = rounds_service.create_round(parse_spec(text, **plugins.spec_context()),
                                         actor="t", org=org)
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
    label = next(o.label for o in round_.options if o.key == other)  # no key on any page
    assert detail == f"subject=zhangsan grade={label}" and "日常" not in detail
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


def test_the_exports_and_the_publication_carry_the_decision_beside_the_proposal(client, orgs):
    round_ = counted_round(orgs["a"], "party-member-appraisal")  # its rules propose grades
    login(client, "a")
    proposal = {d.subject: d.proposal for d in decisions.decisions(round_)}
    assert proposal["zhangsan"] and proposal["lisi"]
    other = "basic" if proposal["zhangsan"] != "basic" else "qualified"
    decisions.decide(round_, "zhangsan", other, "日常表现一般，经支委会研究", actor="t")
    labels = {"excellent": "优秀", "qualified": "合格", "basic": "基本合格"}

    xlsx = client.get(f"/admin/rounds/{round_.slug}/results/export/xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).worksheets[0]
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(r for r in cells if "姓名" in r)
    assert {"测评建议", "评定", "评定理由"} <= set(header) and "建议等次" not in header
    zhang = dict(zip(header, next(r for r in cells if "张三" in r), strict=True))
    li = dict(zip(header, next(r for r in cells if "李四" in r), strict=True))
    assert (zhang["测评建议"] or None, zhang["评定"], zhang["评定理由"]) == (
        labels.get(proposal["zhangsan"]), labels[other], "日常表现一般，经支委会研究")
    assert not li["评定"] and (li["测评建议"] or None) == labels.get(proposal["lisi"])

    pdf = client.get(f"/admin/rounds/{round_.slug}/results/export/pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    squeezed = re.sub(r"\s+", "", text)
    assert "测评建议" in squeezed and "评定" in squeezed
    assert "日常表现一般，经支委会研究" in squeezed

    # The 公示 shows them only when the secretary chose to publish them.
    publication.publish(round_, ["proposal"], actor="t")
    assert "日常表现一般" not in client.get(f"/p/{round_.slug}").get_data(as_text=True)
    publication.unpublish(round_, actor="t")
    publication.publish(round_, ["proposal", "decision"], actor="t")
    entries = {e["name"]: e for e in publication.snapshot(round_)["subjects"]}
    assert entries["张三"]["decision"] == labels[other]
    assert entries["张三"]["reason"] == "日常表现一般，经支委会研究"
    assert entries["李四"]["decision"] is None
    page = client.get(f"/p/{round_.slug}").get_data(as_text=True)
    assert "测评建议" in page and "日常表现一般，经支委会研究" in page and "未评定" in page


def test_without_a_decision_the_exports_keep_their_columns(client, orgs):
    round_ = counted_round(orgs["a"])
    login(client, "a")
    xlsx = client.get(f"/admin/rounds/{round_.slug}/results/export/xlsx")
    values = {c.value for row in load_workbook(io.BytesIO(xlsx.data)).worksheets[0].iter_rows()
              for c in row}
    assert "建议等次" in values and not {"评定", "评定理由", "测评建议"} & values
