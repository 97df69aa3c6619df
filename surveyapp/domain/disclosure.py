"""Disclosure control by proof: what may be shown about a round so that no
hidden group's answers can be worked out from it.

Hiding small groups' breakdowns (:mod:`.threshold`) is not enough on its
own: a subject's totals, its score, the weights and the other groups'
figures are equations whose unknowns are the hidden groups' counts, and
small groups are small enough to solve them (an 8/12/3 split with a shown
composite recovered the three 支委 ballots exactly).  So for every subject
with hidden groups, the auditor *solves for them*: it searches for other
count vectors of the hidden groups that would have produced exactly the same
shown result (every figure, rank, proposal and flag, rounded as displayed).
A hidden group is safe when such an alternative exists in which *its* counts
differ.  If one is not safe, the subject's figures are widened one level
and the search runs again:

====  ==========  ==================================================
level name        hidden on top of the levels before
====  ==========  ==================================================
0     breakdowns  the small groups' breakdowns (and the extra ones)
1     counts      the subject's counts over all groups
2     criteria    the subject's per-criterion scores
3     groups      every group's breakdown of the subject
4     score       the subject's score and rank
5     all         its proposal and the plugins' flags too
====  ==========  ==================================================

A subject whose ballots are unanimous (every ballot gave the same answers)
is exempt: anyone can read a unanimous result off any total, and hiding it
would hide nothing.  Every alternative the search accepts is checked
against the real tally (``tally_fn``, plugins included) and the real
masking, so the verdict "safe" is never wrong; when the search is cut short
(``budget``) the answer is "not shown to be safe" and the subject is
widened: the cost of a big search is less shown, never a leak.

What the search assumes an attacker knows: everything shown, the spec
(weights, scale, criteria), and how many ballots of each group include
the subject (a full turnout in a small group tells it).  It varies only
the hidden groups' graded answers and abstentions, keeping their blanks
(which only paper ballots have).  It does not use the per-ballot rules
(``per_ballot_max``) that tie a ballot's answers for different subjects
together: that would be a finer attack on a coarser view.

Plain data in, plain data out; exact arithmetic; no Flask, no database.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from .model import BLANK, OVERALL, Counts, RoundSpec, Subject
from .tally import _mean, hide_commitments, raters_by_subject, scale_points, subject_entry
from .threshold import Hidden, hidden_for, hidden_groups, hidden_turnout

LEVELS = ("breakdowns", "counts", "criteria", "groups", "score", "all")
#: The flag a subject carries for each level above the first.
LEVEL_FLAGS = {1: "hidden_counts", 2: "hidden_criteria", 3: "hidden_groups",
               4: "hidden_score", 5: "hidden_all"}
ALL = len(LEVELS) - 1
#: Candidates the search looks at per subject and level before giving up.
BUDGET = 20_000
#: Of those, how many may go through the whole tally (plugins and all).
FULL_CHECKS = 400

#: ``tally_fn(spec, counts, hidden, turnout_hidden)``: the tally, plugins
#: included, with these breakdowns and these groups' turnout hidden.
TallyFn = Callable[[RoundSpec, Counts, dict[str, Hidden], frozenset[str]], dict]


@dataclass(frozen=True)
class Disclosed:
    """The shown result and the decisions behind it."""

    result: dict
    hidden: dict[str, Hidden]
    turnout: frozenset[str]
    levels: dict[str, int]
    #: The exact tally behind it, hidden figures and all: for the caller's
    #: own use in memory, never to be kept or shown.
    exact: dict


def disclose(spec: RoundSpec, counts: Counts, web: Counts | None, tally_fn: TallyFn, *,
             budget: int = BUDGET, full_checks: int = FULL_CHECKS) -> Disclosed:
    """What may be shown of a round, given its counts (``web``: the web
    ballots' alone, for the threshold) and ``tally_fn(spec, counts,
    hidden)``, the tally with the plugins' scores, proposals and flags."""
    hidden = hidden_groups(spec, counts, web)
    turnout = frozenset(hidden_turnout(spec, counts, web))
    exact = tally_fn(spec, counts, hidden, turnout)
    levels = {s.key: ALL if hidden[s.key].whole else 0 for s in spec.subjects}
    raters = raters_by_subject(spec)
    for subject in spec.subjects:
        if not levels[subject.key] and splits_turnout(raters[subject.key], turnout):
            levels[subject.key] = 1
    search = _Search(spec, counts, web, tally_fn, hidden, turnout, budget, full_checks)
    # One pass suffices: hiding more of one subject only removes equations
    # for the others, so a subject found safe stays safe.
    for subject in spec.subjects:
        while levels[subject.key] < ALL and not search.safe(subject, exact, levels):
            levels[subject.key] += 1
    return Disclosed(shown(spec, exact, levels, turnout), hidden, turnout, dict(levels), exact)


