"""The disclosure auditor, checked by solving for what it hides.

The oracle here is a brute force written apart from the auditor's search:
for a hidden group it tries *every* count vector of every hidden group of
the subject (small groups, so few), runs the plain tally and the same
masking, and collects the vectors of that group that give exactly what was
shown.  Fewer than two means the shown result gives the group away.
"""

from __future__ import annotations

import itertools
from fractions import Fraction as F

from hypothesis import given, settings
from hypothesis import strategies as st

from surveyapp.domain import disclosure
from surveyapp.domain.model import OVERALL, Counts, Group, Option, RoundSpec, Subject
from surveyapp.domain.tally import tally
from surveyapp.domain.threshold import hidden_for

FOUR = (Option("excellent", "优秀", F(100)), Option("qualified", "合格", F(80)),
        Option("basic", "基本合格", F(60)), Option("unqualified", "不合格", F(0)))
UNKNOWN = Option("unknown", "不了解", None)


def plain_tally(spec, counts, hidden, turnout=None):
    return tally(spec, counts, hidden=hidden, turnout_hidden=turnout)


def spec_of(groups, subjects=("s",), k=5, options=FOUR) -> RoundSpec:
    return RoundSpec(title="t", options=tuple(options), criteria=(),
                     groups=tuple(Group(key, key, F(w)) for key, w in groups),
                     subjects=tuple(Subject(s, s.upper()) for s in subjects), anonymity_min=k)


def add(counts: Counts, group: str, subject: str, votes: dict[str, int]) -> None:
    for option, n in votes.items():
        for _ in range(n):
            counts.add_ballot(group, {(subject, OVERALL): option})


def rows(total: int, parts: int):
    for cut in itertools.combinations(range(total + parts - 1), parts - 1):
        edges = (-1, *cut, total + parts - 1)
        yield tuple(b - a - 1 for a, b in itertools.pairwise(edges))


def consistent_vectors(spec: RoundSpec, counts: Counts, disclosed, subject: str,
                       target: str) -> set[tuple]:
    """Every count vector of ``target`` for which some answers of the other
    hidden groups reproduce the shown result exactly (blanks as they are)."""
    keys = [o.key for o in spec.options]
    hidden = disclosed.hidden[subject].groups
    sizes = {g: sum(counts.answers.get((g, subject, OVERALL), {}).values()) for g in hidden}
    found = set()
    for combo in itertools.product(*(list(rows(sizes[g], len(keys))) for g in hidden)):
        answers = dict(counts.answers)
        for g, row in zip(hidden, combo, strict=True):
            answers[(g, subject, OVERALL)] = dict(zip(keys, row, strict=True))
        other = Counts(ballots=counts.ballots, cast=counts.cast, answers=answers)
        if hidden_for(spec, other, None, subject) != disclosed.hidden[subject]:
            continue
        view = disclosure.shown(spec, plain_tally(spec, other, disclosed.hidden),
                                disclosed.levels, disclosed.turnout)
        if view == disclosed.result:
            found.add(combo[hidden.index(target)])
    return found


def the_issues_round() -> tuple[RoundSpec, Counts]:
    """党员 8 (weight 40), 群众 12 (30), 支委 3 (30), anonymity_min 5: the
    composite 89.00, the pooled counts and 群众's own admit one split only."""
    spec = spec_of([("members", 40), ("masses", 30), ("committee", 30)])
    counts = Counts()
    add(counts, "members", "s", {"excellent": 5, "qualified": 3})
    add(counts, "masses", "s", {"excellent": 6, "qualified": 4, "basic": 2})
    add(counts, "committee", "s", {"excellent": 1, "qualified": 2})
    return spec, counts


def test_the_issues_split_is_solvable_under_the_old_rule():
    """The oracle, on what used to be shown (level 0): one split fits."""
    spec, counts = the_issues_round()
    hidden = {"s": hidden_for(spec, counts, None, "s")}
    assert hidden["s"].small == ("committee",) and hidden["s"].extra == ("members",)
    old = disclosure.shown(spec, plain_tally(spec, counts, hidden), {"s": 0}, frozenset())
    assert old["subjects"][0]["score"] == 89
    legacy = disclosure.Disclosed(old, hidden, frozenset(), {"s": 0}, {})
    assert consistent_vectors(spec, counts, legacy, "s", "committee") == {(1, 2, 0, 0)}


def test_the_auditor_hides_the_totals_and_then_no_split_is_unique():
    spec, counts = the_issues_round()
    shown = disclosure.disclose(spec, counts, None, plain_tally)
    assert shown.levels == {"s": 1}
    [entry] = shown.result["subjects"]
    assert entry["score"] == 89 and entry["criteria"][OVERALL]["counts"] is None
    assert entry["groups"]["masses"]["counts"]["excellent"] == 6
    assert entry["groups"]["committee"]["counts"] is None
    assert "hidden_counts" in entry["flags"]
    for group in ("committee", "members"):
        assert len(consistent_vectors(spec, counts, shown, "s", group)) >= 2


def test_one_voter_beside_four_typed_in_abstentions_shows_nothing_of_that_voter():
    spec = spec_of([("members", 1)], options=(*FOUR, UNKNOWN))
    counts = Counts()
    add(counts, "members", "s", {"qualified": 1, "unknown": 4})
    shown = disclosure.disclose(spec, counts, None, plain_tally)
    [entry] = shown.result["subjects"]
    assert entry["score"] is None and entry["groups"]["members"]["counts"] is None
    assert entry["criteria"][OVERALL]["counts"] is None and entry["proposal"] is None


