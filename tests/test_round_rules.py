"""The rules the worked examples need (issue 14, parts 1 and 5), through the
real plugin manager on hand-made counts: per-ballot limits on a ballot that
leaves a name out, ties at a quota broken by top-grade votes, a link round
with too many ballots, rates over both denominators, option keys misspelt
inside a rule, criteria sub-items.  Every number by hand, exact."""

from __future__ import annotations

import csv
import io
from fractions import Fraction as F

import openpyxl
import pytest

from surveyapp import plugins
from surveyapp.domain.model import Counts, SpecErrors
from surveyapp.domain.rules import subject_rate
from surveyapp.domain.spec import parse_spec, spec_from_dict, spec_to_dict
from surveyapp.exports.flags import flag_label
from surveyapp.exports.tabular import export_csv
from surveyapp.exports.xlsx import export_xlsx


@pytest.fixture(autouse=True)
def manager(monkeypatch):
    monkeypatch.delenv("SURVEYAPP_PLUGINS", raising=False)
    plugins.use_plugin_manager(plugins.load_plugins())
    yield
    plugins.use_plugin_manager(None)


def branch(n: int, rules: str = "", *, template: str = "party-member-appraisal",
           access: str = "codes", groups: str = "") -> str:
    subjects = "".join(f'[[subjects]]\nkey = "m{i}"\nname = "党员{i}"\n\n' for i in range(n))
    return (f'template = "{template}"\ntitle = "民主评议党员"\naccess = "{access}"\n'
            f"anonymity_min = 1\n\n{groups}{subjects}[rules]\n{rules}\n")


def spec(text: str):
    return parse_spec(text, source="round.toml", **plugins.spec_context())


def refused(text: str) -> list:
    with pytest.raises(SpecErrors) as raised:
        spec(text)
    return raised.value.errors


def line_of(text: str, start: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if line.startswith(start))


# -- per-ballot limits and 本人不评 ---------------------------------------------------------

def test_a_ballot_leaving_its_own_name_out_keeps_the_rounds_per_ballot_limit():
    s = spec(branch(12))  # the template: per_ballot_max = { excellent = "1/3" }
    # Member m0 leaves their own name out: 11 names, 4 of them 优秀.
    ballot = {(f"m{i}", "overall"): "excellent" if i <= 4 else "qualified"
              for i in range(1, 12)}
    # Default basis "round": ⌊12 × 1/3⌋ = 4, as on a full ballot.
    assert plugins.validate_ballot(s, ballot, "members") == []
    # Five is one too many either way.
    five = {**ballot, ("m5", "overall"): "excellent"}
    # The problem is the whole ballot's (no one person is), stated on the round's 12.
    [(subject, message)] = plugins.validate_ballot(s, five, "members")
    assert subject is None and "at most 4 of the 12 people" in message
    # Basis "ballot": ⌊11 × 1/3⌋ = 3, so four 优秀 are one too many.
    by_ballot = spec(branch(12, 'per_ballot_basis = "ballot"'))
    [(subject, message)] = plugins.validate_ballot(by_ballot, ballot, "members")
    assert subject is None and "at most 3 of the 11 people" in message


def test_per_ballot_limits_count_the_subjects_the_group_rates():
    groups = ('[[groups]]\nkey = "members"\nlabel = "党员互评"\n\n'
              '[[groups]]\nkey = "team"\nlabel = "支委"\nrates = ["m0", "m1", "m2"]\n\n')
    s = spec(branch(12, groups=groups))
    # The 支委 rate three: ⌊3 × 1/3⌋ = 1 优秀, not 4.
    ballot = {("m0", "overall"): "excellent", ("m1", "overall"): "excellent",
              ("m2", "overall"): "qualified"}
    [(subject, message)] = plugins.validate_ballot(s, ballot, "team")
    assert subject is None and "at most 1 of the 3 people" in message


