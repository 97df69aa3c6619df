"""The plugin through surveyapp's real plugin manager, on hand-made ballots
(no database): a spec that names only the template, groups and subjects."""

from __future__ import annotations

import csv
import io
from fractions import Fraction as F

import pytest

from surveyapp import plugins
from surveyapp.domain.model import Counts
from surveyapp.domain.spec import parse_spec


@pytest.fixture(autouse=True)
def manager(monkeypatch):
    monkeypatch.delenv("SURVEYAPP_PLUGINS", raising=False)
    plugins.use_plugin_manager(plugins.load_plugins())
    yield
    plugins.use_plugin_manager(None)


def spec_for(subjects: str, extra: str = "", expected: int = 6):
    text = f"""
template = "party-member-appraisal"
{extra}
[[groups]]
key = "members"
label = "党员互评"
expected = {expected}
""" + "".join(f'\n[[subjects]]\nkey = "{k}"\nname = "{k.upper()}"\n' for k in subjects.split())
    return parse_spec(text, **plugins.spec_context())


def counts_from(ballots: list[str], keys: str) -> Counts:
    """Each ballot a string of grade letters, one per subject: E(xcellent),
    Q(ualified), B(asic), U(nqualified), ? (不了解), - (blank)."""
    grade = {"E": "excellent", "Q": "qualified", "B": "basic", "U": "unqualified",
             "?": "unknown", "-": None}
    counts = Counts()
    for ballot in ballots:
        counts.add_ballot("members", {(key, "overall"): grade[mark]
                                      for key, mark in zip(keys.split(), ballot, strict=True)})
    return counts


def verdicts(result) -> dict:
    return {s["key"]: (s["score"], s["proposal"], s["flags"]) for s in result["subjects"]}


def test_the_template_alone_makes_a_round_with_its_defaults():
    spec = spec_for("a b c")
    assert spec.title == "民主评议党员"
    assert [(o.key, o.label, o.points) for o in spec.options] == [
        ("excellent", "优秀", 100), ("qualified", "合格", 80), ("basic", "基本合格", 60),
        ("unqualified", "不合格", 0)]
    assert spec.rules["excellent_quota"] == "1/3"
    assert spec.rules["per_ballot_max"] == {"excellent": "1/3"}
    assert spec.rules["presume_fail_share"] == {"unqualified": "1/2"}
    assert spec.rules["quorum"] == "1/2"
    assert "review_share" not in spec.rules  # off unless a round turns it on


def test_a_tie_at_the_quota_boundary_goes_to_the_committee():
    # 4 members: ⌊4/3⌋ = 1 may be proposed 优秀; a and b tie on 100.
    spec = spec_for("a b c d")
    result = plugins.tally(spec, counts_from(["EEEQ", "EEEQ", "EEEQ", "EEQQ", "EEQQ",
                                              "EEQQ"], "a b c d"))
    assert verdicts(result) == {
        "a": (100, None, ["quota_tie:excellent"]),
        "b": (100, None, ["quota_tie:excellent"]),
        "c": (90, "qualified", ["quota_exceeded:excellent"]),
        "d": (80, "qualified", []),
    }
    assert result["flags"] == []  # 6 of 6 expected: quorum met


def test_bands_quota_and_presumed_unqualified():
    # 5 members: one 优秀 allowed.  e has 4 of 6 不合格 (> 1/2); d exactly 1/2 (not more).
    spec = spec_for("a b c d e")
    result = plugins.tally(spec, counts_from(
        ["EEQUU", "EEQUU", "EEQUU", "EQBEU", "EQBEQ", "EQBEQ"], "a b c d e"))
    assert verdicts(result) == {
        "a": (100, "excellent", []),
        "b": (90, "qualified", ["quota_exceeded:excellent"]),
        "c": (70, "qualified", []),
        "d": (50, "unqualified", []),
        "e": (F(80, 3), "unqualified", ["presume_fail:unqualified"]),
    }
    assert [s["rank"] for s in result["subjects"]] == [1, 2, 3, 4, 5]


