"""Who rates whom (评价关系) on the ballot page, the typed paper form and the
count: a group's ballot holds only the subjects it rates."""

from __future__ import annotations

from surveyapp.database import db
from surveyapp.services.results import tally_json
from surveyapp.services.rounds import transition

from .conftest import SPEC, count_round, csrf_token, issue, login, make_round

# 群众 rate only 张三; 党员 rate both (no rates: everyone).
RELATED = SPEC.replace('expected = 5\n\n[[subjects]]', 'expected = 5\nrates = ["zhangsan"]\n\n'
                       '[[subjects]]', 1)
assert 'rates = ["zhangsan"]' in RELATED


def open_ballot(client, code) -> str:
    client.get(f"/c/{code}")
    return client.get("/ballot").get_data(as_text=True)


def test_a_ballot_shows_and_takes_only_the_subjects_its_group_rates(client):
    round_ = make_round(RELATED)
    masses = issue(round_, "masses", 2)
    members = issue(round_, "members", 2)
    html = open_ballot(client, masses[0])
    assert "张三" in html and "李四" not in html and 'name="q-1-0"' not in html
    # Only 张三 is asked for; an answer for 李四 slipped in is ignored.
    response = client.post("/ballot", data={"csrf_token": csrf_token(html),
                                            "q-0-0": "excellent", "q-1-0": "unqualified"})
    assert response.status_code == 302
    html = open_ballot(client, masses[1])
    client.post("/ballot", data={"csrf_token": csrf_token(html), "q-0-0": "qualified"})
    for code in members:
        html = open_ballot(client, code)
        assert "李四" in html
        client.post("/ballot", data={"csrf_token": csrf_token(html),
                                     "q-0-0": "qualified", "q-1-0": "basic"})
    transition(round_, "close", actor="test")
    count_round(round_)
    result = {s["key"]: s for s in tally_json(round_)["subjects"]}
    # 张三: 党员 80, 群众 (100+80)/2 = 90; weights 60:40 → 84.
    assert result["zhangsan"]["score"] == 84.0
    assert result["zhangsan"]["groups"]["masses"]["counts"]["unqualified"] == 0
    # 李四: rated by 党员 only (60); 群众 do not rate him, so they are not
    # missing and nothing of 不合格 reached him.
    assert result["lisi"]["score"] == 60.0
    assert result["lisi"]["groups"]["masses"]["ballots"] == 0
    assert not any(f.startswith("group_missing") for f in result["lisi"]["flags"])


