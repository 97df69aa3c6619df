"""Classification rules: plain data in, plain data out."""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveyapp.domain import rules

BANDS = [{"min": 90, "option": "excellent"}, {"min": 70, "option": "qualified"},
         {"min": 60, "option": "basic"}, {"min": 0, "option": "unqualified"}]


def subject(counts: dict | None = None, **criteria: dict) -> dict:
    """A tally entry: one criterion's ``counts``, or counts per criterion."""
    by_criterion = criteria or {"overall": counts}
    return {"key": "s", "score": None,
            "criteria": {k: {"score": None, "counts": v} for k, v in by_criterion.items()}}


@pytest.mark.parametrize(("value", "expected"), [
    ("1/3", F(1, 3)), (0.3, F(3, 10)), (2, F(2)), (" 1/2 ", F(1, 2)), (F(2, 3), F(2, 3))])
def test_rule_values_are_exact(value, expected):
    assert rules.as_fraction(value, "x") == expected


@pytest.mark.parametrize("value", ["a third", True, None, "1/0", [1]])
def test_a_bad_rule_value_names_the_rule(value):
    with pytest.raises(ValueError, match=r"^rules\.excellent_quota must be a number, got "):
        rules.as_fraction(value, "excellent_quota")


def test_bands_reach_their_min_exactly():
    assert rules.band(F(90), BANDS) == "excellent"
    assert rules.band(F(8999, 100), BANDS) == "qualified"
    assert rules.band(F(60), BANDS) == "basic"
    assert rules.band(F(0), BANDS) == "unqualified"
    assert rules.band(F(-1), BANDS) is None  # below every band
    assert rules.band(None, BANDS) is None


@pytest.mark.parametrize(("bands", "message"), [
    ([], "must be a list of { min, option } tables"),
    ([{"min": 90}], r"bands\[0\] must be a table with min and option"),
    ([{"min": 60, "option": "a"}, {"min": 90, "option": "b"}], "from the highest min down"),
    ([{"min": "high", "option": "a"}], r"bands\[0\]\.min must be a number"),
    ([{"min": 1, "option": 3}], r"bands\[0\]\.option must be an option key"),
])
def test_bad_bands_say_what_is_wrong(bands, message):
    with pytest.raises(ValueError, match=message):
        rules.band(F(50), bands)


def test_the_band_below():
    assert rules.band_below(BANDS, "excellent") == "qualified"
    assert rules.band_below(BANDS, "unqualified") is None
    assert rules.band_below(BANDS, "missing") is None


def test_shares_count_blanks_and_abstentions_in_the_denominator():
    s = subject({"excellent": 2, "unqualified": 3, "unknown": 1, "_blank": 0})
    assert rules.share(s, "unqualified") == F(1, 2)
    assert rules.share(s, ["excellent", "unknown"]) == F(1, 2)
    assert rules.share(subject({"a": 0}), "a") is None  # nothing to count
    assert rules.share(subject(None), "a") is None  # suppressed


def test_shares_pool_every_criterion():
    s = subject(de={"good": 1, "poor": 1}, ji={"good": 2, "poor": 0})
    assert rules.pooled_counts(s) == {"good": 3, "poor": 1}
    assert rules.share(s, "good") == F(3, 4)


def test_share_flags_mean_more_than():
    s = subject({"unqualified": 2, "qualified": 2})
    assert rules.share_flags(s, {"unqualified": "1/2"}, "presume_fail") == []
    assert rules.share_flags(s, {"unqualified": "0.49"}, "presume_fail") == [
        "presume_fail:unqualified"]


def test_quota_limit_rounds_down():
    assert [rules.quota_limit(F(1, 3), n) for n in (2, 3, 5, 6, 7)] == [0, 1, 1, 2, 2]


def ranked(*scores):
    return [{"key": f"s{i}", "score": F(score)} for i, score in enumerate(scores)]


def test_quota_within_the_limit_changes_nothing():
    subjects = ranked(95, 91, 80)
    proposals = {"s0": "excellent", "s1": "excellent", "s2": "qualified"}
    assert rules.apply_quota(subjects, proposals, "excellent", 2, "qualified") == {}
    assert proposals == {"s0": "excellent", "s1": "excellent", "s2": "qualified"}


def test_quota_demotes_the_lower_ranked():
    subjects = ranked(95, 93, 91)
    proposals = dict.fromkeys(("s0", "s1", "s2"), "excellent")
    flags = rules.apply_quota(subjects, proposals, "excellent", 1, "qualified")
    assert proposals == {"s0": "excellent", "s1": "qualified", "s2": "qualified"}
    assert flags == {"s1": ["quota_exceeded:excellent"], "s2": ["quota_exceeded:excellent"]}


def test_a_tie_straddling_the_limit_is_left_to_the_committee():
    subjects = ranked(97, 92, 92, 92, 90)
    proposals = {s["key"]: "excellent" for s in subjects}
    flags = rules.apply_quota(subjects, proposals, "excellent", 2, "qualified")
    assert proposals == {"s0": "excellent", "s1": None, "s2": None, "s3": None,
                         "s4": "qualified"}
    assert flags == {"s1": ["quota_tie:excellent"], "s2": ["quota_tie:excellent"],
                     "s3": ["quota_tie:excellent"], "s4": ["quota_exceeded:excellent"]}


def test_a_tie_just_below_the_limit_is_not_a_tie_at_it():
    subjects = ranked(97, 92, 92)
    proposals = {s["key"]: "excellent" for s in subjects}
    flags = rules.apply_quota(subjects, proposals, "excellent", 1, "qualified")
    assert proposals == {"s0": "excellent", "s1": "qualified", "s2": "qualified"}
    assert set(flags) == {"s1", "s2"}


def test_a_quota_of_none_demotes_everyone():
    subjects = ranked(97, 97)
    proposals = {s["key"]: "excellent" for s in subjects}
    rules.apply_quota(subjects, proposals, "excellent", 0, "qualified")
    assert proposals == {"s0": "qualified", "s1": "qualified"}


@given(st.lists(st.integers(80, 100), min_size=1, max_size=12), st.integers(0, 12))
def test_quota_keeps_the_limit_and_never_splits_a_tie(scores, limit):
    subjects = ranked(*sorted(scores, reverse=True))
    proposals = {s["key"]: "excellent" for s in subjects}
    flags = rules.apply_quota(subjects, proposals, "excellent", limit, "qualified")
    kept = [s for s in subjects if proposals[s["key"]] == "excellent"]
    assert len(kept) <= limit
    outcome = {}
    for s in subjects:  # subjects with the same score share one outcome
        outcome.setdefault(s["score"], set()).add(proposals[s["key"]])
    assert all(len(o) == 1 for o in outcome.values())
    # Everyone not kept is flagged, and only they are.
    assert set(flags) == {s["key"] for s in subjects if s not in kept}
    if len(subjects) > limit:  # the limit is used as far as ties allow
        boundary = subjects[limit]["score"]
        assert kept == [s for s in subjects if s["score"] > boundary]


def test_quorum_is_more_than_or_at_least():
    turnout = {"members": {"ballots": 16, "expected": 32},
               "masses": {"ballots": 20, "expected": 30},
               "open": {"ballots": 3, "expected": None}}
    assert rules.quorum_flags(turnout, F(1, 2)) == ["quorum_not_met:members"]
    assert rules.quorum_flags(turnout, F(2, 3), strict=False) == ["quorum_not_met:members"]
    assert rules.quorum_flags(turnout, F(2, 3)) == ["quorum_not_met:members",
                                                    "quorum_not_met:masses"]
