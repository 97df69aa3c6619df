"""Tests of the tally: worked examples with hand-computed exact fractions,
suppression, ranking, display rounding and a few hypothesis properties."""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveyapp.domain.model import (
    BLANK,
    OVERALL,
    Counts,
    Criterion,
    Group,
    Option,
    RoundSpec,
    Subject,
)
from surveyapp.domain.tally import present, tally

# 好/较好/一般/差 = 100/80/60/0, plus 不了解 (abstention, not scored).
OPTIONS = (
    Option("A", "好", F(100)),
    Option("B", "较好", F(80)),
    Option("C", "一般", F(60)),
    Option("D", "差", F(0)),
    Option("X", "不了解", None),
)


ONE_GROUP = (Group("m", "党员"),)


def make_spec(groups=ONE_GROUP, subjects=("s1",), criteria=(),
              anonymity_min=1, options=OPTIONS) -> RoundSpec:
    return RoundSpec(
        title="t", options=options, criteria=tuple(criteria), groups=tuple(groups),
        subjects=tuple(Subject(k, k.upper(), "unit") for k in subjects),
        anonymity_min=anonymity_min,
    )


def by_key(result: dict) -> dict:
    return {s["key"]: s for s in result["subjects"]}


def uniform(counts: Counts, group: str, subject: str, n_cast: int,
            answers: dict[str, int], criterion: str = OVERALL) -> None:
    """Fill aggregated counts directly (one criterion)."""
    counts.ballots[group] = counts.ballots.get(group, 0) + n_cast
    counts.cast[(group, subject)] = n_cast
    counts.answers[(group, subject, criterion)] = dict(answers)


# --- worked examples -------------------------------------------------------

def test_simple_round_with_abstentions_and_blanks():
    spec = make_spec(anonymity_min=5)
    counts = Counts()
    votes = ["A"] * 3 + ["B"] * 2 + ["C", "D"] + ["X"] * 2 + [None]
    for v in votes:
        counts.add_ballot("m", {("s1", OVERALL): v})
    s = tally(spec, counts)["subjects"][0]
    # 7 graded answers: (3*100 + 2*80 + 60 + 0) / 7; abstentions and blank excluded.
    assert s["score"] == F(520, 7)
    assert s["rank"] == 1
    g = s["groups"]["m"]
    assert g["ballots"] == 10
    assert g["counts"] == {"A": 3, "B": 2, "C": 1, "D": 1, "X": 2, BLANK: 1}
    assert g["score"] == F(520, 7)
    assert g["criteria"] == {OVERALL: F(520, 7)}
    assert g["suppressed"] is False
    assert s["criteria"] == {OVERALL: {"score": F(520, 7), "counts": g["counts"]}}
    assert s["proposal"] is None
    assert s["flags"] == []
    assert (s["key"], s["name"], s["unit"]) == ("s1", "S1", "unit")


def test_only_abstentions_and_blanks_give_no_score_but_are_counted():
    spec = make_spec()
    counts = Counts()
    uniform(counts, "m", "s1", 4, {"X": 3, "A": 1})
    uniform(counts, "m", "s2", 4, {"X": 3})
    s = tally(make_spec(subjects=("s1", "s2")), counts)["subjects"]
    assert s[0]["groups"]["m"]["counts"] == {"A": 1, "B": 0, "C": 0, "D": 0, "X": 3, BLANK: 0}
    assert s[0]["score"] == 100  # abstentions are counted, never scored
    # A group whose ballots grade nobody does not reach even anonymity_min = 1.
    assert s[1]["score"] is None and s[1]["rank"] is None
    assert s[1]["groups"]["m"]["suppressed"] and spec.anonymity_min == 1


def test_ballots_that_grade_nobody_do_not_reach_the_threshold():
    """Four ballots of 不了解 beside one real one (k = 5) show nothing."""
    spec = make_spec(anonymity_min=5)
    counts = Counts()
    uniform(counts, "m", "s1", 4, {"X": 4})
    uniform(counts, "m", "s1", 1, {"A": 1})
    s = tally(spec, counts)["subjects"][0]
    assert s["groups"]["m"]["suppressed"] and s["flags"] == ["suppressed_group:m", "suppressed"]
    assert s["score"] is None and s["criteria"][OVERALL]["counts"] is None


def test_turnout_lists_every_group_in_spec_order():
    spec = make_spec(groups=(Group("q", "群众", expected=40), Group("m", "党员"),
                             Group("z", "上级", expected=3)))
    counts = Counts()
    uniform(counts, "m", "s1", 7, {"A": 7})
    result = tally(spec, counts)
    assert list(result["turnout"]) == ["q", "m", "z"]
    assert result["turnout"] == {"q": {"ballots": 0, "expected": 40},
                                 "m": {"ballots": 7, "expected": None},
                                 "z": {"ballots": 0, "expected": 3}}


