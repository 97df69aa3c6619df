"""The plugin through surveyapp's real plugin manager, on hand-made ballots
(no database): a spec that names only the template and the subjects."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from surveyapp import plugins
from surveyapp.domain.model import Counts
from surveyapp.domain.spec import parse_spec

GRADE = {"G": "good", "F": "fairly_good", "A": "average", "P": "poor"}
GROUPS = ("superior", "peer", "subordinate", "masses")


@pytest.fixture(autouse=True)
def manager(monkeypatch):
    monkeypatch.delenv("SURVEYAPP_PLUGINS", raising=False)
    plugins.use_plugin_manager(plugins.load_plugins())
    yield
    plugins.use_plugin_manager(None)


def spec_for(subjects: str, rules: str = ""):
    text = 'template = "cadre-evaluation"\n' + "".join(
        f'\n[[subjects]]\nkey = "{k}"\nname = "{k.upper()}"\n' for k in subjects.split()
    ) + rules
    return parse_spec(text, **plugins.spec_context())


def counts_from(spec, grades: dict[str, dict[str, list[str]]]) -> Counts:
    """``{subject: {group: [ballot, ...]}}``; each ballot grades every
    criterion with the same letter.  Groups vote on all subjects at once."""
    counts = Counts()
    for group in GROUPS:
        ballots = {s: g[group] for s, g in grades.items()}
        for i in range(len(next(iter(ballots.values())))):
            counts.add_ballot(group, {(s, c.key): GRADE[marks[i]]
                                      for s, marks in ballots.items() for c in spec.criteria})
    return counts


def same(letter: str, n: int = 5) -> list[str]:
    return [letter] * n


def test_the_template_brings_criteria_groups_scale_and_rules():
    spec = spec_for("x")
    assert spec.title == "干部民主测评"
    assert [(c.label, c.weight) for c in spec.criteria] == [
        ("德", 20), ("能", 15), ("勤", 15), ("绩", 30), ("廉", 20)]
    assert all(c.description for c in spec.criteria)
    assert [(g.key, g.label, g.weight) for g in spec.groups] == [
        ("superior", "上级", 20), ("peer", "同级", 30), ("subordinate", "下级", 30),
        ("masses", "群众", 20)]
    assert [(o.label, o.points) for o in spec.options] == [
        ("好", 100), ("较好", 80), ("一般", 60), ("较差", 40)]


def test_bands_at_their_boundaries_and_the_approval_flag():
    spec = spec_for("x y z w")
    mixed = ["G", "F", "A", "A", "G", "F", "A", "A"]  # mean 75 exactly
    counts = counts_from(spec, {
        "x": {g: same("G", 8) for g in GROUPS},
        # 20×80 + 30×100 + 30×60 + 20×80 = 80 exactly; 好评率 3/4
        "y": {"superior": same("F", 8), "peer": same("G", 8), "subordinate": same("A", 8),
              "masses": same("F", 8)},
        # 20×100 + 30×60 + 30×60 + 20×80 = 72; 好评率 1/2 < 3/5
        "z": {"superior": same("G", 8), "peer": same("A", 8), "subordinate": same("A", 8),
              "masses": same("F", 8)},
        "w": {g: mixed for g in GROUPS},
    })
    result = plugins.tally(spec, counts)
    shown = {s["key"]: (s["score"], s["proposal"], s["flags"]) for s in result["subjects"]}
    assert shown == {
        "x": (100, "excellent", []),
        "y": (80, "competent", []),
        "w": (75, "basically_competent", ["approval_below_min"]),  # 好评率 1/2
        "z": (72, "incompetent", ["approval_below_min"]),
    }
    assert result["flags"] == []  # no group has an expected number: no quorum to miss


def test_rates_and_bands_are_round_settings():
    rules = """
[rules]
approval = { options = ["good"], min = "1/4" }
bands = [{ min = 90, option = "excellent", label = "优秀" },
         { min = 0, option = "competent", label = "称职" }]
"""
    spec = spec_for("y", rules)
    counts = counts_from(spec, {"y": {"superior": same("F"), "peer": same("G"),
                                      "subordinate": same("A"), "masses": same("F")}})
    [y] = plugins.tally(spec, counts)["subjects"]
    assert (y["score"], y["proposal"], y["flags"]) == (80, "competent", [])  # 好 1/4: not below 1/4
    assert spec.rules["quorum"] == "1/2"  # untouched rules keep the template's value


def test_group_weights_change_the_score():
    spec = spec_for("y", """
[[groups]]
key = "superior"
label = "上级"
weight = 1
expected = 10

[[groups]]
key = "peer"
label = "同级"
weight = 3
""")
    counts = Counts()
    for group, letter in (("superior", "F"), ("peer", "G")):
        for _ in range(5):
            counts.add_ballot(group, {("y", c.key): GRADE[letter] for c in spec.criteria})
    result = plugins.tally(spec, counts)
    assert result["subjects"][0]["score"] == F(80 + 3 * 100, 4)
    assert result["flags"] == ["quorum_not_met:superior"]  # 5 of 10 is not more than half


def test_an_approval_option_not_on_the_scale_names_the_plugin():
    spec = spec_for("x", '[rules]\napproval = { options = ["satisfied"], min = "3/5" }\n')
    counts = counts_from(spec, {"x": {g: same("G") for g in GROUPS}})
    with pytest.raises(plugins.PluginError) as error:
        plugins.tally(spec, counts)
    assert error.value.plugin == "cadre-evaluation"
    assert "'satisfied'" in str(error.value)