def test_bad_values_of_surveyapps_own_settings_are_refused_with_line_and_field():
    text = branch(3, 'per_ballot_basis = "ballots"\nvoid_over_expected = "yes"\n'
                     'quota_tie_break = ["excelent"]\n'
                     'reported_rates = [{ label = "优秀率", options = ["excelent"] }]')
    found = {e.field: e for e in refused(text)}
    assert set(found) == {"rules.per_ballot_basis", "rules.void_over_expected",
                          "rules.quota_tie_break[0]", "rules.reported_rates[0].options[0]"}
    assert found["rules.per_ballot_basis"].line == line_of(text, "per_ballot_basis")
    assert found["rules.quota_tie_break[0]"].line == line_of(text, "quota_tie_break")
    assert all(e.source == "round.toml" for e in found.values())


def test_an_option_key_misspelt_inside_a_rule_is_refused_like_a_misspelt_rule():
    text = branch(3, "per_ballot_max = { excelent = 1 }\n"
                     'review_share = { unqualifed = "1/3" }')
    found = {e.field: e for e in refused(text)}
    assert set(found) == {"rules.per_ballot_max.excelent", "rules.review_share.unqualifed"}
    error = found["rules.per_ballot_max.excelent"]
    assert error.line == line_of(text, "per_ballot_max")
    assert error.message == 'unknown option "excelent" (did you mean "excellent"?)'
    # The template's own per_ballot_max (excellent) is fine.
    assert spec(branch(3)).rules["per_ballot_max"] == {"excellent": "1/3"}


# -- ties at the 优秀 quota ----------------------------------------------------------------

SHEETS = {  # 10 ballots each: E 优秀 100, Q 合格 80, B 基本合格 60
    "m0": "E" * 10,                 # 100
    "m1": "E" * 8 + "Q" + "B",      # (800 + 80 + 60)/10 = 94, 8 优秀
    "m2": "E" * 7 + "QQQ",          # (700 + 240)/10 = 94, 7 优秀
    "m3": "E" * 7 + "QQQ",          # 94, 7 优秀
    "m4": "Q" * 10,                 # 80
    "m5": "Q" * 10,                 # 80
}
OPTION = {"E": "excellent", "Q": "qualified", "B": "basic"}


def tallied(s, sheets=SHEETS) -> dict:
    counts = Counts()
    for i in range(10):
        counts.add_ballot("members", {(k, "overall"): OPTION[marks[i]]
                                      for k, marks in sheets.items()})
    return {e["key"]: e for e in plugins.tally(s, counts)["subjects"]}


def test_a_tie_at_the_quota_is_broken_by_the_number_of_excellent_votes():
    result = tallied(spec(branch(6)))  # ⌊6 × 1/3⌋ = 2 may be 优秀
    assert [result[k]["score"] for k in SHEETS] == [100, 94, 94, 94, 80, 80]
    # m0 first; of the three on 94, m1 has 8 优秀 votes to the others' 7.
    assert result["m0"]["proposal"] == "excellent"
    assert result["m1"]["proposal"] == "excellent"
    assert result["m1"]["flags"] == ["quota_tie_broken:excellent"]
    for key in ("m2", "m3"):  # tied with each other, but both out either way
        assert result[key]["proposal"] == "qualified"
        assert result[key]["flags"] == ["quota_tie_broken:excellent",
                                        "quota_exceeded:excellent"]


def test_only_a_true_tie_is_left_to_the_committee():
    sheets = {**SHEETS, "m1": "E" * 7 + "QQQ"}  # now 94 with 7 优秀, like m2 and m3
    result = tallied(spec(branch(6)), sheets)
    for key in ("m1", "m2", "m3"):
        assert result[key]["proposal"] is None
        assert result[key]["flags"] == ["quota_tie:excellent"]
    # quota_tie_break = [] flags every tie at the quota, as before.
    result = tallied(spec(branch(6, "quota_tie_break = []")))
    assert [result[k]["proposal"] for k in ("m1", "m2", "m3")] == [None, None, None]
    # A longer order: 优秀, then 合格 votes; m1 (8 E, 1 Q) still leads.
    result = tallied(spec(branch(6, 'quota_tie_break = ["excellent", "qualified"]')))
    assert result["m1"]["proposal"] == "excellent"


def test_flags_about_ties_have_words():
    s = spec(branch(3))
    assert flag_label("quota_tie_broken:excellent", s) == "优秀名额处得分并列，按优秀票数多少排定"
    assert "votes" in flag_label("quota_tie_broken:excellent", s, "en")


