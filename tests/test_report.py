"""A round's draft report for the 组织生活会 / 上报党委 (issue 18, part 4):
the stored, disclosure-checked figures, the committee's 评定 beside the
测评建议 with the differences, and only the comments that passed review,
pooled as the 公示 lists them and withheld below the threshold; a PDF and
the same tables in XLSX, from the console and the command line.

Hand-computed: four web ballots, every subject 合格 (80 points) from each,
alternating 党员互评 / 群众评议, so 2 of 5 expected in each group (40.0%)
and both subjects score 80.00, sharing rank 1."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from pypdf import PdfReader

from surveyapp.database import db
from surveyapp.services import comments as comments_service
from surveyapp.services import decisions

from .conftest import SPEC, csrf_token, login
from .test_comments import NAMED, PLAIN, REDACTED, RUDE, by_text, counted_round

PENDING_TEXT = "希望多组织学习"


def pdf_text(data: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def reviewed_round(org):
    round_ = counted_round(org, [NAMED, PLAIN, RUDE, PENDING_TEXT])
    found = by_text(round_)
    comments_service.decide(round_, found[NAMED].id, "redact", REDACTED, actor="t")
    comments_service.decide(round_, found[PLAIN].id, "show", actor="t")
    comments_service.decide(round_, found[RUDE].id, "hide", actor="t")
    decisions.decide(round_, "zhangsan", "excellent", "日常表现突出，经支委会研究", actor="t")
    db.session.commit()
    return round_


def test_the_report_from_the_results_page(client, orgs):
    round_ = reviewed_round(orgs["a"])
    login(client, "a")
    page = client.get(f"/admin/rounds/{round_.slug}/results").get_data(as_text=True)
    url = f"/admin/rounds/{round_.slug}/report/pdf"
    assert url in page and f"/admin/rounds/{round_.slug}/report/xlsx" in page
    pdf = client.get(url)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert "attachment" in pdf.headers["Content-Disposition"]
    text = pdf_text(pdf.data)
    assert "测评情况报告（草稿）" in text and "2/5(40.0%)" in text and "80.00" in text
    assert "评定与测评建议不同的情况" in text and "日常表现突出，经支委会研究" in text
    assert REDACTED in text and PLAIN in text
    assert NAMED not in text and RUDE not in text and PENDING_TEXT not in text
    assert "另有1条尚未审阅" in text

    book = load_workbook(io.BytesIO(client.get(
        f"/admin/rounds/{round_.slug}/report/xlsx").data))
    assert book.sheetnames == ["测评结果与评定", "评定与建议不同", "意见建议"]
    cells = [[c.value for c in row] for row in book["测评结果与评定"].iter_rows()]
    header = next(r for r in cells if r[:2] == ["排名", "姓名"])
    rows = {r[1]: dict(zip(header, r, strict=True)) for r in cells if r[1] in ("张三", "李四")}
    assert (rows["张三"]["排名"], rows["张三"]["得分"], rows["张三"]["测评人数"]) == ("1", "80.00",
                                                                               "4")
    assert (rows["张三"]["测评建议"], rows["张三"]["评定"]) == ("无", "优秀")
    assert (rows["李四"]["排名"], rows["李四"]["评定"]) == ("1", "未评定")
    assert ["参评情况：党员互评", "2/5 (40.0%)"] == [c for c in cells[2] if c]
    diff = [[c.value for c in row] for row in book["评定与建议不同"].iter_rows()]
    assert diff[2] == ["张三", "工程技术党支部", "80.00", "无", "优秀",
                       "日常表现突出，经支委会研究"]
    listed = [[c.value for c in row] for row in book["意见建议"].iter_rows()]
    assert sorted(r[1] for r in listed[1:]) == sorted([REDACTED, PLAIN])


def test_withheld_comments_and_hidden_turnout_stay_out_of_the_report(client, orgs):
    spec = SPEC.replace("anonymity_min = 2", "anonymity_min = 5")
    round_ = counted_round(orgs["a"], [PLAIN], spec=spec, ballots=2)
    login(client, "a")
    text = pdf_text(client.get(f"/admin/rounds/{round_.slug}/report/pdf").data)
    assert "少于5张，为保护匿名不列出" in text and PLAIN not in text
    assert "人数较少，不单独显示" in text and "80.00" not in text


def test_the_report_on_the_command_line(cli, orgs, tmp_path):
    round_ = reviewed_round(orgs["a"])
    out = tmp_path / "report.xlsx"
    done = cli("report", round_.slug, "--format", "xlsx", "-o", out)
    assert done.exit_code == 0 and out.read_bytes().startswith(b"PK")
    assert load_workbook(out).sheetnames[1] == "评定与建议不同"
    pdf = tmp_path / "report.pdf"
    assert cli("report", round_.slug, "-o", pdf).exit_code == 0
    assert "日常表现突出" in pdf_text(pdf.read_bytes())
    missing = cli("report", "nosuch", "-o", tmp_path / "x.pdf")
    assert missing.exit_code == 2 and not (tmp_path / "x.pdf").exists()
    bad = cli("report", round_.slug, "--format", "docx", "-o", tmp_path / "x.docx")
    assert bad.exit_code == 2 and not (tmp_path / "x.docx").exists()


def test_another_branch_gets_404_for_the_report(client, orgs):
    round_ = reviewed_round(orgs["a"])
    login(client, "b")
    for fmt in ("pdf", "xlsx"):
        assert client.get(f"/admin/rounds/{round_.slug}/report/{fmt}").status_code == 404
    page = client.get("/admin/").get_data(as_text=True)
    client.post("/admin/logout", data={"csrf_token": csrf_token(page)})
    login(client, "party")  # the branch's 党委 reads it
    assert client.get(f"/admin/rounds/{round_.slug}/report/pdf").status_code == 200
