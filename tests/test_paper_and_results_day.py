"""Paper ballots and results as a secretary meets them (issue 17, items 3 and
9): a sheet that breaks the rules is said to do so and can be recorded as
废票 (a count only); every view reports 发出 / 收回 / 有效 / 废票; the score
is explained with the round's own figures; the two CSV files have their own
names; closing warns of a group below the quorum; publishing shows a preview
first; the printable 测评表."""

from __future__ import annotations

import csv
import io
import json
import re
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from surveyapp import plugins
from surveyapp.database import db
from surveyapp.domain.spec import parse_spec
from surveyapp.models import AuditEvent, Ballot, Round, VoterGroup
from surveyapp.services import codes as codes_service
from surveyapp.services import rounds as rounds_service
from surveyapp.services.results import tally_json
from surveyapp.services.rounds import create_round

from .conftest import SPEC, count_round, csrf_token, open_round
from .test_admin_console import login, visible
from .test_results_page import vote

RULES = '\n[rules]\nper_ballot_max = { excellent = 1 }\nquorum = "1/2"\n'


@pytest.fixture
def secretary(client, orgs):
    return login(client, "a")


def post(client, url, data):
    token = csrf_token(client.get("/admin/").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def page_text(response) -> str:
    return visible(response.get_data(as_text=True))


def a_round(orgs, spec=SPEC + RULES):
    round_ = create_round(parse_spec(spec, **plugins.spec_context()), actor="t",
                          org=orgs["a"])
    open_round(round_)
    return round_


def spoiled(round_) -> dict[str, int]:
    db.session.expire_all()
    return {g.key: g.spoiled for g in db.session.scalars(
        select(VoterGroup).where(VoterGroup.round_id == round_.id))}


def test_a_sheet_over_the_limit_says_so_and_becomes_a_spoiled_ballot(secretary, orgs):
    round_ = a_round(orgs)
    url = f"/admin/rounds/{round_.slug}/paper"
    response = post(secretary, url, {"group": "members", "p-0-0": "excellent",
                                     "p-1-0": "excellent"})
    assert response.status_code == 400
    text = page_text(response)
    assert "未保存：这张选票不符合本次评议的规则" in text
    assert "每张选票“优秀”不超过 1 人（共 2 人），这张选票评了 2 人：张三、李四。" in text
    assert "有些行还没有选择" not in text and "您评了" not in text  # every row is marked
    assert 'class="invalid"' not in response.get_data(as_text=True)  # no row blamed
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 0

    # Recorded as 废票 from the refusal: a count, nothing of the sheet.
    response = post(secretary, f"{url}/spoil", {"group": "members", "confirm": "y"})
    assert response.status_code == 303
    assert spoiled(round_) == {"members": 1, "masses": 0}
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 0
    assert db.session.scalar(select(AuditEvent.detail).where(
        AuditEvent.action == "ballots.paper_spoiled")) == "group=members"
    # Unconfirmed, nothing is counted; a closed round takes no more.
    assert post(secretary, f"{url}/spoil", {"group": "members"}).status_code == 400
    assert spoiled(round_) == {"members": 1, "masses": 0}
    rounds_service.transition(round_, "close", actor="t")
    assert post(secretary, f"{url}/spoil", {"group": "members",
                                            "confirm": "y"}).status_code == 409
    assert spoiled(round_) == {"members": 1, "masses": 0}


def test_every_view_reports_issued_returned_valid_and_spoiled(secretary, orgs, cli, tmp_path):
    round_ = a_round(orgs)
    codes_service.issue(round_, "members", 4, actor="t")      # 发出: 4 codes ...
    [void] = codes_service.issue(round_, "masses", 1, actor="t")[0]
    codes_service.void_listed(round_, [void], actor="t")       # ... a voided one is not
    url = f"/admin/rounds/{round_.slug}/paper"
    post(secretary, url, {"group": "members", "p-0-0": "qualified", "p-1-0": "qualified"})
    post(secretary, f"{url}/spoil", {"group": "members", "confirm": "y"})
    post(secretary, f"{url}/spoil", {"group": "masses", "confirm": "y"})
    vote(round_, {"members": [{"zhangsan": "excellent", "lisi": "basic"}] * 2,
                  "masses": [{"zhangsan": "qualified", "lisi": "qualified"}] * 2})
    rounds_service.transition(round_, "close", actor="t")
    count_round(round_)
    db.session.expire_all()
    round_ = db.session.get(Round, round_.id)

    sheets = tally_json(round_)["sheets"]
    # members: 4 codes + 1 paper ballot + 1 废票 handed out; 3 valid + 1 spoiled returned.
    assert sheets == {"members": {"issued": 6, "returned": 4, "valid": 3, "spoiled": 1},
                      "masses": {"issued": 1, "returned": 3, "valid": 2, "spoiled": 1}}
    line = "本次测评票发出 7 张，收回 7 张，其中有效票 5 张、废票 2 张"
    page = secretary.get(f"/admin/rounds/{round_.slug}/results").get_data(as_text=True)
    turnout = re.search(r'aria-labelledby="turnout-h">(.*?)</section>', page, re.S)[1]
    assert [visible(c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>",
                                                    turnout)][:7] == [
        "测评组别", "权重", "发出", "收回", "有效", "废票", "实到 / 应到（参评率）"]
    assert re.search(r"党员互评</th><td>60</td>\s*<td[^>]*>6</td><td[^>]*>4</td>"
                     r"\s*<td[^>]*>3</td><td[^>]*>1</td>", turnout)

    def export(fmt: str) -> bytes:
        out = tmp_path / f"out.{fmt}"
        assert cli("tally", round_.slug, "--format", fmt, "-o", out).exit_code == 0
        return out.read_bytes()

    sheet = load_workbook(io.BytesIO(export("xlsx")))["汇总表"]
    assert line in sheet["A2"].value
    pdf = "".join(p.extract_text() for p in PdfReader(io.BytesIO(export("pdf"))).pages)
    assert line.replace(" ", "") in pdf.replace(" ", "").replace("\n", "")
    assert json.loads(export("json"))["sheets"] == sheets
    data = list(csv.DictReader(io.StringIO(export("csv").decode("utf-8-sig"))))
    assert {k: v for k, v in data[0].items() if k.startswith("members:") and
            not k.endswith(("ballots", "score"))} == {
        "members:issued": "6", "members:returned": "4", "members:valid": "3",
        "members:spoiled": "1"}
    rows = list(csv.reader(io.StringIO(export("appraisal-summary").decode("utf-8-sig"))))
    assert ["说明", line + "（党员互评 发出 6 张，收回 4 张，其中有效票 3 张、废票 1 张；"
            "群众评议 发出 1 张，收回 3 张，其中有效票 2 张、废票 1 张）。"] in rows


def test_the_summary_csv_has_blanks_words_and_a_name_of_its_own(secretary, orgs, cli, tmp_path):
    round_ = a_round(orgs, SPEC + '\n[rules]\nquorum = "1/2"\n')
    # 李四 graded on two ballots, so the auditor shows his breakdown (k = 2).
    vote(round_, {"members": [{"zhangsan": "excellent", "lisi": None},
                              {"zhangsan": "qualified", "lisi": "unknown"},
                              {"zhangsan": "qualified", "lisi": "excellent"},
                              {"zhangsan": "basic", "lisi": "qualified"}]})
    rounds_service.transition(round_, "close", actor="t")
    count_round(round_)
    out = tmp_path / "s.csv"
    cli("tally", round_.slug, "--format", "appraisal-summary", "-o", out)
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["排名", "姓名", "单位", "测评人数", "优秀（票）", "合格（票）",
                       "基本合格（票）", "不合格（票）", "不了解（票）", "空白（票）", "得分",
                       "建议等次", "提示"]
    li = next(r for r in rows if r[1:2] == ["李四"])
    assert li[3:10] == ["4", "1", "1", "0", "0", "1", "1"]  # 不了解 1, 空白 1
    assert ["说明", "群众评议参评人数未达规定比例"] in rows  # no quorum_not_met:masses
    assert not any("quorum_not_met" in cell for row in rows for cell in row)

    names, fallbacks = set(), set()
    for fmt in plugins.exporters():
        response = secretary.get(f"/admin/rounds/{round_.slug}/results/export/{fmt}")
        disposition = response.headers["Content-Disposition"]
        names.add(unquote(re.search(r"filename\*=UTF-8''(\S+)", disposition)[1]))
        fallbacks.add(re.search(r'filename="([^"]+)"', disposition)[1])
    # The two CSV files differ by name, in words and in ASCII.
    assert len(names) == len(fallbacks) == len(plugins.exporters())
    assert "2026年度民主评议党员-民主评议党员测评汇总表.csv" in names, names
    assert "2026年度民主评议党员-测评结果.csv" in names, names


def test_the_results_page_explains_the_score_with_the_rounds_figures(secretary, orgs):
    round_ = a_round(orgs, SPEC)  # members weigh 60, masses 40
    vote(round_, {"members": [{"zhangsan": "excellent", "lisi": "qualified"}] * 2,
                  "masses": [{"zhangsan": "qualified", "lisi": "qualified"}] * 2})
    rounds_service.transition(round_, "close", actor="t")
    count_round(round_)
    page = page_text(secretary.get(f"/admin/rounds/{round_.slug}/results"))
    assert "各等次分值：优秀 100，合格 80，基本合格 60，不合格 0；不了解不计分。" in page
    assert "个人得分为各组别得分的加权平均：党员互评 60%、群众评议 40%" in page
    # 张三: 100 × 60% + 80 × 40% = 92, where the pooled votes give 90.
    assert "例：张三：党员互评 100.00 × 60% + 群众评议 80.00 × 40% = 92.00" in page


def test_closing_warns_of_a_group_below_the_quorum(secretary, orgs):
    round_ = a_round(orgs)  # members expect 5, masses 5; quorum more than 1/2
    vote(round_, {"members": [{"zhangsan": "qualified", "lisi": "qualified"}] * 3,
                  "masses": [{"zhangsan": "qualified", "lisi": "qualified"}] * 2})
    warning = "参评人数未达到规定比例（须超过应参评人数的 1/2）：群众评议 2/5 人。"
    page = secretary.get(f"/admin/rounds/{round_.slug}").get_data(as_text=True)
    assert warning in visible(page)
    assert re.search(r'data-confirm="参评人数未达到规定比例[^"]*群众评议 2/5 人', page)
    assert warning in page_text(secretary.get(f"/admin/rounds/{round_.slug}/close"))
    vote(round_, {"masses": [{"zhangsan": "qualified", "lisi": "qualified"}]})
    assert "未达到规定比例" not in page_text(secretary.get(f"/admin/rounds/{round_.slug}"))


def test_publishing_shows_a_preview_first(secretary, orgs):
    round_ = a_round(orgs, SPEC)
    vote(round_, {"members": [{"zhangsan": "excellent", "lisi": "qualified"}] * 2})
    rounds_service.transition(round_, "close", actor="t")
    count_round(round_)
    url = f"/admin/rounds/{round_.slug}/results/publish"
    preview = post(secretary, url, {"fields": ["score"]})
    assert preview.status_code == 200
    text = page_text(preview)
    assert "尚未公示" in text and "张三" in text and "100.00" in text
    db.session.expire_all()
    assert db.session.get(Round, round_.id).status == "counted"  # not yet
    assert secretary.get(f"/p/{round_.slug}").status_code == 404
    assert post(secretary, url, {"fields": ["score"], "confirm": "y"}).status_code == 302
    assert secretary.get(f"/p/{round_.slug}").status_code == 200


def test_the_printable_sheet_is_laid_out_like_the_phone_ballot(secretary, orgs, cli, tmp_path):
    round_ = a_round(orgs)
    response = secretary.get(f"/admin/rounds/{round_.slug}/paper/sheet.pdf?group=masses")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    flat = text.replace(" ", "").replace("\n", "")
    for words in ("2026年度民主评议党员测评表", "参评身份：群众评议",
                  "每张选票“优秀”不超过1人（共2人）", "张三", "工程技术党支部", "不了解",
                  "意见建议"):
        assert words in flat, words
    assert secretary.get(f"/admin/rounds/{round_.slug}/paper/sheet.pdf?group=nope"
                         ).status_code == 404
    out = tmp_path / "sheet.pdf"
    result = cli("ballots", "sheet", round_.slug, "--group", "members", "-o", out)
    assert result.exit_code == 0, result.output
    assert "参评身份：党员互评" in PdfReader(out).pages[0].extract_text().replace(" ", "")
    assert cli("ballots", "sheet", round_.slug, "--group", "nope", "-o", out).exit_code == 2