def splits_turnout(raters: frozenset[str], turnout: frozenset[str]) -> bool:
    """Whether a subject's counts over all groups would split the hidden
    turnout: they sum to the ballots that include it, that is its raters'
    turnout, and the shown groups' is shown.  Rated by some of the groups
    whose turnout is hidden but not all, that leaves those some's pooled
    turnout (one small group's alone, say), finer than the total less the
    shown groups' that anyone can read.  Such a subject starts at level 1
    (its counts hidden), whatever the search would say: the search takes
    each group's ballots as known."""
    some = raters & turnout
    return bool(some) and some != turnout


# -- what is shown ------------------------------------------------------------------------------

def shown(spec: RoundSpec, exact: dict, levels: dict[str, int],
          turnout: frozenset[str] | set[str]) -> dict:
    """The result as shown: each subject masked at its level, ranks among
    the scores still shown, every figure rounded to 2 places (exactly)."""
    subjects = [mask(entry, levels.get(entry["key"], 0)) for entry in exact["subjects"]]
    order = {s.key: i for i, s in enumerate(spec.subjects)}
    scored = sorted((s for s in subjects if s["score"] is not None),
                    key=lambda s: s["score"], reverse=True)
    for i, entry in enumerate(scored):
        same = i and entry["score"] == scored[i - 1]["score"]
        entry["rank"] = scored[i - 1]["rank"] if same else i + 1
    unscored = sorted((s for s in subjects if s["score"] is None),
                      key=lambda s: order.get(s["key"], len(order)))
    out = {key: value for key, value in exact.items() if key not in ("turnout", "subjects")}
    out["turnout"] = {g: {"ballots": None if g in turnout else t["ballots"],
                          "expected": t["expected"]}
                      for g, t in exact["turnout"].items()}
    if "sheets" in exact:  # 收回 and 有效 would tell a hidden turnout too
        out["sheets"] = {g: {**s, "returned": None, "valid": None} if g in turnout else dict(s)
                         for g, s in exact["sheets"].items()}
    out["subjects"] = [_rounded(s) for s in scored + unscored]
    return out


def mask(entry: dict, level: int) -> dict:
    """A copy of one subject entry with what ``level`` hides taken out (rank
    left to the caller)."""
    out = {**entry, "rank": None, "flags": list(entry["flags"]),
           "groups": {k: dict(v) for k, v in entry["groups"].items()},
           "criteria": {k: dict(v) for k, v in entry["criteria"].items()}}
    if level >= 1:
        for c in out["criteria"].values():
            c["counts"] = None
        # Commitment items are shown over all groups only; with the
        # subject's own counts hidden, they go too (the safe, simple route).
        hide_commitments(out)
    if level >= 2:
        for c in out["criteria"].values():
            c["score"] = None
    if level >= 3:
        for key, group in out["groups"].items():
            if not group["suppressed"] and group["ballots"]:
                out["flags"].append(f"suppressed_complementary:{key}")
            group.update(ballots=None, counts=None, score=None, suppressed=True, criteria=None)
    if level >= 4:
        out["score"] = None
    if level >= 5:
        out["proposal"] = None
        out["flags"] = [f for f in out["flags"] if f.startswith("suppressed")]
    if level:
        out["flags"].append(LEVEL_FLAGS[level])
    return out


