"""The round wizard in the secretary's words (issue 17, item 7): scales named
by their grades, never their keys; a template names an untitled round; a
roster as Chinese Excel saves it (GBK, 序号, 职务) read as people expect,
with what was read and what was left out said in the preview."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from surveyapp.database import db
from surveyapp.models import Round

from .test_admin_console import basics, login, post, text, visible


@pytest.fixture
def secretary(client, orgs):
    return login(client, "a")


def test_scales_are_listed_by_their_grades_not_their_keys(secretary):
    page = text(secretary.get("/admin/new"))
    scale = re.search(r'<select[^>]*id="scale".*?</select>', page, re.S)[0]
    options = re.findall(r"<option[^>]*>([^<]*)</option>", scale)
    assert "优秀 / 合格 / 基本合格 / 不合格" in options
    assert "满意 / 基本满意 / 不满意 / 不了解" in options
    for key in ("four-grade", "four-grade-with-unknown", "satisfaction", "good-fair"):
        assert key not in " ".join(options)
    assert len(set(options)) == len(options)  # still told apart


def test_a_template_names_an_untitled_round(secretary):
    page = text(secretary.get("/admin/new"))
    assert re.search(r'<option data-title="民主评议党员"[^>]*value="party-member-appraisal"', page)
    response = post(secretary, "/admin/new", basics(title="", template="party-member-appraisal",
                                                   scale=""))
    assert response.status_code == 302
    for step in ("groups", "criteria"):
        form = text(secretary.get(f"/admin/new/{step}"))
        data = dict(re.findall(r'name="(rows-\d+-\w+)"[^>]*value="([^"]*)"', form))
        assert post(secretary, f"/admin/new/{step}", data).status_code == 302
    post(secretary, "/admin/new/subjects", {"subjects": "张三\n李四\n王五", "action": "finish"})
    assert db.session.scalar(select(Round.title)) == "民主评议党员"
    # Without a template there is no name to take.
    response = post(secretary, "/admin/new", basics(title=" "))
    assert response.status_code == 400 and "请输入标题" in text(response)


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
def test_a_roster_from_chinese_excel(secretary, encoding):
    post(secretary, "/admin/new", basics())
    post(secretary, "/admin/new/groups", {"rows-0-label": "党员互评", "rows-0-weight": "1"})
    post(secretary, "/admin/new/criteria", {"rows-0-label": ""})
    table = ("序号,姓名,部门,职务,手机号\n1,王建国,工程技术部,党支部书记,139\n"
             "2,李秀英,综合办公室,,138\n")
    preview = post(secretary, "/admin/new/subjects", {
        "subjects_file": (io.BytesIO(table.encode(encoding)), "花名册.csv"),
        "action": "preview"}, content_type="multipart/form-data")
    assert preview.status_code == 200, visible(text(preview))
    page = visible(text(preview))
    assert "从文件读取：“姓名”作为姓名、“部门”作为单位、“职务”作为职务。" in page
    assert "未读取的列：序号、手机号。" in page  # said, not silent
    assert "文件中没有编号列" in page  # 序号 did not become the key
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td>"
                      r'<td class="hint">([^<]*)</td></tr>', text(preview))
    assert rows == [("1", "王建国", "党支部书记", "工程技术部", "s1"),
                    ("2", "李秀英", "", "综合办公室", "s2")]
    # The preview's list goes back with "finish", posts and all.
    listed = re.search(r'<textarea[^>]*id="subjects"[^>]*>(.*?)</textarea>', text(preview),
                       re.S)[1].strip()
    done = post(secretary, "/admin/new/subjects", {"subjects": listed, "action": "finish"})
    assert done.status_code == 302
    round_ = db.session.scalar(select(Round))
    assert [(s.key, s.name, s.unit, s.post) for s in round_.subjects] == [
        ("s1", "王建国", "工程技术部", "党支部书记"), ("s2", "李秀英", "综合办公室", "")]


def test_a_file_that_is_no_text_names_its_line(secretary):
    post(secretary, "/admin/new", basics())
    post(secretary, "/admin/new/groups", {"rows-0-label": "党员互评", "rows-0-weight": "1"})
    post(secretary, "/admin/new/criteria", {"rows-0-label": ""})
    data = "姓名\n张三\n".encode() + b"\xff\xfe\xfd\n"
    response = post(secretary, "/admin/new/subjects", {
        "subjects_file": (io.BytesIO(data), "people.csv"), "action": "preview"},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert "无法读取第 3 行的文字" in visible(text(response))
    assert "字节" not in visible(text(response))
