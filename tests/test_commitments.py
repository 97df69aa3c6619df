"""Commitment items (承诺兑现, issue 14): a subject's own commitments, rated
已兑现 / 部分兑现 / 未兑现 / 不了解, from the spec or the subjects file,
through the web ballot, paper CSV, the sealed box, the board and the
independent verifier, into the results and a 限期改正 follow-up round.

Every figure is worked out by hand in the comments.
"""

from __future__ import annotations

import base64
import csv
import io
import json
from fractions import Fraction

import pytest
from sqlalchemy import select

from surveyapp.database import db
from surveyapp.domain import disclosure
from surveyapp.domain.ballot_box import sealing
from surveyapp.domain.model import Counts, SpecErrors
from surveyapp.domain.paper import parse_paper_ballots
from surveyapp.domain.spec import parse_spec, spec_to_dict
from surveyapp.domain.subjects import subjects_from_rows
from surveyapp.domain.tally import tally
from surveyapp.models import Round
from surveyapp.services.results import tally_json
from surveyapp.services.rounds import create_round, transition

from .conftest import count_round, csrf_token, issue, login, make_round, open_round
from .test_board_verify import verified as verified_by


def verified(path):
    return verified_by(None, path)

SPEC = """
title = "2026年度群众评议"
anonymity_min = 3

[scale]
options = [
  { key = "good", label = "好", points = 100 },
  { key = "fair", label = "一般", points = 60 },
  { key = "unknown", label = "不了解" },
]

[[groups]]
key = "members"
label = "党员互评"

[[subjects]]
key = "zhangsan"
name = "张三"
commitments = ["办好职工食堂", "年内完成技改项目"]

[[subjects]]
key = "lisi"
name = "李四"
"""


def spec():
    return parse_spec(SPEC)


def counts_of(ballots: list[tuple[str, str, str]], group: str = "members") -> Counts:
    """Ballots as (张三's grade, commitment 1, commitment 2); 李四 graded good."""
    counts = Counts()
    for grade, first, second in ballots:
        counts.add_ballot(group, {("zhangsan", "overall"): grade, ("lisi", "overall"): "good",
                                  ("zhangsan", "commitment:1"): first,
                                  ("zhangsan", "commitment:2"): second})
    return counts


# -- the spec and the subjects file -------------------------------------------------------------

def test_commitments_come_from_the_spec_and_only_a_subject_with_some_carries_the_key():
    parsed = spec()
    assert parsed.subjects[0].commitments == ("办好职工食堂", "年内完成技改项目")
    assert parsed.subjects[1].commitments == ()
    data = spec_to_dict(parsed)
    assert data["subjects"][0]["commitments"] == ["办好职工食堂", "年内完成技改项目"]
    assert "commitments" not in data["subjects"][1]  # its spec hash is what it was
    # 2 subjects × 1 criterion × (3 + blank) + 2 items × (4 + blank) = 8 + 10
    assert parsed.positions == 18


@pytest.mark.parametrize("value, message", [
    ('["好", ""]', "must not be empty"),
    ('"办食堂"', "commitments must be a list of texts"),
    ('[' + ", ".join(['"x"'] * 11) + ']', "at most 10 commitments, got 11"),
    ('["' + "长" * 201 + '"]', "at most 200 characters"),
])
def test_bad_commitments_in_a_spec_are_refused_with_their_field(value, message):
    text = SPEC.replace('commitments = ["办好职工食堂", "年内完成技改项目"]',
                        f"commitments = {value}")
    with pytest.raises(SpecErrors) as caught:
        parse_spec(text, source="spec.toml")
    error = caught.value.errors[0]
    assert message in error.message
    assert error.field.startswith("subjects[0].commitments")
    assert error.line == 19


def test_the_subjects_file_splits_commitments_at_line_breaks_and_semicolons():
    rows = [(1, ["key", "name", "承诺事项"]),
            (2, ["zs", "张三", "办好食堂；修路\n建图书室;"]),
            (3, ["ls", "李四", ""])]
    subjects = subjects_from_rows(rows, "members.csv")
    assert subjects[0].commitments == ("办好食堂", "修路", "建图书室")
    assert subjects[1].commitments == ()