def test_every_rule_is_a_round_setting():
    # A round that allows 优秀 for half, presumes at 1/3 and turns the review flag on.
    extra = """
[rules]
excellent_quota = "1/2"
presume_fail_share = { unqualified = "1/3" }
review_share = { unqualified = "1/4" }
"""
    spec = spec_for("a b c d", extra)
    assert spec.rules["per_ballot_max"] == {"excellent": "1/3"}  # the rest still from the template
    result = plugins.tally(spec, counts_from(["EEQU", "EEQU", "EEUU", "EEQQ", "EEQQ", "EEQQ"],
                                             "a b c d"))
    assert verdicts(result) == {
        "a": (100, "excellent", []),
        "b": (100, "excellent", []),
        "c": (F(200, 3), "basic", []),  # 1/6 不合格: neither flag
        "d": (40, "unqualified", ["presume_fail:unqualified", "review:unqualified"]),
    }


def test_quorum_more_than_half_of_those_expected():
    spec = spec_for("a", expected=12)  # 6 of 12 is not more than half
    result = plugins.tally(spec, counts_from(["Q"] * 6, "a"))
    assert result["flags"] == ["quorum_not_met:members"]
    spec = spec_for("a", expected=11)
    assert plugins.tally(spec, counts_from(["Q"] * 6, "a"))["flags"] == []


def test_a_quota_without_bands_is_reported_not_ignored():
    spec = spec_for("a", "[rules]\nbands = []\n")
    result = plugins.tally(spec, counts_from(["E"] * 6, "a"))
    assert "rule_ignored:excellent_quota" in result["flags"]
    assert result["subjects"][0]["proposal"] is None


def test_per_ballot_cap_on_excellent():
    spec = spec_for("a b c d e f")  # ⌊6/3⌋ = 2 优秀 per ballot
    answers = {(k, "overall"): "excellent" for k in "abc"} | {
        (k, "overall"): "qualified" for k in "def"}
    [(subject, message)] = plugins.validate_ballot(spec, answers)
    assert subject is None  # about the ballot: no one of the three is "the" problem
    assert "at most 2 of the 6 people" in message and "gives it to 3 (A, B, C)" in message
    answers[("c", "overall")] = "qualified"
    assert plugins.validate_ballot(spec, answers) == []


def test_the_scale_with_unknown_counts_but_never_scores_it():
    # Three ballots grade b (the 不了解 ones do not count toward the threshold).
    spec = spec_for("a b", 'scale = "four-grade-with-unknown"\nanonymity_min = 3')
    assert spec.option("unknown").is_abstention
    result = plugins.tally(spec, counts_from(["E?", "Q?", "EQ", "QQ", "Q?", "EB"], "a b"))
    a, b = result["subjects"]
    assert (a["key"], a["score"], b["key"], b["score"]) == ("a", 90, "b", F(220, 3))
    assert b["criteria"]["overall"]["counts"]["unknown"] == 3


def test_the_summary_export_is_in_chinese_for_excel():
    spec = spec_for("a b c d")
    result = plugins.tally(spec, counts_from(["EEEQ", "EEEQ", "EEEQ", "EEQQ", "EEQQ",
                                              "EEQQ"], "a b c d"))
    data = plugins.exporters()["appraisal-summary"].export(result, spec)
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["排名", "姓名", "单位", "测评人数", "优秀（票）", "合格（票）",
                       "基本合格（票）", "不合格（票）", "空白（票）", "得分", "建议等次", "提示"]
    assert rows[1] == ["1", "A", "", "6", "6", "0", "0", "0", "0", "100.00", "",
                       "优秀名额处得分并列，请支委会研究确定"]
    assert rows[3] == ["3", "C", "", "6", "3", "3", "0", "0", "0", "90.00", "合格",
                       "超出优秀名额，建议顺延为下一等次"]


def test_its_rules_are_declared_with_their_kinds_for_the_console():
    # rule_names as tables (hookspecs.rule_names): the console's rules page
    # asks for the quota as a share and for presume_fail_share grade by grade.
    declared = plugins.rule_settings()
    assert declared["excellent_quota"].kind == "share"
    assert declared["presume_fail_share"].kind == "options"
    assert declared["excellent_quota"].default is None  # off unless the round sets it


def test_a_misspelt_grade_in_presume_fail_share_is_refused():
    from surveyapp.domain.model import SpecErrors

    text = ('template = "party-member-appraisal"\n'
            'subjects = [{ key = "z", name = "张三" }]\n'
            'rules = { presume_fail_share = { unqualifed = "1/2" } }\n')
    with pytest.raises(SpecErrors, match=r'rules\.presume_fail_share\.unqualifed.*"unqualified"'):
        parse_spec(text, **plugins.spec_context())