# -- a link round with more ballots than voters ---------------------------------------------

def turnout_flags(text: str, ballots: int) -> list[str]:
    s = spec(text)
    counts = Counts()
    for _ in range(ballots):
        counts.add_ballot("members", {("m0", "overall"): "qualified"})
    return plugins.tally(s, counts).get("flags", [])


GROUP_OF_3 = '[[groups]]\nkey = "members"\nlabel = "党员互评"\nexpected = 3\n\n'


def test_a_link_round_with_more_ballots_than_expected_is_flagged_void():
    link = branch(1, access="link", groups=GROUP_OF_3)
    assert "over_expected:members" in turnout_flags(link, 4)   # 4 > 3: 须重新评议
    assert "over_expected:members" not in turnout_flags(link, 3)  # 3 is not more than 3
    # A code is spent once: a codes round is not flagged (it cannot happen there).
    assert "over_expected:members" not in turnout_flags(branch(1, groups=GROUP_OF_3), 4)
    off = branch(1, "void_over_expected = false", access="link", groups=GROUP_OF_3)
    assert "over_expected:members" not in turnout_flags(off, 4)
    assert flag_label("over_expected:members", spec(link)) == (
        "党员互评收回票数多于应参评人数，本次测评无效，须重新评议")


TWO_GROUPS = ('[[groups]]\nkey = "members"\nlabel = "党员互评"\nexpected = 3\n\n'
              '[[groups]]\nkey = "masses"\nlabel = "群众评议"\nexpected = 20\n\n')


def shown_turnout_view(text: str, members: int, masses: int) -> tuple:
    """What a reader sees of turnout (per group, and every round flag) once
    the round's result went through disclosure control."""
    from surveyapp.domain.disclosure import disclose
    s = spec(text.replace("anonymity_min = 1", "anonymity_min = 5"))
    counts = Counts()
    for group, n in (("members", members), ("masses", masses)):
        for _ in range(n):
            counts.add_ballot(group, {("m0", "overall"): "qualified"})
    result = disclose(s, counts, None, plugins.tally).result
    return (tuple(sorted((g, t["ballots"]) for g, t in result["turnout"].items())),
            tuple(sorted(result.get("flags", []))))


@pytest.mark.parametrize("access, rules", [("codes", "quorum = 0.5"),
                                           ("link", "quorum = 0.5"),
                                           ("link", "")])
def test_turnout_flags_never_pin_down_a_hidden_groups_turnout(access, rules):
    """Solved for: a quorum or 须重新评议 flag on a group whose turnout is not
    shown would bound it (expected 3, quorum ½ not met: exactly 1 ballot).
    Every split of the public total that a reader cannot tell apart from
    the real one must leave each hidden group at least two possible counts."""
    text = branch(1, rules, access=access, groups=TWO_GROUPS)
    total = 13
    for members in range(1, 5):
        seen = shown_turnout_view(text, members, total - members)
        assert dict(seen[0])["members"] is None  # hidden: fewer than 5
        alike = [m for m in range(1, total) if shown_turnout_view(text, m, total - m) == seen]
        assert len(alike) >= 2, (members, seen, alike)
    # The pooled groups are still judged: 3 of 23 expected misses a quorum of ½.
    if rules:
        assert "quorum_not_met:hidden" in shown_turnout_view(text, 1, 2)[1]
        label = flag_label("quorum_not_met:hidden", spec(text))
        assert label.startswith("不单独显示参评人数的各组合计")
    else:  # 25 ballots of 23 expected on a shared link: void, whoever sent them
        assert "over_expected:hidden" in shown_turnout_view(text, 4, 21)[1]


# -- rates over graded answers and over ballots cast ----------------------------------------