def test_an_empty_item_in_the_subjects_file_is_refused_with_file_line_and_field():
    rows = [(1, ["name", "commitments"]), (2, ["张三", "办好食堂；；修路"]),
            (3, ["李四", ";".join(["x"] * 11)])]
    with pytest.raises(SpecErrors) as caught:
        subjects_from_rows(rows, "members.csv")
    first, second = caught.value.errors
    assert str(first).startswith("members.csv:2 [commitments]: a commitment is empty")
    assert str(second) == "members.csv:3 [commitments]: at most 10 commitments, got 11"


def test_the_follow_up_threshold_is_a_checked_rule():
    with pytest.raises(SpecErrors) as caught:
        parse_spec(SPEC + '\n[rules]\ncommitment_followup_below = 2\n', source="spec.toml")
    assert caught.value.errors[0].field == "rules.commitment_followup_below"
    parse_spec(SPEC + '\n[rules]\ncommitment_followup_below = "3/5"\n')


# -- the tally -----------------------------------------------------------------------------------

def test_rate_score_and_mean_by_hand():
    # Item 1: 3 已兑现, 1 部分兑现, 1 不了解 → 兑现率 3/4 = 75%; score (3 + ½)/4 = 7/8.
    # Item 2: 1 已兑现, 2 未兑现, 2 不了解 → 兑现率 1/3; score 1/3.
    # Mean: (7/8 + 1/3) / 2 = 29/48.
    counts = counts_of([("good", "fulfilled", "fulfilled"), ("good", "fulfilled", "not"),
                        ("good", "fulfilled", "not"), ("fair", "partly", "unknown"),
                        ("fair", "unknown", "unknown")])
    entry = next(s for s in tally(spec(), counts)["subjects"] if s["key"] == "zhangsan")
    first, second = entry["commitments"]
    assert first == {"item": "办好职工食堂", "suppressed": False,
                     "counts": {"fulfilled": 3, "partly": 1, "not": 0, "unknown": 1,
                                "_blank": 0},
                     "rate": Fraction(3, 4), "score": Fraction(7, 8)}
    assert (second["rate"], second["score"]) == (Fraction(1, 3), Fraction(1, 3))
    assert entry["commitment_mean"] == Fraction(29, 48)
    lisi = next(s for s in tally(spec(), counts)["subjects"] if s["key"] == "lisi")
    assert "commitments" not in lisi and "commitment_mean" not in lisi


def test_an_item_known_to_fewer_than_anonymity_min_shows_nothing_nor_the_mean():
    # k = 3.  Item 2 is known to 2 ballots (1 已兑现, 1 未兑现) and 3 say 不了解: its
    # counts would tell how those two voted, so nothing of it is shown, and neither is
    # the mean (with item 1 shown, it would give item 2's score).
    counts = counts_of([("good", "fulfilled", "fulfilled"), ("good", "fulfilled", "not"),
                        ("good", "partly", "unknown"), ("good", "fulfilled", "unknown"),
                        ("good", "not", "unknown")])
    shown = disclosure.disclose(spec(), counts, None,
                                lambda s, c, h, t: tally(s, c, hidden=h, turnout_hidden=t)).result
    entry = next(s for s in shown["subjects"] if s["key"] == "zhangsan")
    first, second = entry["commitments"]
    assert first["suppressed"] is False and first["rate"] == Fraction(3, 5)  # 3 of 5 know
    assert second == {"item": "年内完成技改项目", "counts": None, "rate": None, "score": None,
                      "suppressed": True}
    assert entry["commitment_mean"] is None


def test_paper_ballots_do_not_make_a_web_voters_commitment_answer_visible():
    # One web ballot says 未兑现 on item 1; two paper ones typed in by the secretary say
    # 已兑现.  Three knowers in all, but only one of the web ballots: item 1 stays hidden.
    web = counts_of([("good", "not", "not")])
    counts = counts_of([("good", "not", "not"), ("good", "fulfilled", "fulfilled"),
                        ("good", "fulfilled", "fulfilled")])
    shown = disclosure.disclose(spec(), counts, web,
                                lambda s, c, h, t: tally(s, c, hidden=h, turnout_hidden=t)).result
    entry = next(s for s in shown["subjects"] if s["key"] == "zhangsan")
    assert all(item["suppressed"] for item in entry["commitments"])


