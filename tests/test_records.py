"""A member year over year (issue 18, part 3): the person key each subject
is, confirmed by the secretary from proposals (same key, or same name and
unit), never voter data; the record with each period's shown score, rank
among peers, 测评建议 and the committee's 评定, marked where last period's
评定 was 基本合格 for the 限期改正 check; its CSV/XLSX; and who may see it.

Hand-computed figures (SPEC: 党员互评 60, 群众评议 40; 优秀 100, 合格 80,
基本合格 60):
* 2025: 张三 优秀 from all → 100; 李四 党员 合格 ×3 (80), 群众 基本合格 ×3 (60)
  → 0.6·80 + 0.4·60 = 72; ranks 1/2 and 2/2.
* 2026 (李四 now under key "L002"): 张三 合格 from all → 80; 李四 党员 优秀 ×3
  (100), 群众 合格 ×3 (80) → 0.6·100 + 0.4·80 = 92; ranks 2/2 and 1/2.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from openpyxl import load_workbook
from sqlalchemy import func, select

from surveyapp.database import db
from surveyapp.domain import records
from surveyapp.domain.spec import parse_spec
from surveyapp.models import MemberLink, Organisation
from surveyapp.services import decisions, members
from surveyapp.services import rounds as rounds_service

from .conftest import SPEC, add_user, count_round, csrf_token, login, open_round
from .test_results_page import vote


def counted(org, votes, *, spec=SPEC, year=None):
    round_ = rounds_service.create_round(parse_spec(spec), actor="t", org=org)
    open_round(round_)
    vote(round_, votes)
    rounds_service.transition(round_, "close", actor="t")
    count_round(round_)
    if year:
        round_.created_on = dt.date(year, 12, 1)
    db.session.commit()
    return round_


def two_years(org):
    first = counted(org, {"members": [{"zhangsan": "excellent", "lisi": "qualified"}] * 3,
                          "masses": [{"zhangsan": "excellent", "lisi": "basic"}] * 3},
                    year=2025)
    second = counted(org, {"members": [{"zhangsan": "qualified", "L002": "excellent"}] * 3,
                           "masses": [{"zhangsan": "qualified", "L002": "qualified"}] * 3},
                     spec=SPEC.replace('key = "lisi"', 'key = "L002"'), year=2026)
    return first, second


def links() -> int:
    return db.session.scalar(select(func.count()).select_from(MemberLink)) or 0


def post_links(client, round_, form):
    page = client.get(f"/admin/rounds/{round_.slug}/members").get_data(as_text=True)
    return client.post(f"/admin/rounds/{round_.slug}/members",
                       data={"csrf_token": csrf_token(page)} | form)


# -- the domain ---------------------------------------------------------------------------------

def test_proposals_prefer_the_same_key_then_one_person_of_the_same_name_and_unit():
    known = [records.Known("lisi", "李四", "一支部", "E2"),
             records.Known("w1", "王五", "一支部", "E5"),
             records.Known("w2", "王五", "一支部", "E6"),
             records.Known("zs", "张三", "二支部", "E9")]
    found = records.propose_links(
        [("lisi", "李四(改名)", "x"), ("L2", "李四", "一支部"), ("w3", "王五", "一支部"),
         ("zs2", "张三", "一支部"), ("c", "赵六", "")], known, {"c": "E7"})
    assert [(p.person, p.basis) for p in found] == [
        ("E2", records.SAME_KEY), ("E2", records.SAME_NAME_UNIT),
        ("w3", records.NEW_PERSON),   # two 王五 in one unit: the secretary decides
        ("zs2", records.NEW_PERSON),  # another unit's 张三 is not this one
        ("E7", "confirmed")]


# -- the console --------------------------------------------------------------------------------

def test_a_member_followed_over_two_years_with_the_follow_up_marked(client, orgs):
    first, second = two_years(orgs["a"])
    decisions.decide(first, "lisi", "basic", "群众意见较大，限期改正", actor="t")
    decisions.decide(second, "L002", "qualified", "已整改到位", actor="t")
    login(client, "a")
    page = client.get(f"/admin/rounds/{first.slug}/members").get_data(as_text=True)
    assert 'value="lisi"' in page and 'value="zhangsan"' in page  # new people: their keys
    # Refused, nothing stored: one person twice in a round, a key that is not a key.
    bad = post_links(client, first, {"person-zhangsan": "E1", "person-lisi": "E1"})
    assert bad.status_code == 400 and links() == 0
    bad = post_links(client, first, {"person-zhangsan": "张 三", "person-lisi": "E2"})
    assert bad.status_code == 400 and links() == 0
    done = post_links(client, first, {"person-zhangsan": "E1001", "person-lisi": "E1002"})
    assert done.status_code == 303 and links() == 2
    # The next year proposes the same person by the same key, or by name and unit.
    proposed = {p.subject: (p.person, p.basis) for p in members.proposals(second)}
    assert proposed == {"zhangsan": ("E1001", records.SAME_KEY),
                        "L002": ("E1002", records.SAME_NAME_UNIT)}
    page = client.get(f"/admin/rounds/{second.slug}/members").get_data(as_text=True)
    assert 'value="E1002"' in page
    assert post_links(client, second, {"person-zhangsan": "E1001",
                                       "person-L002": "E1002"}).status_code == 303

    record = client.get("/admin/members/E1002").get_data(as_text=True)
    table = record.split('id="record-h"', 1)[1]
    assert table.index("72.00") < table.index("92.00")
    assert "2/2" in table and "1/2" in table and "群众意见较大，限期改正" in table
    assert "2025年评定基本合格" in table  # beside 2026's result
    assert "李四" in client.get("/admin/members").get_data(as_text=True)

    rows = list(csv.reader(io.StringIO(
        client.get("/admin/members/E1002/export/csv").data.decode("utf-8-sig"))))
    assert rows[0][:9] == ["年度", "评议", "党组织", "姓名", "得分", "排名", "测评建议", "评定",
                           "评定理由"]
    assert [r[0] for r in rows[1:]] == ["2025", "2026"]
    assert rows[1][4:6] + rows[1][7:9] == ["72.00", "2/2", "基本合格", "群众意见较大，限期改正"]
    assert rows[2][4:6] + rows[2][7:] == ["92.00", "1/2", "合格", "已整改到位",
                                          "2025年评定基本合格（群众意见较大，限期改正）"]
    sheet = load_workbook(io.BytesIO(
        client.get("/admin/members/E1002/export/xlsx").data)).active
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    header = cells[1]
    by_year = {r[0]: dict(zip(header, r, strict=True)) for r in cells[2:4]}
    assert by_year["2025"]["得分"] == 72 and by_year["2026"]["得分"] == 92
    assert by_year["2026"]["上期评定（整改跟踪）"].startswith("2025年评定基本合格")


def test_a_hidden_figure_stays_hidden_in_the_record(app, orgs):
    round_ = counted(orgs["a"], {"members": [{"zhangsan": "excellent", "lisi": "qualified"}] * 3,
                                 "masses": [{"zhangsan": "excellent", "lisi": "basic"}] * 3},
                     spec=SPEC.replace("anonymity_min = 2", "anonymity_min = 7"))
    members.confirm_proposals(round_, actor="t")
    [period] = members.record("lisi")["periods"]
    assert period["hidden"] and period["score"] is None and period["rank_text"] is None
    data = members.export("lisi", "csv", actor="t").decode("utf-8-sig")
    assert "人数较少，不显示" in data and "72" not in data


# -- who sees whom ------------------------------------------------------------------------------

def person_rules(app):
    return [rule for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith("admin.") and "person" in rule.arguments]


def test_a_members_record_is_404_outside_the_viewers_subtree(client, app, orgs):
    first, _second = two_years(orgs["a"])
    members.confirm(first, {"zhangsan": "E1001", "lisi": "E1002"}, actor="t")
    other = Organisation(name="生产党委", kind="党委", parent_id=orgs["company"].id)
    db.session.add(other)
    db.session.flush()
    add_user("other", "secretary", other)
    db.session.commit()
    rules = person_rules(app)
    assert {r.endpoint for r in rules} >= {"admin.member_record", "admin.member_export"}
    for user in ("b", "other"):  # a sibling branch, another 党委
        login(client, user)
        page = client.get("/admin/members").get_data(as_text=True)
        assert "E1002" not in page and "李四" not in page
        for rule in rules:
            values = {name: {"fmt": "csv"}.get(name, "x")
                      for name in rule.arguments - set(rule.defaults or {})}
            url = app.url_map.bind("vote.example").build(rule.endpoint,
                                                         values | {"person": "E1002"})
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = client.open(url, method=method)
                assert response.status_code == 404, (user, method, url)
        client.post("/admin/logout", data={"csrf_token": csrf_token(page)})
    for user in ("a", "party", "root"):  # the branch, its 党委, an admin
        login(client, user)
        page = client.get("/admin/members/E1002")
        assert page.status_code == 200 and "72.00" in page.get_data(as_text=True), user
        client.post("/admin/logout", data={"csrf_token": csrf_token(page.get_data(as_text=True))})


def test_a_round_not_yet_counted_has_no_members_page_or_report(client, orgs):
    round_ = rounds_service.create_round(parse_spec(SPEC), actor="t", org=orgs["a"])
    open_round(round_)
    login(client, "a")
    assert client.get(f"/admin/rounds/{round_.slug}/members").status_code == 409
    assert client.get(f"/admin/rounds/{round_.slug}/report/pdf").status_code == 409


# -- the command line ---------------------------------------------------------------------------

def test_members_link_and_history_on_the_command_line(cli, orgs):
    first, second = two_years(orgs["a"])
    decisions.decide(first, "lisi", "basic", "群众意见较大，限期改正", actor="t")
    shown = cli("members", "link", first.slug)
    assert shown.exit_code == 0 and "lisi\t李四\t工程技术党支部\tlisi\tproposed: new person" \
        in shown.output and links() == 0
    bad = cli("members", "link", first.slug, "--set", "lisi", "--confirm")
    assert bad.exit_code == 2 and bad.output.count("\n") == 1 and links() == 0
    bad = cli("members", "link", first.slug, "--set", "wangwu=E9", "--confirm")
    assert bad.exit_code == 2 and "no subject 'wangwu'" in bad.output and links() == 0
    done = cli("members", "link", first.slug, "--set", "lisi=E1002", "--confirm")
    assert done.exit_code == 0 and "2 links stored" in done.output
    done = cli("members", "link", second.slug, "--confirm")
    assert "L002\t李四\t工程技术党支部\tE1002\tconfirmed" in done.output
    history = cli("members", "history", "E1002")
    assert history.exit_code == 0
    lines = history.output.splitlines()
    assert lines[0].startswith("2025\t") and "\t72.00\t2/2\t-\t基本合格\t" in lines[0]
    assert "\t92.00\t1/2\t" in lines[1] and "follow-up of 2025年评定基本合格" in lines[1]
    as_json = json.loads(cli("members", "history", "E1002", "--format", "json").output)
    assert [(p["period"], p["score"], p["rank_text"], p["decision"]) for p in
            as_json["periods"]] == [("2025", 72.0, "2/2", "basic"), ("2026", 92.0, "1/2", None)]
    assert as_json["periods"][1]["follow_up"]["decision_label"] == "基本合格"
    assert cli("members", "history", "nobody").exit_code == 2
    assert cli("members", "history", "nobody", "--format", "csv").exit_code == 2


def test_decisions_on_the_command_line_all_or_nothing(cli, orgs, tmp_path):
    round_, _ = two_years(orgs["a"])
    assert cli("decisions", "set", round_.slug, "lisi", "--grade", "基本合格",
               "--reason", "群众意见较大").exit_code == 0
    bad = cli("decisions", "set", round_.slug, "lisi", "--grade", "great")
    assert bad.exit_code == 2 and "unknown grade 'great'" in bad.output
    assert bad.output.count("\n") == 1
    listed = cli("decisions", "list", round_.slug).output
    assert "lisi\t李四\t-\t基本合格\t群众意见较大" in listed
    assert "zhangsan\t张三\t-\t-\t" in listed
    good = tmp_path / "decisions.csv"
    good.write_text("subject,grade,reason\nzhangsan,excellent,表现突出\nlisi,,\n",
                    encoding="utf-8")
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("subject,grade,reason\nzhangsan,excellent,表现突出\nwangwu,qualified,x\n"
                     "lisi,excellent,\n", encoding="utf-8")
    refused = cli("decisions", "import", round_.slug, wrong)
    assert refused.exit_code == 2
    assert f"{wrong}:3" in refused.output and f"{wrong}:4" in refused.output
    assert {d.subject: d.option for d in decisions.decisions(round_)} == {
        "zhangsan": None, "lisi": "basic"}  # nothing written
    done = cli("decisions", "import", round_.slug, good)
    assert done.exit_code == 0 and "2 decisions imported" in done.output
    assert {d.subject: d.option for d in decisions.decisions(round_)} == {
        "zhangsan": "excellent", "lisi": None}  # an empty grade withdraws


def test_a_sibling_branch_cannot_read_or_confirm_a_rounds_members(client, orgs):
    first, _second = two_years(orgs["a"])
    login(client, "b")
    assert client.get(f"/admin/rounds/{first.slug}/members").status_code == 404
    page = client.get("/admin/").get_data(as_text=True)
    response = client.post(f"/admin/rounds/{first.slug}/members",
                           data={"csrf_token": csrf_token(page), "person-lisi": "E9"})
    assert response.status_code == 404 and links() == 0
    client.post("/admin/logout", data={"csrf_token": csrf_token(page)})
    login(client, "party")  # the branch's 党委 may confirm them
    assert post_links(client, first, {"person-lisi": "E9"}).status_code == 303
    assert members.confirmed(first) == {"lisi": "E9"}