def round_2(value: Fraction) -> Fraction:
    """Half up to 2 places, exactly: what every output shows."""
    scaled = abs(value) * 100
    n = int(scaled + Fraction(1, 2))
    return Fraction(-n if value < 0 else n, 100)


def _rounded(value: Any) -> Any:
    if isinstance(value, Fraction):
        return round_2(value)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


# -- the search ---------------------------------------------------------------------------------

def unanimous(spec: RoundSpec, counts: Counts, subject: str) -> bool:
    """Every ballot that includes the subject gave it the same answers."""
    for c in [c.key for c in spec.criteria] or [OVERALL]:
        seen = set()
        for g in spec.groups:
            cast = counts.cast.get((g.key, subject), 0)
            row = counts.answers.get((g.key, subject, c), {})
            seen |= {k for k, n in row.items() if n}
            if cast > sum(row.values()):
                seen.add(BLANK)
        if len(seen) > 1:
            return False
    return True


class _Search:
    def __init__(self, spec: RoundSpec, counts: Counts, web: Counts | None,
                 tally_fn: TallyFn, hidden: dict[str, Hidden], turnout: frozenset[str],
                 budget: int, full_checks: int):
        self.spec, self.counts, self.web, self.tally_fn = spec, counts, web, tally_fn
        self.hidden, self.turnout = hidden, turnout
        self.budget, self.full_checks = budget, full_checks
        self.points = scale_points(spec)
        self.options = [o.key for o in spec.options]
        self.criteria = [c.key for c in spec.criteria] or [OVERALL]
        self._option_points = [self.points[o] for o in self.options]
        self._row_cache: dict[tuple[int, ...], Fraction | None] = {}
        self._group_cache: dict[tuple, tuple] = {}
        self._criterion_weights = [c.weight for c in spec.criteria] or [Fraction(1)]
        self._raters = raters_by_subject(spec)

    def safe(self, subject: Subject, exact: dict, levels: dict[str, int]) -> bool:
        hidden = self.hidden[subject.key]
        targets = {g for g in hidden.groups if self.counts.cast.get((g, subject.key), 0)}
        if not targets or unanimous(self.spec, self.counts, subject.key):
            return True
        level = levels[subject.key]
        view = shown(self.spec, exact, levels, self.turnout)
        quick = self._quick(self.counts, subject, hidden, level)
        fixed = self._current(subject.key, [g.key for g in self.spec.groups])
        scores = self._scores(fixed, {}, level)
        left = set(targets)
        checks = 0
        for candidate, changed in self._candidates(subject.key, hidden.groups, level == 0):
            if not changed & left:
                continue
            if self._scores(fixed, candidate, level) != scores:
                continue
            counts = self._with(subject.key, candidate)
            if self._quick(counts, subject, hidden, level) != quick:
                continue
            if hidden_for(self.spec, counts, self._web_with(subject.key, candidate),
                          subject.key) != hidden:
                continue  # the threshold itself would tell them apart
            checks += 1
            if shown(self.spec, self.tally_fn(self.spec, counts, self.hidden, self.turnout), levels,
                     self.turnout) == view:
                left -= changed
                if not left:
                    return True
            if checks >= self.full_checks:
                return False
        return False

    def _scores(self, fixed: dict, candidate: dict, level: int) -> tuple:
        """The subject's score and per-criterion scores as shown (rounded; None
        where the level hides them) under ``candidate``, from cached
        per-group figures: the cheapest necessary condition, tried first."""
        per_group, per_criterion = [], {c: [] for c in self.criteria}
        for group in self.spec.groups:
            rows = candidate.get(group.key) or fixed[group.key]
            key = tuple(rows[c] for c in self.criteria)
            cells, score = self._group_score(key)
            per_group.append((group.weight, score))
            if level < 2:
                for c, value in zip(self.criteria, cells, strict=True):
                    per_criterion[c].append((group.weight, value))
        score = _mean(per_group) if level < 4 else None
        crit = tuple(_mean(per_criterion[c]) for c in self.criteria) if level < 2 else ()
        return (None if score is None else round_2(score),
                tuple(None if v is None else round_2(v) for v in crit))

    def _group_score(self, key: tuple) -> tuple[tuple, Fraction | None]:
        """A group's per-criterion scores and its criterion-weighted score,
        for its answer rows (one per criterion), cached."""
        found = self._group_cache.get(key)
        if found is None:
            cells = tuple(self._row_score(row) for row in key)
            found = (cells, _mean(zip(self._criterion_weights, cells, strict=True)))
            self._group_cache[key] = found
        return found

    def _row_score(self, row: tuple[int, ...]) -> Fraction | None:
        found = self._row_cache.get(row)
        if found is None and row not in self._row_cache:
            graded = [(n, p) for n, p in zip(row, self._option_points, strict=True)
                      if p is not None]
            total = sum(n for n, _ in graded)
            found = Fraction(sum(n * p for n, p in graded), total) if total else None
            self._row_cache[row] = found
        return found

    def _quick(self, counts: Counts, subject: Subject, hidden: Hidden, level: int) -> dict:
        """The subject's own shown entry from the plain tally: a cheap
        necessary condition before the whole tally with plugins."""
        entry = subject_entry(self.spec, counts, subject, hidden, self.points,
                              self._raters[subject.key])
        return _rounded(mask(entry, level))

    # A candidate maps each hidden group to its answers per criterion: a
    # tuple of counts over the options (blanks kept as they are).

    def _current(self, subject: str, groups: Sequence[str]) -> dict:
        return {g: {c: tuple(self.counts.answers.get((g, subject, c), {}).get(o, 0)
                             for o in self.options) for c in self.criteria} for g in groups}

    def _with(self, subject: str, candidate: dict) -> Counts:
        answers = dict(self.counts.answers)
        for g, per_criterion in candidate.items():
            for c, row in per_criterion.items():
                answers[(g, subject, c)] = dict(zip(self.options, row, strict=True))
        return replace(self.counts, answers=answers)  # every other figure as it is

    def _web_with(self, subject: str, candidate: dict) -> Counts | None:
        """The web ballots' counts under the candidate: a group with web
        ballots only is the candidate itself; with some paper ballots its web
        part is unknown, so it is kept (the threshold then reads it as it is)."""
        if self.web is None:
            return None
        answers = dict(self.web.answers)
        for g, per_criterion in candidate.items():
            if self.web.ballots.get(g, 0) == self.counts.ballots.get(g, 0):
                for c, row in per_criterion.items():
                    answers[(g, subject, c)] = dict(zip(self.options, row, strict=True))
        return replace(self.web, answers=answers)

    def _candidates(self, subject: str, groups: Sequence[str], totals_shown: bool
                    ) -> Iterator[tuple[dict, set[str]]]:
        """Other answers for the hidden groups, with the groups whose answers
        differ: all of them when few enough, else small changes around each
        group in turn.  With the subject's totals shown, only those that keep
        them."""
        current = self._current(subject, groups)
        per_criterion = []
        for c in self.criteria:
            rows = [current[g][c] for g in groups]
            choices = (_splits(rows, self.budget) if totals_shown
                       else _each(rows, self.budget))
            if choices is None:
                per_criterion = None
                break
            per_criterion.append(choices)
        size = 1
        for choices in per_criterion or []:
            size *= len(choices)
        if per_criterion is not None and size <= self.budget:
            for combo in itertools.product(*per_criterion):
                candidate = {g: {c: combo[j][i] for j, c in enumerate(self.criteria)}
                             for i, g in enumerate(groups)}
                changed = {g for g in groups if candidate[g] != current[g]}
                if changed:
                    yield candidate, changed
            return
        share = max(1, self.budget // len(groups))
        for target in groups:
            yield from itertools.islice(self._moves(current, groups, totals_shown, target),
                                        share)

    def _moves(self, current: dict, groups: Sequence[str], totals_shown: bool, target: str
               ) -> Iterator[tuple[dict, set[str]]]:
        """Small changes that move ``target``'s answers, nearest first: one
        or two steps of its own, then one of its own with one or two of the
        other groups' (what a composite score needs to stay put when groups
        weigh differently per ballot).  A step changes one answer of one
        group (a→b), or, with the totals shown, swaps one between two groups."""
        k = len(self.options)
        steps = []
        for c in self.criteria:
            for a, b in itertools.permutations(range(k), 2):
                if totals_shown:
                    steps += [((g, c, a, b), (h, c, b, a))
                              for g, h in itertools.permutations(groups, 2)]
                else:
                    steps += [((g, c, a, b),) for g in groups]
        own = [step for step in steps if any(move[0] == target for move in step)]
        others = [step for step in steps if all(move[0] != target for move in step)]
        combos = itertools.chain(
            ((step,) for step in own), itertools.combinations(own, 2),
            itertools.product(own, others),
            ((step, *pair) for step in own for pair in itertools.combinations(others, 2)))
        for combo in combos:
            candidate = _stepped(current, [move for step in combo for move in step])
            if candidate is None:
                continue
            changed = {g for g in groups if candidate[g] != current[g]}
            if target in changed:
                yield candidate, changed


def _stepped(current: dict, moves: list[tuple[str, str, int, int]]) -> dict | None:
    """``current`` with each move (group, criterion, a, b) changing one
    answer from option a to b; None if an option would go below zero."""
    candidate = {g: dict(rows) for g, rows in current.items()}
    for g, c, a, b in moves:
        row = list(candidate[g][c])
        row[a] -= 1
        row[b] += 1
        if row[a] < 0:
            return None
        candidate[g][c] = tuple(row)
    return candidate


def _compositions(total: int, parts: int, cap: int) -> list[tuple[int, ...]] | None:
    """Every way to split ``total`` answers over ``parts`` options, or None
    if there are more than ``cap``."""
    out: list[tuple[int, ...]] = []

    def walk(prefix: tuple[int, ...], left: int) -> bool:
        if len(prefix) == parts - 1:
            out.append((*prefix, left))
            return len(out) <= cap
        return all(walk((*prefix, n), left - n) for n in range(left + 1))

    if parts == 0:
        return [()] if total == 0 else []
    return out if walk((), total) else None


def _each(rows: list[tuple[int, ...]], cap: int) -> list[tuple] | None:
    """Every combination of answers for the groups, each keeping its size."""
    options = [_compositions(sum(row), len(row), cap) for row in rows]
    if any(o is None for o in options):
        return None
    size = 1
    for o in options:
        size *= len(o)
    return list(itertools.product(*options)) if size <= cap else None


def _splits(rows: list[tuple[int, ...]], cap: int) -> list[tuple] | None:
    """Every way to split the groups' combined answers among them, each
    keeping its size."""
    combined = tuple(map(sum, zip(*rows, strict=True)))
    sizes = [sum(row) for row in rows]
    out: list[tuple] = []

    def walk(prefix: tuple, left: tuple[int, ...], index: int) -> bool:
        if index == len(rows) - 1:
            out.append((*prefix, left))
            return len(out) <= cap
        for row in _bounded(left, sizes[index]):
            if not walk((*prefix, row), tuple(x - y for x, y in zip(left, row, strict=True)),
                        index + 1):
                return False
        return True

    return out if walk((), combined, 0) else None


def _bounded(limits: tuple[int, ...], total: int) -> Iterator[tuple[int, ...]]:
    """Rows of ``total`` answers with no option above its limit."""
    if not limits:
        if total == 0:
            yield ()
        return
    first, rest = limits[0], limits[1:]
    for n in range(min(first, total), -1, -1):
        if total - n <= sum(rest):
            for tail in _bounded(rest, total - n):
                yield (n, *tail)