def test_missing_group_is_renormalised_and_flagged():
    groups = (Group("m", "党员", F(3, 10)), Group("q", "群众", F(7, 10)),
              Group("o", "观察", F(0)))
    spec = make_spec(groups=groups)
    counts = Counts()
    uniform(counts, "m", "s1", 5, {"A": 1, "B": 4})     # (100 + 320) / 5 = 84
    s = tally(spec, counts)["subjects"][0]
    assert s["score"] == F(84)                          # not 0.3 * 84
    assert s["flags"] == ["group_missing:q"]            # weight-0 group not flagged
    assert s["groups"]["q"]["ballots"] == 0
    assert s["groups"]["q"]["score"] is None
    assert s["groups"]["q"]["suppressed"] is False
    assert s["groups"]["q"]["counts"] == dict.fromkeys(["A", "B", "C", "D", "X", BLANK], 0)


def test_group_weighted_mean_differs_from_pooling():
    spec = make_spec(groups=(Group("m", "党员", F(1, 2)), Group("q", "群众", F(1, 2))))
    counts = Counts()
    uniform(counts, "m", "s1", 8, {"A": 8})             # 100
    uniform(counts, "q", "s1", 2, {"D": 2})             # 0
    s = tally(spec, counts)["subjects"][0]
    assert s["score"] == F(50)                          # pooled would be 800/10 = 80
    assert s["criteria"][OVERALL]["score"] == F(50)
    assert s["criteria"][OVERALL]["counts"]["A"] == 8
    assert s["criteria"][OVERALL]["counts"]["D"] == 2


def test_unequal_group_weights():
    spec = make_spec(groups=(Group("m", "党员", F(2)), Group("q", "群众", F(1))))
    counts = Counts()
    uniform(counts, "m", "s1", 3, {"A": 2, "C": 1})     # 260/3
    uniform(counts, "q", "s1", 2, {"B": 1, "D": 1})     # 40
    s = tally(spec, counts)["subjects"][0]
    assert s["score"] == (2 * F(260, 3) + 40) / 3 == F(640, 9)


def test_criterion_weights_and_renormalisation():
    criteria = (Criterion("de", "德", F(1)), Criterion("ji", "绩", F(3)),
                Criterion("lian", "廉", F(2)))
    spec = make_spec(criteria=criteria, groups=(Group("m", "党员", F(1)),
                                                Group("q", "群众", F(1))))
    counts = Counts()
    ballots_m = [{"de": "A", "ji": "B", "lian": "X"},
                 {"de": "A", "ji": "C", "lian": None}]
    for b in ballots_m:
        counts.add_ballot("m", {("s1", c): o for c, o in b.items()})
    counts.add_ballot("q", {("s1", "de"): "D", ("s1", "ji"): "A", ("s1", "lian"): "B"})
    s = tally(spec, counts)["subjects"][0]
    gm, gq = s["groups"]["m"], s["groups"]["q"]
    # m: de 100, ji 70, lian none (abstention + blank) -> (1*100 + 3*70) / 4
    assert gm["criteria"] == {"de": F(100), "ji": F(70), "lian": None}
    assert gm["score"] == F(310, 4)
    # counts are summed over the three criteria: 2 ballots x 3 criteria
    assert gm["counts"] == {"A": 2, "B": 1, "C": 1, "D": 0, "X": 1, BLANK: 1}
    # q: (1*0 + 3*100 + 2*80) / 6
    assert gq["score"] == F(460, 6)
    assert s["score"] == (F(310, 4) + F(460, 6)) / 2
    crit = s["criteria"]
    assert crit["de"]["score"] == F(50)                 # groups 100 and 0, equal weight
    assert crit["ji"]["score"] == F(85)
    assert crit["lian"]["score"] == F(80)               # only q has a lian score
    assert crit["lian"]["counts"] == {"A": 0, "B": 1, "C": 0, "D": 0, "X": 1, BLANK: 1}


def test_ties_share_rank_and_next_rank_skips():
    spec = make_spec(subjects=("none", "c80", "a90", "b90", "d70"))
    counts = Counts()
    uniform(counts, "m", "c80", 1, {"B": 1})
    uniform(counts, "m", "a90", 2, {"A": 1, "B": 1})
    uniform(counts, "m", "b90", 2, {"A": 1, "B": 1})
    uniform(counts, "m", "d70", 2, {"B": 1, "C": 1})
    subjects = tally(spec, counts)["subjects"]
    assert [(s["key"], s["rank"]) for s in subjects] == [
        ("a90", 1), ("b90", 1), ("c80", 3), ("d70", 4), ("none", None)]
    assert [s["score"] for s in subjects] == [F(90), F(90), F(80), F(70), None]