def test_hiding_the_subjects_counts_hides_its_commitments():
    entry = next(s for s in tally(spec(), counts_of([("good", "fulfilled", "not")] * 3))[
        "subjects"] if s["key"] == "zhangsan")
    masked = disclosure.mask(entry, 1)
    assert all(c["counts"] is None and c["suppressed"] for c in masked["commitments"])
    assert masked["commitment_mean"] is None
    assert [c["item"] for c in masked["commitments"]] == ["办好职工食堂", "年内完成技改项目"]


# -- paper ballots -------------------------------------------------------------------------------

def test_paper_csv_rows_for_commitments_take_keys_or_labels():
    text = ("ballot,group,subject,criterion,option\n"
            "1,members,张三,,好\n"
            "1,members,张三,commitment:1,已兑现\n"
            "1,members,张三,commitment:2,partly\n"
            "1,members,李四,,一般\n")
    [paper] = parse_paper_ballots(text, spec())
    assert paper.answers == {("zhangsan", "overall"): "good",
                             ("zhangsan", "commitment:1"): "fulfilled",
                             ("zhangsan", "commitment:2"): "partly",
                             ("lisi", "overall"): "fair"}


def test_paper_csv_refuses_an_item_the_subject_does_not_have_and_an_unknown_answer():
    text = ("ballot,group,subject,criterion,option\n"
            "1,members,张三,commitment:3,已兑现\n"
            "1,members,李四,commitment:1,已兑现\n"
            "2,members,张三,commitment:1,很好\n")
    with pytest.raises(SpecErrors) as caught:
        parse_paper_ballots(text, spec(), source="paper.csv")
    lines = [str(e) for e in caught.value.errors]
    assert lines[0].startswith("paper.csv:2 [criterion]: 'zhangsan' has commitments 1 to 2")
    assert lines[1].startswith("paper.csv:3 [criterion]: 'lisi' has no commitments")
    assert lines[2].startswith("paper.csv:4 [option]: unknown commitment answer '很好'")


# -- a sealed round end to end -------------------------------------------------------------------

def web_vote(client, code: str, grade: str, first: str, second: str) -> None:
    assert client.get(f"/c/{code}").status_code == 302
    html = client.get("/ballot").get_data(as_text=True)
    assert "办好职工食堂" in html and "已兑现" in html and "部分兑现" in html
    response = client.post("/ballot", data={
        "csrf_token": csrf_token(html), "q-0-0": grade, "q-1-0": "good",
        "k-0-0": first, "k-0-1": second})
    assert response.status_code == 302, response.get_data(as_text=True)


VOTES = [("good", "fulfilled", "fulfilled"), ("good", "fulfilled", "not"),
         ("good", "fulfilled", "not"), ("fair", "partly", "unknown"),
         ("fair", "unknown", "unknown")]


def counted_round(client, org=None):
    """The round of ``SPEC`` (in ``org``, if given) with ``VOTES`` cast on the web, counted."""
    round_ = create_round(parse_spec(SPEC), actor="test", org=org)
    open_round(round_)
    for code, votes in zip(issue(round_, count=len(VOTES)), VOTES, strict=True):
        web_vote(client, code, *votes)
    transition(round_, "close", actor="test")
    count_round(round_)
    return round_


def test_a_ballot_missing_a_commitment_answer_is_refused_and_stores_nothing(client):
    round_ = make_round(SPEC)
    [code] = issue(round_)
    client.get(f"/c/{code}")
    html = client.get("/ballot").get_data(as_text=True)
    response = client.post("/ballot", data={"csrf_token": csrf_token(html), "q-0-0": "good",
                                            "q-1-0": "good", "k-0-0": "fulfilled"})
    assert response.status_code == 400
    assert "年内完成技改项目" in response.get_data(as_text=True)


