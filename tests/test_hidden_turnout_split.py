"""A subject rated by some of the groups whose turnout is hidden must not
show its counts over all groups: they sum to its raters' ballots, and with
the shown groups' turnout taken off, what is left is the hidden ones' turnout
one by one.

By hand: k = 3; 支委 a (2 ballots) rates only x, 群众 c (2) only y, 党员 b
(10) both.  a and c are small, so their turnout is hidden, pooled (4); b's
10 is shown.  Every ballot says 好: both subjects are unanimous, exempt from
the search.  Shown before: x's counts {好: 12} → a = 12 − 10 = 2 and
c = 4 − 2 = 2, each small group's turnout exactly."""

from __future__ import annotations

from surveyapp.domain import disclosure
from surveyapp.domain.model import Counts
from surveyapp.domain.spec import parse_spec
from surveyapp.domain.tally import tally

SPEC = """
title = "t"
anonymity_min = 3
[scale]
options = [{ key = "good", label = "好", points = 100 },
           { key = "fair", label = "一般", points = 60 }]
[[groups]]
key = "a"
label = "支委"
rates = ["x"]
[[groups]]
key = "b"
label = "党员"
[[groups]]
key = "c"
label = "群众"
rates = ["y"]
[[subjects]]
key = "x"
name = "X"
[[subjects]]
key = "y"
name = "Y"
"""


def shown(spec, sizes):
    counts = Counts()
    for group, n in sizes.items():
        for _ in range(n):
            counts.add_ballot(group, {(s, "overall"): "good" for s in spec.rated(group)})
    return disclosure.disclose(spec, counts, None,
                               lambda s, c, h, t: tally(s, c, hidden=h, turnout_hidden=t))


def test_a_subject_rated_by_some_hidden_groups_does_not_tell_their_turnout():
    spec = parse_spec(SPEC)
    found = shown(spec, {"a": 2, "b": 10, "c": 2})
    assert found.turnout == {"a", "c"}
    result = found.result
    assert result["turnout"]["b"]["ballots"] == 10
    for entry in result["subjects"]:
        assert entry["criteria"]["overall"]["counts"] is None
        assert "hidden_counts" in entry["flags"]
        assert entry["score"] == 100  # the score tells nothing of how many
    # The alternative the attacker cannot tell apart: a 1 and c 3 (same pooled 4).
    other = shown(spec, {"a": 1, "b": 10, "c": 3}).result
    assert other["turnout"] == result["turnout"]
    assert [s["criteria"] for s in other["subjects"]] == [s["criteria"]
                                                          for s in result["subjects"]]


def test_a_subject_every_hidden_group_rates_still_shows_its_counts():
    spec = parse_spec(SPEC.replace('rates = ["y"]\n', ""))  # c rates both
    found = shown(spec, {"a": 2, "b": 10, "c": 2})
    y = next(s for s in found.result["subjects"] if s["key"] == "y")
    assert y["criteria"]["overall"]["counts"] is None  # rated by c alone of the hidden
    spec = parse_spec(SPEC.replace('rates = ["x"]\n', "").replace('rates = ["y"]\n', ""))
    found = shown(spec, {"a": 2, "b": 10, "c": 2})
    assert all(s["criteria"]["overall"]["counts"] == {"good": 14, "fair": 0, "_blank": 0}
               for s in found.result["subjects"])


def test_a_group_hidden_beside_a_small_one_shows_no_breakdown():
    # 上级 s (6 ballots) rates x and y; 下级 j (2) only x; k = 3.  j is small, so its
    # turnout is hidden, and s's with it (pooled 8; the board shows the 8).  s's
    # breakdown of y used to show its 6 ballots: 8 - 6 = j's 2.
    spec = parse_spec(SPEC.replace('[[groups]]\nkey = "b"\nlabel = "党员"\n', "").replace(
        'rates = ["y"]\n', ""))
    found = shown(spec, {"a": 2, "c": 6})
    assert found.turnout == {"a", "c"}
    for entry in found.result["subjects"]:
        assert entry["groups"]["c"]["ballots"] is None