def test_paper_ballots_do_not_carry_a_group_with_web_ballots_over_the_threshold():
    spec = spec_of([("members", 1), ("masses", 1)])
    counts, web = Counts(), Counts()
    add(counts, "members", "s", {"qualified": 1})        # the one web ballot ...
    add(web, "members", "s", {"qualified": 1})
    add(counts, "members", "s", {"excellent": 4})        # ... and four typed in
    add(counts, "masses", "s", {"basic": 6})
    add(web, "masses", "s", {"basic": 6})
    shown = disclosure.disclose(spec, counts, web, plain_tally)
    [entry] = shown.result["subjects"]
    assert entry["groups"]["members"]["suppressed"]
    assert shown.result["turnout"]["members"]["ballots"] is None  # 1 web ballot: not shown
    # ... nor masses', else the round's total (on the board) less 6 would tell members' 5.
    assert shown.result["turnout"]["masses"]["ballots"] is None


def test_a_unanimous_subject_is_shown_as_it_is():
    spec = spec_of([("members", 40), ("committee", 30)])
    counts = Counts()
    add(counts, "members", "s", {"excellent": 8})
    add(counts, "committee", "s", {"excellent": 2})
    shown = disclosure.disclose(spec, counts, None, plain_tally)
    assert shown.levels == {"s": 0}
    assert shown.result["subjects"][0]["score"] == 100


def test_scores_are_shown_rounded_and_ranks_only_among_shown_scores():
    spec = spec_of([("members", 1)], subjects=("a", "b", "c"), k=1)
    counts = Counts()
    add(counts, "members", "a", {"excellent": 2, "unqualified": 1})  # 66.666...
    add(counts, "members", "b", {"excellent": 1})
    add(counts, "members", "c", {"qualified": 1})
    shown = disclosure.disclose(spec, counts, None, plain_tally)
    assert [(s["key"], s["rank"], s["score"]) for s in shown.result["subjects"]] == [
        ("b", 1, 100), ("c", 2, 80), ("a", 3, F(6667, 100))]


# -- the oracle over random rounds --------------------------------------------------------------

@st.composite
def small_rounds(draw):
    groups = [("g1", draw(st.integers(1, 50))), ("g2", draw(st.integers(1, 50))),
              ("g3", draw(st.integers(1, 50)))][:draw(st.integers(2, 3))]
    k = draw(st.integers(2, 4))
    options = FOUR[:draw(st.integers(2, 3))] + ((UNKNOWN,) if draw(st.booleans()) else ())
    spec = spec_of(groups, subjects=("s", "t"), k=k, options=options)
    counts = Counts()
    for key, _w in groups:
        size = draw(st.integers(0, 7))
        for _ in range(size):
            counts.add_ballot(key, {(s, OVERALL): draw(st.sampled_from(options)).key
                                    for s in ("s", "t")})
    return spec, counts


@settings(max_examples=60, deadline=None)
@given(small_rounds())
def test_no_hidden_group_is_pinned_down_by_what_is_shown(data):
    spec, counts = data
    shown = disclosure.disclose(spec, counts, None, plain_tally)
    for subject in ("s", "t"):
        hidden = shown.hidden[subject]
        if disclosure.unanimous(spec, counts, subject):
            continue
        for group in hidden.groups:
            if counts.cast.get((group, subject), 0):
                assert len(consistent_vectors(spec, counts, shown, subject, group)) >= 2, (
                    subject, group, shown.levels)


# -- turnout ---------------------------------------------------------------------------------

def turnout_splits(shown: dict[str, int | None], total: int) -> dict[str, set[int]]:
    """Solve for each hidden group's turnout from what is public: the shown groups' turnout
    and the round's total (the board lists every ballot); each hidden group had a ballot."""
    hidden = [g for g, n in shown.items() if n is None]
    pooled = total - sum(n for n in shown.values() if n is not None)
    found: dict[str, set[int]] = {g: set() for g in hidden}
    for split in itertools.product(range(1, pooled + 1), repeat=len(hidden)):
        if sum(split) == pooled:
            for g, n in zip(hidden, split, strict=True):
                found[g].add(n)
    return found


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=9), min_size=1, max_size=5),
       st.integers(min_value=2, max_value=6))
def test_no_small_groups_turnout_follows_from_the_total(sizes, k):
    spec = spec_of([(f"g{i}", 1) for i in range(len(sizes))], k=k)
    counts = Counts()
    for i, n in enumerate(sizes):
        counts.ballots[f"g{i}"] = n
    hidden = disclosure.hidden_turnout(spec, counts)
    shown = {g: None if g in hidden else n for g, n in counts.ballots.items()}
    with_ballots = [g for g, n in counts.ballots.items() if n]
    for g, values in turnout_splits(shown, sum(sizes)).items():
        assert counts.ballots[g] in values
        if set(hidden) != set(with_ballots):  # all of the round hidden: its total is public
            assert len(values) >= 2, (sizes, k, hidden)
    assert all(g in hidden for g, n in counts.ballots.items() if 0 < n < k)


def test_one_small_group_is_hidden_with_the_smallest_other():
    spec = spec_of([("members", 40), ("masses", 30), ("committee", 30)], k=5)
    counts = Counts()
    counts.ballots.update({"members": 8, "masses": 12, "committee": 3})
    assert disclosure.hidden_turnout(spec, counts) == {"committee", "members"}