def test_sealed_round_end_to_end_results_board_and_verifier(client, cli, tmp_path):
    round_ = counted_round(client)
    entry = next(s for s in tally_json(round_)["subjects"] if s["key"] == "zhangsan")
    first, second = entry["commitments"]
    assert first["counts"] == {"fulfilled": 3, "partly": 1, "not": 0, "unknown": 1,
                               "_blank": 0}
    assert (first["rate"], first["score"]) == (0.75, 0.88)      # 3/4, 7/8
    assert (second["rate"], second["score"]) == (0.33, 0.33)    # 1/3, 1/3
    assert entry["commitment_mean"] == 0.6                      # 29/48 = 0.604…

    path = tmp_path / "board.json"
    assert cli("board", round_.slug, "-o", path).exit_code == 0
    board = json.loads(path.read_text(encoding="utf-8"))
    assert board["layout"]["commitment_positions"] == ["fulfilled", "partly", "not", "unknown",
                                                       "_blank"]
    assert board["layout"]["cells"][-2:] == [["zhangsan", "commitment:1"],
                                             ["zhangsan", "commitment:2"]]
    result = verified(path)
    assert result.exit_code == 0, result.output

    # A published commitment figure changed: the verifier says so.
    changed = json.loads(path.read_text(encoding="utf-8"))
    shown = next(s for s in changed["results"]["subjects"] if s["key"] == "zhangsan")
    shown["commitments"][0]["rate"] = 1.0
    path.write_text(json.dumps(changed, ensure_ascii=False), encoding="utf-8")
    result = verified(path)
    assert result.exit_code == 1
    assert "commitment 1: rate" in result.output


def test_a_tampered_commitment_cell_fails_the_verifier(client, cli, tmp_path):
    round_ = counted_round(client)
    path = tmp_path / "board.json"
    assert cli("board", round_.slug, "-o", path).exit_code == 0
    board = json.loads(path.read_text(encoding="utf-8"))
    layout = sealing.Layout(tuple(map(tuple, board["layout"]["cells"])),
                            tuple(board["layout"]["positions"]),
                            tuple(board["layout"]["commitment_positions"]))
    # Swap the last cell's first two ciphertexts (a commitment item's 已兑现 and 部分兑现):
    # the proofs are bound to their cell and position, so they no longer hold.
    ballot = board["ballots"][0]
    data = bytearray(base64.b64decode(ballot["sealed"]))
    at = layout.size - sealing.DisjunctiveProof.SIZE - 5 * sealing.POSITION
    first = bytes(data[at:at + sealing.POSITION])
    data[at:at + sealing.POSITION] = data[at + sealing.POSITION:at + 2 * sealing.POSITION]
    data[at + sealing.POSITION:at + 2 * sealing.POSITION] = first
    ballot["sealed"] = base64.b64encode(bytes(data)).decode()
    ballot["tracker"] = sealing.tracker(bytes(data))
    board["ballots"].sort(key=lambda b: b["tracker"])
    path.write_text(json.dumps(board, ensure_ascii=False), encoding="utf-8")
    result = verified(path)
    assert result.exit_code == 1
    assert "zhangsan, commitment:2" in result.output


# -- results and exports -------------------------------------------------------------------------

def test_the_exports_show_each_item_with_its_rate_and_the_mean(client):
    from openpyxl import load_workbook

    from .test_exports import export, pdf_text

    round_ = counted_round(client)
    sheet = load_workbook(io.BytesIO(export(round_, "xlsx")))["承诺兑现"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=5, max_row=6)]
    # 序号, 姓名, 承诺事项, 已兑现, 部分兑现, 未兑现, 不了解, 兑现率, 兑现得分, 均分
    assert rows[0] == [1, "张三", "1. 办好职工食堂", 3, 1, 0, 1, 0.75, 0.88, 0.6]
    assert rows[1] == [2, "张三", "2. 年内完成技改项目", 1, 0, 2, 2, 0.33, 0.33, None]
    table = {r["key"]: r for r in csv.DictReader(io.StringIO(
        export(round_, "csv").decode("utf-8-sig")))}
    assert table["zhangsan"]["commitment_mean"] == "0.6" and table["lisi"]["commitment_mean"] == ""
    text = pdf_text(export(round_, "pdf"))[1]
    assert "承诺兑现" in text and "75%" in text


