"""The plugin through surveyapp's real plugin manager, on hand-made ballots
(no database)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from surveyapp import plugins
from surveyapp.domain.model import Counts
from surveyapp.domain.spec import parse_spec

GRADE = {"G": "good", "F": "fairly_good", "A": "average", "P": "poor"}


@pytest.fixture(autouse=True)
def manager(monkeypatch):
    monkeypatch.delenv("SURVEYAPP_PLUGINS", raising=False)
    plugins.use_plugin_manager(plugins.load_plugins())
    yield
    plugins.use_plugin_manager(None)


def spec_for(template: str, rules: str = ""):
    text = f"""
template = "{template}"
title = "评议"

[[subjects]]
key = "a"
name = "甲"
{rules}
"""
    return parse_spec(text, **plugins.spec_context())


def counts_from(spec, by_group: dict[str, tuple[int, str]]) -> Counts:
    """``{group: (ballots, grades)}``: that many ballots grading subject a
    with one letter per criterion, in the spec's criteria order."""
    counts = Counts()
    for group, (n, marks) in by_group.items():
        for _ in range(n):
            counts.add_ballot(group, {("a", c.key): GRADE[m]
                                      for c, m in zip(spec.criteria, marks, strict=True)})
    return counts


def test_the_criteria_sets_have_descriptions_and_weights():
    strong = spec_for("four-strong-organisation")
    assert [(c.key, c.label, c.weight) for c in strong.criteria] == [
        ("leading", "政治引领力强", 1), ("developing", "推动发展力强", 1),
        ("innovating", "改革创新力强", 1), ("cohesive", "凝聚保障力强", 1)]
    excellent = spec_for("four-excellent-member")
    assert [(c.label, c.weight) for c in excellent.criteria] == [
        ("政治素质优", 7), ("岗位技能优", 7), ("工作业绩优", 7), ("群众评价优", 9)]
    assert all(c.description for c in strong.criteria + excellent.criteria)
    assert [(g.key, g.weight) for g in excellent.groups] == [("members", 70), ("masses", 30)]
    assert [o.label for o in excellent.options] == ["好", "较好", "一般", "较差"]


def test_the_mass_criterion_is_scored_by_the_masses_alone():
    spec = spec_for("four-excellent-member")
    # Members: 好 on the first three, 较差 on 群众评价优 (ignored);
    # masses: 一般 on the first three (ignored), 较好 on 群众评价优.
    counts = counts_from(spec, {"members": (5, "GGGP"), "masses": (5, "AAAF")})
    [a] = plugins.tally(spec, counts)["subjects"]
    assert a["score"] == F(7 * 100 * 3 + 9 * 80, 30)  # 94
    assert a["flags"] == []
    # The breakdown still shows what every group answered.
    assert a["groups"]["members"]["criteria"]["mass"] == 40


def test_without_the_split_every_group_scores_every_criterion():
    spec = spec_for("four-excellent-member", '[rules]\nmass_criterion = ""\n')
    counts = counts_from(spec, {"members": (5, "GGGP"), "masses": (5, "AAAF")})
    [a] = plugins.tally(spec, counts)["subjects"]
    members, masses = F(2100 + 9 * 40, 30), F(1260 + 9 * 80, 30)  # 82 and 66
    assert a["score"] == (70 * members + 30 * masses) / 100


def test_a_suppressed_group_is_not_split_out_again():
    spec = spec_for("four-excellent-member")
    counts = counts_from(spec, {"members": (5, "GGGP"), "masses": (2, "AAAF")})
    [a] = plugins.tally(spec, counts)["subjects"]
    assert a["groups"]["masses"]["suppressed"] is True
    assert a["score"] == F(386, 5)  # the default, group-weighted mean: 77.2
    assert "mass_split_skipped" in a["flags"]


def test_organisations_are_scored_on_equally_weighted_criteria():
    spec = spec_for("four-strong-organisation")
    counts = counts_from(spec, {"members": (5, "GGFA"), "masses": (5, "GGFA")})
    [a] = plugins.tally(spec, counts)["subjects"]
    assert a["score"] == F(100 + 100 + 80 + 60, 4)