def test_ranking_uses_unrounded_scores():
    spec = make_spec(subjects=("low", "high"), options=(
        Option("A", "好", F(100)), Option("D", "差", F(0))))
    counts = Counts()
    uniform(counts, "m", "low", 3, {"A": 2, "D": 1})            # 66.666...
    uniform(counts, "m", "high", 10000, {"A": 6667, "D": 3333})  # 66.67
    result = tally(spec, counts)
    shown = present(result)
    assert [s["score"] for s in shown["subjects"]] == [66.67, 66.67]
    assert [(s["key"], s["rank"]) for s in result["subjects"]] == [("high", 1), ("low", 2)]


# --- suppression -----------------------------------------------------------

def test_small_group_suppressed_with_complementary_group():
    groups = (Group("a", "A"), Group("b", "B"), Group("c", "C"))
    spec = make_spec(groups=groups, anonymity_min=5)
    counts = Counts()
    uniform(counts, "a", "s1", 3, {"A": 3})             # 100, too small
    uniform(counts, "b", "s1", 10, {"C": 10})           # 60
    uniform(counts, "c", "s1", 6, {"B": 6})             # 80, fewest of the rest
    s = tally(spec, counts)["subjects"][0]
    for key in ("a", "c"):
        assert s["groups"][key] == {"ballots": None, "counts": None, "score": None,
                                    "suppressed": True, "criteria": None}
    assert s["groups"]["b"]["score"] == F(60)
    assert s["groups"]["b"]["ballots"] == 10
    assert s["flags"] == ["suppressed_group:a", "suppressed_complementary:c"]
    # The exact tally's own subject figures use every group (scoring plugins see
    # them); whether they may be *shown* is the disclosure auditor's decision,
    # checked by solving for the hidden groups in test_disclosure.py.
    assert s["score"] == F(80)


def test_complementary_tie_picks_later_group():
    groups = (Group("a", "A"), Group("b", "B"), Group("c", "C"))
    spec = make_spec(groups=groups, anonymity_min=5)
    counts = Counts()
    uniform(counts, "a", "s1", 1, {"A": 1})
    uniform(counts, "b", "s1", 6, {"A": 6})
    uniform(counts, "c", "s1", 6, {"A": 6})
    s = tally(spec, counts)["subjects"][0]
    assert [k for k, g in s["groups"].items() if g["suppressed"]] == ["a", "c"]
    assert s["groups"]["b"]["suppressed"] is False


def test_two_small_groups_pooling_enough_need_no_complement():
    groups = (Group("a", "A"), Group("b", "B"), Group("c", "C"))
    spec = make_spec(groups=groups, anonymity_min=5)
    counts = Counts()
    uniform(counts, "a", "s1", 3, {"A": 3})
    uniform(counts, "b", "s1", 2, {"A": 2})
    uniform(counts, "c", "s1", 9, {"D": 9})
    s = tally(spec, counts)["subjects"][0]
    assert s["flags"] == ["suppressed_group:a", "suppressed_group:b"]
    assert s["groups"]["c"]["score"] == F(0)
    assert s["score"] == F(200, 3)                      # (100 + 100 + 0) / 3


def test_whole_subject_suppressed_below_threshold():
    spec = make_spec(groups=(Group("a", "A"), Group("b", "B")),
                     subjects=("s1", "s2"), anonymity_min=5)
    counts = Counts()
    uniform(counts, "a", "s1", 2, {"A": 2})
    uniform(counts, "b", "s1", 2, {"B": 2})
    uniform(counts, "a", "s2", 5, {"D": 5})
    result = tally(spec, counts)
    s1 = by_key(result)["s1"]
    assert s1["score"] is None and s1["rank"] is None
    assert s1["criteria"] == {OVERALL: {"score": None, "counts": None}}
    assert all(g["suppressed"] and g["score"] is None for g in s1["groups"].values())
    assert s1["flags"] == ["suppressed_group:a", "suppressed_group:b", "suppressed"]
    # the scored subject (score 0) ranks before the suppressed one
    assert [s["key"] for s in result["subjects"]] == ["s2", "s1"]
    assert by_key(result)["s2"]["rank"] == 1
    # b's turnout (2) is hidden, pooled with a's: a's breakdown of s2 (its 5
    # ballots) would tell it from the total, so it goes too.
    assert by_key(result)["s2"]["flags"] == ["group_missing:b", "suppressed_complementary:a"]


def test_subject_without_any_ballot_is_missing_not_suppressed():
    spec = make_spec(anonymity_min=5)
    s = tally(spec, Counts())["subjects"][0]
    assert s["flags"] == ["group_missing:m"]
    assert s["groups"]["m"]["suppressed"] is False
    assert s["criteria"][OVERALL]["counts"] == dict.fromkeys(
        ["A", "B", "C", "D", "X", BLANK], 0)