def test_a_round_without_commitments_exports_as_before():
    from surveyapp.exports.tabular import export_csv

    plain = parse_spec(SPEC.replace('commitments = ["办好职工食堂", "年内完成技改项目"]', ""))
    counts = Counts()
    for _ in range(3):
        counts.add_ballot("members", {("zhangsan", "overall"): "good",
                                      ("lisi", "overall"): "fair"})
    result = tally(plain, counts)
    assert all("commitments" not in s for s in result["subjects"])
    header = export_csv({"round": {}, **result}, plain).decode("utf-8-sig").splitlines()[0]
    assert "commitment" not in header


# -- the 限期改正 follow-up round --------------------------------------------------------------

def test_follow_up_from_the_command_line(client, cli):
    round_ = counted_round(client)
    # 张三's mean is 29/48, shown as 0.60: not below the default 0.6.
    result = cli("rounds", "follow-up", round_.slug)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"error: no subject of round {round_.slug} has a commitment mean below 60%: "
        "no follow-up round to make"]
    assert "commitments: 2 items of 1 subjects" in cli("rounds", "show", round_.slug).output
    result = cli("rounds", "follow-up", round_.slug, "--below", "0.7")
    assert result.exit_code == 0, result.output
    slug, taken = result.output.strip().splitlines()
    assert taken == "zhangsan\t张三\t60%"
    made = db.session.scalar(select(Round).where(Round.slug == slug))
    assert made.status == "draft" and made.title == "2026年度群众评议（限期改正）"
    assert [(s.key, s.commitments) for s in made.subjects] == [
        ("zhangsan", ("办好职工食堂", "年内完成技改项目"))]
    assert cli("rounds", "follow-up", round_.slug, "--below", "7").exit_code == 2
    titled = cli("rounds", "follow-up", round_.slug, "--below", "3/4", "--title", "整改复评")
    assert titled.exit_code == 0
    assert db.session.scalar(select(Round.title).where(
        Round.slug == titled.output.split()[0])) == "整改复评"


def test_follow_up_is_refused_for_a_round_not_counted_or_without_commitments(cli):
    open_one = make_round(SPEC)
    result = cli("rounds", "follow-up", open_one.slug, "--below", "1")
    assert result.exit_code == 2 and "is not counted yet" in result.output
    assert len(result.output.strip().splitlines()) == 1
    plain = make_round(SPEC.replace('commitments = ["办好职工食堂", "年内完成技改项目"]', ""),
                       status="counted")
    result = cli("rounds", "follow-up", plain.slug, "--below", "1")
    assert result.exit_code == 2 and "has no commitment items" in result.output


def test_the_results_page_lists_the_items_and_makes_the_follow_up(client, orgs):
    round_ = counted_round(client, orgs["a"])
    assert login(client, "a").status_code == 302
    page = client.get(f"/admin/rounds/{round_.slug}/results").get_data(as_text=True)
    assert "承诺兑现" in page and "1. 办好职工食堂" in page and "75%" in page
    assert "限期改正" in page
    response = client.post(f"/admin/rounds/{round_.slug}/follow-up", data={
        "csrf_token": csrf_token(page), "below": "70", "title": "张三限期改正复评"})
    assert response.status_code == 303
    made = db.session.scalar(select(Round).where(Round.title == "张三限期改正复评"))
    assert made.org_id == orgs["a"].id and [s.key for s in made.subjects] == ["zhangsan"]
    response = client.post(f"/admin/rounds/{round_.slug}/follow-up", data={
        "csrf_token": csrf_token(page), "below": "10", "title": "无"})
    assert response.status_code == 303 and response.headers["Location"].endswith("#commitments")