def test_a_link_round_whose_groups_rate_different_people_asks_the_group_first(client):
    round_ = make_round(RELATED.replace('anonymity_min = 2', 'anonymity_min = 2\naccess = "link"'))
    page = client.get(f"/r/{round_.slug}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and f"/r/{round_.slug}?group=masses" in html
    assert "张三" not in html  # no ballot yet
    html = client.get(f"/r/{round_.slug}?group=masses").get_data(as_text=True)
    assert "张三" in html and "李四" not in html
    assert f'action="/r/{round_.slug}?group=masses"' in html
    response = client.post(f"/r/{round_.slug}?group=masses",
                           data={"csrf_token": csrf_token(html), "q-0-0": "excellent"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/done")


def test_the_typed_paper_form_lists_the_groups_subjects_and_takes_a_name_left_out(client, orgs):
    round_ = make_round(RELATED)
    round_.org_id = orgs["a"].id
    db.session.commit()
    login(client, "a")
    page = client.get(f"/admin/rounds/{round_.slug}/paper?group=masses")
    html = page.get_data(as_text=True)
    assert "张三" in html and "李四" not in html
    page = client.get(f"/admin/rounds/{round_.slug}/paper?group=members")
    html = page.get_data(as_text=True)
    assert "李四" in html and "_absent" in html
    response = client.post(f"/admin/rounds/{round_.slug}/paper", data={
        "csrf_token": csrf_token(html), "group": "members", "p-0-0": "excellent",
        "p-1-0": "_absent"})
    assert response.status_code == 303
    transition(round_, "close", actor="test")
    count_round(round_)
    # The ballot holds 张三 only: 李四 has no ballot from it, graded or blank.
    exact = tally_json(round_)
    lisi = next(s for s in exact["subjects"] if s["key"] == "lisi")
    assert lisi["groups"]["members"]["ballots"] in (0, None)


# 本人不评 on the web: 12 members, at most ⌊12 × 1/3⌋ = 4 优秀 per ballot.
TWELVE = ("title = \"民主评议党员\"\nanonymity_min = 2\n\n[scale]\noptions = [\n"
          '  { key = "excellent", label = "优秀", points = 100 },\n'
          '  { key = "qualified", label = "合格", points = 80 },\n]\n\n'
          '[[groups]]\nkey = "members"\nlabel = "党员互评"\n\n'
          + "".join(f'[[subjects]]\nkey = "m{i}"\nname = "党员{i:02d}"\n\n' for i in range(12))
          + '[rules]\nleave_own_name_out = true\nper_ballot_max = { excellent = "1/3" }\n')


def test_a_voter_may_leave_their_own_name_out_without_losing_a_top_grade(client):
    round_ = make_round(TWELVE)
    codes = issue(round_, "members", 3)
    html = open_ballot(client, codes[0])
    assert html.count('value="_absent"') == 12 and "本人（不评）" in html
    # m0 leaves their own name out and gives 4 优秀 to the other 11: allowed,
    # the limit is of the branch's 12, not the ballot's 11.
    ballot = {f"q-{i}-0": "excellent" if 1 <= i <= 4 else "qualified" for i in range(1, 12)}
    response = client.post("/ballot", data={"csrf_token": csrf_token(html), "q-0-0": "_absent",
                                            **ballot})
    assert response.status_code == 302
    # Two names left out is one too many.
    html = open_ballot(client, codes[1])
    response = client.post("/ballot", data={"csrf_token": csrf_token(html), "q-0-0": "_absent",
                                            **{**ballot, "q-11-0": "_absent"}})
    assert response.status_code == 400
    assert "只能不评本人一人" in response.get_data(as_text=True)
    # A full ballot of 12 as well, then the count: m0 is on one ballot of two.
    html = open_ballot(client, codes[2])
    client.post("/ballot", data={"csrf_token": csrf_token(html),
                                 **{f"q-{i}-0": "qualified" for i in range(12)}})
    transition(round_, "close", actor="test")
    count_round(round_)
    result = {s["key"]: s for s in tally_json(round_)["subjects"]}
    assert result["m1"]["groups"]["members"]["ballots"] == 2
    assert result["m1"]["score"] == 90.0   # (100 + 80)/2
    # m0 was left out once: one ballot includes them, below anonymity_min (2).
    assert result["m0"]["score"] is None


def test_editing_the_groups_in_the_console_keeps_whom_they_rate(client, orgs):
    round_ = make_round(RELATED, status="draft")
    round_.org_id = orgs["a"].id
    db.session.commit()
    login(client, "a")
    page = client.get(f"/admin/rounds/{round_.slug}/edit/groups").get_data(as_text=True)
    response = client.post(f"/admin/rounds/{round_.slug}/edit/groups", data={
        "csrf_token": csrf_token(page),
        "rows-0-key": "members", "rows-0-label": "党员互评", "rows-0-weight": "60",
        "rows-1-key": "masses", "rows-1-label": "职工群众", "rows-1-weight": "40"})
    assert response.status_code == 302
    db.session.expire_all()
    from surveyapp.services.rounds import round_spec
    spec = round_spec(round_)
    assert spec.group("masses").label == "职工群众"
    assert spec.rated("masses") == ("zhangsan",) and spec.group("members").rates is None


def test_the_board_of_a_round_whose_groups_rate_different_people_verifies(client, cli, tmp_path):
    import json

    from click.testing import CliRunner

    from surveyapp.cli import cli as surveyapp_cli
    round_ = make_round(RELATED)
    for group, n in (("members", 2), ("masses", 3)):
        for code in issue(round_, group, n):
            html = open_ballot(client, code)
            answers = {"q-0-0": "excellent"} if group == "masses" else {
                "q-0-0": "qualified", "q-1-0": "basic"}
            client.post("/ballot", data={"csrf_token": csrf_token(html), **answers})
    transition(round_, "close", actor="test")
    count_round(round_)
    path = tmp_path / "board.json"
    assert cli("board", round_.slug, "-o", path).exit_code == 0
    board = json.loads(path.read_text(encoding="utf-8"))
    assert board["spec"]["groups"][1]["rates"] == ["zhangsan"]
    result = CliRunner().invoke(surveyapp_cli, ["verify", str(path), "--jobs", "1"])
    assert result.exit_code == 0, result.output


def test_the_ballot_lists_a_criterions_sub_items_and_their_points(client):
    spec = SPEC.replace("[[groups]]", '[[criteria]]\nkey = "leading"\nlabel = "政治引领力强"\n'
                        'items = [{ key = "theory", label = "理论学习", points = 10 },\n'
                        '         { key = "life", label = "组织生活", points = "15/2" }]\n\n'
                        "[[groups]]", 1)
    round_ = make_round(spec)
    [code] = issue(round_, "members")
    html = open_ballot(client, code)
    assert "理论学习（10 分）" in html and "组织生活（7.5 分）" in html