# --- corrupt input ---------------------------------------------------------

def test_more_answers_than_ballots_is_an_error():
    counts = Counts()
    uniform(counts, "m", "s1", 2, {"A": 3})
    with pytest.raises(ValueError):
        tally(make_spec(), counts)


def test_unknown_option_is_an_error():
    counts = Counts()
    uniform(counts, "m", "s1", 2, {"Z": 1})
    with pytest.raises(ValueError):
        tally(make_spec(), counts)


# --- present ---------------------------------------------------------------

@pytest.mark.parametrize("value, places, expected", [
    (F(85, 3), 2, 28.33),
    (F(1, 8), 2, 0.13),
    (F(3, 8), 2, 0.38),
    (F(-1, 8), 2, -0.13),
    (F(5, 2), 0, 3.0),
    (F(2, 3), 3, 0.667),
    (F(1, 8) - F(1, 10**40), 2, 0.12),   # exact, not a 28-digit Decimal quotient
])
def test_present_rounds_half_up(value, places, expected):
    assert present({"x": value}, places) == {"x": expected}


def test_present_converts_only_fractions_and_copies():
    result = {"a": [F(1, 3), None, 3, "s", True], "b": {"c": F(2)}}
    shown = present(result)
    assert shown == {"a": [0.33, None, 3, "s", True], "b": {"c": 2.0}}
    assert type(shown["b"]["c"]) is float and type(shown["a"][2]) is int
    assert result["a"][0] == F(1, 3)                    # input untouched


# --- properties ------------------------------------------------------------

@st.composite
def rounds(draw):
    points = draw(st.lists(st.integers(0, 100), min_size=1, max_size=4))
    options = [Option(f"o{i}", "", F(p)) for i, p in enumerate(points)]
    if draw(st.booleans()):
        options.append(Option("x", "", None))
    n_crit = draw(st.integers(0, 3))
    criteria = [Criterion(f"c{i}", "", F(draw(st.integers(0, 4))))
                for i in range(n_crit)]
    groups = [Group(f"g{i}", "", F(draw(st.integers(0, 3))))
              for i in range(draw(st.integers(1, 3)))]
    subjects = [f"s{i}" for i in range(draw(st.integers(1, 4)))]
    spec = make_spec(groups=groups, subjects=subjects, criteria=criteria,
                     anonymity_min=draw(st.integers(1, 4)), options=tuple(options))
    crit_keys = [c.key for c in criteria] or [OVERALL]
    answer = st.sampled_from([o.key for o in options] + [None])
    counts = Counts()
    for _ in range(draw(st.integers(0, 25))):
        group = draw(st.sampled_from(groups)).key
        rated = draw(st.lists(st.sampled_from(subjects), unique=True))
        counts.add_ballot(group, {(s, c): draw(answer) for s in rated for c in crit_keys})
    return spec, counts


@settings(max_examples=200, deadline=None)
@given(rounds())
def test_properties(data):
    spec, counts = data
    result = tally(spec, counts)
    scale = [o.points for o in spec.options if o.points is not None]
    lo, hi = min(scale), max(scale)
    n_crit = len(spec.criteria) or 1
    k = spec.anonymity_min

    def in_scale(score):
        assert score is None or lo <= score <= hi

    for s in result["subjects"]:
        in_scale(s["score"])
        for c in s["criteria"].values():
            in_scale(c["score"])
        hidden = 0
        for key, g in s["groups"].items():
            cast = counts.cast.get((key, s["key"]), 0)
            if g["suppressed"]:
                hidden += cast
                assert g["counts"] is None and g["score"] is None
                continue
            assert not 0 < cast < k                     # no small group shown
            assert g["ballots"] == cast
            assert sum(g["counts"].values()) == cast * n_crit
            in_scale(g["score"])
            for v in g["criteria"].values():
                in_scale(v)
        # Whether what is shown beside the hidden groups gives them away is not a
        # rule of thumb about pooled ballots: test_disclosure.py solves for them.


@settings(max_examples=200, deadline=None)
@given(rounds())
def test_rank_order_property(data):
    spec, counts = data
    subjects = tally(spec, counts)["subjects"]
    assert sorted(s["key"] for s in subjects) == sorted(s.key for s in spec.subjects)
    scores = [s["score"] for s in subjects if s["score"] is not None]
    assert scores == sorted(scores, reverse=True)
    assert all(s["score"] is None for s in subjects[len(scores):])
    for s in subjects:
        if s["score"] is None:
            assert s["rank"] is None
        else:
            assert s["rank"] == 1 + sum(x > s["score"] for x in scores)