def test_a_rate_is_reported_over_graded_answers_and_over_ballots_cast():
    text = (branch(1, 'reported_rates = [{ label = "满意率", options = '
                      '["satisfied", "fairly_satisfied"] }]')
            .replace('title = "民主评议党员"', 'title = "群众评议"\nscale = "satisfaction"')
            .replace("per_ballot_max", "x"))
    text = text.replace('template = "party-member-appraisal"\n', "")
    text = text.replace("[rules]\n", '[[groups]]\nkey = "masses"\nlabel = "群众"\n\n[rules]\n')
    s = spec(text)
    counts = Counts()
    # 40 ballots: 30 满意, 6 基本满意, 2 不满意, 2 不了解.
    for option, n in (("satisfied", 30), ("fairly_satisfied", 6), ("dissatisfied", 2),
                      ("unknown", 2)):
        for _ in range(n):
            counts.add_ballot("masses", {("m0", "overall"): option})
    result = plugins.tally(s, counts)
    found = subject_rate(result["subjects"][0], ["satisfied", "fairly_satisfied"], s)
    assert (found.chosen, found.graded, found.cast) == (36, 38, 40)
    assert found.over_graded == F(18, 19) and found.over_cast == F(9, 10)
    assert found.over("cast") == F(36, 40)
    rows = list(csv.reader(io.StringIO(export_csv(result, s).decode("utf-8-sig"))))
    header, row = rows[0], rows[1]
    assert header[-2:] == ["满意率 (graded answers)", "满意率 (ballots cast)"]
    assert row[-2:] == ["36/38 (94.74%)", "36/40 (90.00%)"]
    # The XLSX summary sheet says the same in Chinese.
    sheet = openpyxl.load_workbook(io.BytesIO(export_xlsx(
        {**result, "round": {"title": "群众评议", "slug": "r", "status": "counted"}}, s))).active
    cells = [[c for c in r if c is not None] for r in sheet.iter_rows(values_only=True)]
    assert any("满意率（按有效评价）" in r and "满意率（按参评票数）" in r for r in cells)
    assert any("36/38 (94.74%)" in r and "36/40 (90.00%)" in r for r in cells)


# -- criteria with sub-items ------------------------------------------------------------------

ITEMS = """\
title = "争创四强党组织评议"
scale = "good-fair"

[[criteria]]
key = "leading"
label = "政治引领力强"
weight = 25
items = [
  { key = "theory", label = "理论学习", points = 10 },
  { key = "life", label = "组织生活", points = 15 },
]

[[criteria]]
key = "developing"
label = "推动发展力强"
weight = 25

[[groups]]
key = "members"
label = "党员"

[[subjects]]
key = "branch1"
name = "第一党支部"
"""


def test_criteria_carry_their_sub_items_and_points():
    s = spec(ITEMS)
    leading, developing = s.criteria
    assert [(i.key, i.label, i.points) for i in leading.items] == [
        ("theory", "理论学习", 10), ("life", "组织生活", 15)]
    assert leading.points == 25 and developing.items == () and developing.points is None
    assert spec_from_dict(spec_to_dict(s)) == s
    assert "items" not in spec_to_dict(s)["criteria"][1]
    bad = ITEMS.replace('{ key = "life", label = "组织生活", points = 15 }',
                        '{ key = "life", label = "组织生活", points = 0, pionts = 1 }')
    found = {e.field: e for e in refused(bad)}
    assert set(found) == {"criteria[0].items[1].points", "criteria[0].items[1].pionts"}
    assert found["criteria[0].items[1].points"].line == line_of(bad, "  { key = \"life\"")


def test_sub_items_and_relations_survive_the_database(app):
    from surveyapp.services import rounds
    text = ITEMS + ('\n[[groups]]\nkey = "masses"\nlabel = "群众"\nrates = ["branch1"]\n')
    s = spec(text)
    round_ = rounds.create_round(s, actor="test")
    assert rounds.round_spec(round_).criteria == s.criteria
    assert rounds.round_spec(round_).groups == s.groups


def test_the_command_line_names_the_line_and_field_of_a_bad_four_strong_veto_cap(cli, tmp_path):
    path = tmp_path / "round.toml"
    path.write_text('template = "four-strong-organisation"\ntitle = "评议"\n\n'
                    '[[subjects]]\nkey = "a"\nname = "第一党支部"\n\n[rules]\n'
                    'veto_caps = [{ group = "masses", options = ["good"], below = "3/5", '
                    'cap = "two_star" }]\n', encoding="utf-8")
    result = cli("rounds", "create", path)
    assert result.exit_code == 2
    assert f"{path}:9 [rules.veto_caps[0].cap]" in result.output