def test_a_mass_group_that_is_not_in_the_round_names_the_plugin():
    spec = spec_for("four-excellent-member", '[rules]\nmass_group = "workers"\n')
    counts = counts_from(spec, {"members": (5, "GGGG")})
    with pytest.raises(plugins.PluginError) as error:
        plugins.tally(spec, counts)
    assert error.value.plugin == "four-strong-four-excellent"
    assert "'workers' is not a voter group" in str(error.value)


# -- 党支部星级 with the 群众满意度 veto -------------------------------------------------------

def star_tally(spec, members: dict[str, int], masses: dict[str, int]) -> dict:
    """``{marks: ballots}`` per group, each ballot grading subject a."""
    counts = Counts()
    for group, sheets in (("members", members), ("masses", masses)):
        for marks, n in sheets.items():
            for _ in range(n):
                counts.add_ballot(group, {("a", c.key): GRADE[m]
                                          for c, m in zip(spec.criteria, marks, strict=True)})
    [a] = plugins.tally(spec, counts)["subjects"]
    return a


def test_low_mass_satisfaction_caps_the_star_rating_at_two_stars():
    spec = spec_for("four-strong-organisation")
    # Members all 好 (100); masses 2 ballots 好, 3 较差: (200 + 120)/5 = 64.
    a = star_tally(spec, {"GGGG": 10}, {"GGGG": 2, "PPPP": 3})
    assert a["score"] == F(70 * 100 + 30 * 64, 100)  # 89.2: 四星 by score
    # 群众满意度 = (好 + 较好)/answers = 8/20 = 40% < 60%: capped at 二星.
    assert a["proposal"] == "two_stars"
    assert a["flags"] == ["veto_cap:masses"]
    assert plugins.proposal_labels(spec)["two_stars"] == "二星"


def test_satisfaction_at_the_line_is_not_below_it():
    spec = spec_for("four-strong-organisation")
    # Masses 3 好, 2 较差: 12/20 = 60%, not below 60%; (300 + 80)/5 = 76.
    a = star_tally(spec, {"GGGG": 10}, {"GGGG": 3, "PPPP": 2})
    assert a["score"] == F(70 * 100 + 30 * 76, 100)  # 92.8
    assert a["proposal"] == "five_stars" and a["flags"] == []


def test_a_cap_never_raises_a_rating_and_a_hidden_group_is_left_to_the_committee():
    spec = spec_for("four-strong-organisation")
    low = star_tally(spec, {"PPPP": 10}, {"GGGG": 2, "PPPP": 3})
    assert low["score"] == F(70 * 40 + 30 * 64, 100)  # 47.2: 一星
    assert low["proposal"] == "one_star" and low["flags"] == ["veto_cap:masses"]
    # Two mass ballots are below anonymity_min (5): their rate is not there
    # to check, so the rating is not capped and the flag says why.
    hidden = star_tally(spec, {"GGGG": 10}, {"PPPP": 2})
    assert hidden["groups"]["masses"]["suppressed"] is True
    # The score still weighs every group: (7000 + 30 × 40)/100 = 82, 四星.
    assert hidden["score"] == 82 and hidden["proposal"] == "four_stars"
    assert "veto_unchecked:masses" in hidden["flags"]


def test_a_veto_cap_that_cannot_work_is_refused_when_the_round_is_created():
    from surveyapp.domain.model import SpecErrors
    spec = spec_for("four-strong-organisation", '[rules]\nveto_caps = [{ group = "masses", '
                    'options = ["good"], below = "3/5", cap = "two_star" }]\n')
    with pytest.raises(SpecErrors) as raised:
        plugins.rehearse(spec, source="round.toml")
    [error] = raised.value.errors
    assert error.field == "rules.veto_caps[0].cap" and error.source == "round.toml"
    assert "two_stars" in error.message