def test_the_console_subject_lines_carry_commitments_both_ways(app):
    from surveyapp.web.admin.drafts import parse_subject_lines, subjects_text

    text = "zs\t张三\t一支部\t主任\t办好食堂；修路\nls\t李四\t一支部\t\t\n"
    subjects, lines, problems = parse_subject_lines(text)
    assert problems == [] and lines == [1, 2]
    assert subjects == [{"key": "zs", "name": "张三", "unit": "一支部", "post": "主任",
                         "commitments": ["办好食堂", "修路"]},
                        {"key": "ls", "name": "李四", "unit": "一支部"}]
    assert parse_subject_lines(subjects_text(subjects))[0] == subjects


def test_the_wizard_saves_commitments_and_refuses_an_empty_one_on_its_line(client, orgs):
    from .test_admin_console import basics, post, text

    assert login(client, "a").status_code == 302
    post(client, "/admin/new", basics())
    post(client, "/admin/new/groups", {"rows-0-key": "members", "rows-0-label": "党员互评",
                                       "rows-0-weight": "1"})
    post(client, "/admin/new/criteria", {"rows-0-label": ""})
    refused = post(client, "/admin/new/subjects", {
        "subjects": "zs\t张三\t一支部\t\t办好食堂\nls\t李四\t一支部\t\t修路；；建桥\n",
        "action": "finish"})
    assert refused.status_code == 400
    assert db.session.scalar(select(Round)) is None
    page = text(refused)
    assert "<td>2</td>" in page and "不能为空" in page
    done = post(client, "/admin/new/subjects", {
        "subjects": "zs\t张三\t一支部\t\t办好食堂\nls\t李四\t一支部\t\t修路；建桥\n",
        "action": "finish"})
    assert done.status_code == 302
    round_ = db.session.scalar(select(Round))
    assert [(s.key, s.commitments) for s in round_.subjects] == [
        ("zs", ("办好食堂",)), ("ls", ("修路", "建桥"))]


def test_a_typed_in_paper_sheet_asks_each_commitment_and_the_printed_sheet_lists_them(
        client, orgs, cli, tmp_path):
    from .test_admin_console import post, text
    from .test_exports import pdf_text

    round_ = create_round(parse_spec(SPEC), actor="test", org=orgs["a"])
    open_round(round_)
    assert login(client, "a").status_code == 302
    url = f"/admin/rounds/{round_.slug}/paper"
    page = text(client.get(url + "?group=members"))
    assert "承诺兑现" in page and "张三 · 2. 年内完成技改项目" in page
    missing = post(client, url, {"group": "members", "p-0-0": "good", "p-1-0": "fair",
                                 "pk-0-0": "fulfilled"})
    assert missing.status_code == 400  # item 2 unmarked: nothing saved
    saved = post(client, url, {"group": "members", "p-0-0": "good", "p-1-0": "fair",
                               "pk-0-0": "fulfilled", "pk-0-1": "_blank"})
    assert saved.status_code == 303
    sheet = tmp_path / "sheet.pdf"
    assert cli("ballots", "sheet", round_.slug, "-o", sheet).exit_code == 0
    words = pdf_text(sheet.read_bytes())[1]
    assert "承诺兑现" in words and "年内完成技改项目" in words and "部分兑现" in words


def test_editing_a_drafts_people_keeps_their_commitments(client, orgs):
    from .test_admin_console import post

    round_ = create_round(parse_spec(SPEC), actor="test", org=orgs["a"])
    assert login(client, "a").status_code == 302
    page = client.get(f"/admin/rounds/{round_.slug}/edit/subjects").get_data(as_text=True)
    assert "zhangsan\t张三\t\t\t办好职工食堂；年内完成技改项目" in page
    done = post(client, f"/admin/rounds/{round_.slug}/edit/subjects", {
        "subjects": "zhangsan\t张三\t\t\t办好职工食堂\nlisi\t李四\t\t\t修路\n",
        "action": "finish"})
    assert done.status_code in (302, 303)
    db.session.expire_all()
    assert [(s.key, s.commitments) for s in round_.subjects] == [
        ("zhangsan", ("办好职工食堂",)), ("lisi", ("修路",))]
