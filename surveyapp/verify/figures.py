"""The published figures against the decrypted counts (docs/board.md, checks 5 to 7): which
counts must be decrypted, and that every figure the results show follows from them.

A figure is *checked* when everything it is computed from is on the board; one that involves
a group whose counts are hidden (its breakdown suppressed, or pooled in ``~hidden`` with
other groups) is counted as not checkable, and so is a subject score made by a plugin's rule.
All arithmetic is exact (fractions); a figure is right when it is the exact value rounded
half up to two places.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from .board import ALL, HIDDEN, Unit
from .errors import Failure
from .published import Published, number
from .spec import COMMITMENT_PREFIX, COMMITMENT_SCALE, Round

#: A cell's counts: position key -> count.
Counts = dict[str, int]


@dataclass
class Tally:
    checked: int = 0
    hidden: int = 0  # not checkable: they involve hidden groups
    plugin: int = 0  # subject scores by a plugin's rule


def check_units(units: Iterable[Unit], round_: Round, published: Published) -> None:
    """A group whose turnout the results show is a unit of its own; every other group is
    in ``~hidden``.  (A shown group may have no unit: it has no ballots, and check 7 holds
    its turnout to 0.)"""
    groups = [g for g, _ in round_.groups]
    hidden = {g for g in groups if published.turnout(g) is None}
    seen: set[str] = set()
    for unit in units:
        if unit.key in seen:
            raise Failure(f"units: unit {unit.key!r} is listed twice")
        seen.add(unit.key)
        if unit.key == HIDDEN:
            if len(set(unit.groups)) != len(unit.groups) or set(unit.groups) != hidden:
                raise Failure(f"units: {HIDDEN} holds groups {sorted(unit.groups)}, but the "
                              f"groups whose turnout the results hide are {sorted(hidden)}")
        elif unit.key not in groups:
            raise Failure(f"units: unit {unit.key!r} is neither a group of the spec nor "
                          f"{HIDDEN}")
        elif unit.groups != (unit.key,):
            raise Failure(f"units: unit {unit.key!r} must hold exactly its own group")
        elif unit.key in hidden:
            raise Failure(f"units: group {unit.key!r} is a unit of its own, but the results "
                          "hide its turnout")
    if hidden and HIDDEN not in seen:
        raise Failure(f"units: the results hide the turnout of {sorted(hidden)}, but there "
                      f"is no unit {HIDDEN}")


def round_half_up(value: Fraction) -> Fraction:
    """To two places, ties away from zero, decided on the exact value."""
    n = int(abs(value) * 100 + Fraction(1, 2))
    return Fraction(-n if value < 0 else n, 100)


def mean(terms: Iterable[tuple[Fraction, Fraction | None]]) -> Fraction | None:
    """Weighted mean over the values that exist, weights renormalised; None if they weigh
    nothing."""
    pairs = [(w, v) for w, v in terms if v is not None]
    total = sum(w for w, _ in pairs)
    if not total:
        return None
    return sum(w * v for w, v in pairs) / total


class Figures:
    def __init__(self, round_: Round, units: Iterable[Unit], published: Published,
                 checks: dict[str, str], decrypted: dict[tuple[str, int], int],
                 ballots_per_unit: dict[str, int]):
        self.round = round_
        self.published = published
        self.checks = checks
        self.decrypted = decrypted
        self.ballots_per_unit = ballots_per_unit
        self.units = {u.key: u for u in units}
        self.cells = round_.cells
        self.offsets = round_.offsets
        self.cell_positions = round_.cell_positions
        self.tally = Tally()

    # -- which counts are decrypted (check 5) -----------------------------------------------

    def shown(self, unit: str, position: int) -> bool:
        """Must the count of this sum be decrypted?  For ``~all``: when the results show the
        cell's counts over all groups; for a unit: when they show the breakdown for the
        cell's subject of a group of the unit."""
        cell = bisect.bisect_right(self.offsets, position) - 1
        subject, criterion = self.cells[cell]
        if criterion.startswith(COMMITMENT_PREFIX):
            # Commitment items are shown over all groups only, never per group.
            index = int(criterion[len(COMMITMENT_PREFIX):]) - 1
            return unit == ALL and self.published.commitment(subject, index) is not None
        if unit == ALL:
            return self.published.all_counts(subject, criterion) is not None
        return any(self.published.group(subject, g) is not None
                   for g in self.units[unit].groups)

    # -- the figures (checks 6 and 7) ---------------------------------------------------------

    def check(self) -> Tally:
        for subject in self.round.subjects:
            self._subject(subject)
        self._ranks()
        self._turnout()
        return self.tally

    def _known(self, group: str, subject: str) -> dict[str, Counts] | None:
        """The group's counts for the subject per criterion, when the board holds them."""
        if group in self.units and group != HIDDEN:
            return self._unit_counts(group, subject)
        hidden = self.units.get(HIDDEN)
        if hidden is not None and group in hidden.groups:
            return self._unit_counts(HIDDEN, subject) if hidden.groups == (group,) else None
        # A group of shown turnout with no unit has no ballot at all.
        return {c: dict.fromkeys(self.round.positions, 0) for c, _ in self.round.criteria}

    def _unit_counts(self, unit: str, subject: str) -> dict[str, Counts] | None:
        out = {}
        for index, (s, criterion) in enumerate(self.cells):
            if s != subject or criterion.startswith(COMMITMENT_PREFIX):
                continue
            base = self.offsets[index]
            counts = {key: self.decrypted.get((unit, base + p))
                      for p, key in enumerate(self.round.positions)}
            if None in counts.values():
                return None
            out[criterion] = counts
        return out

    def _score(self, counts: Counts) -> Fraction | None:
        """The mean points of the graded answers (options with points; not blanks)."""
        graded = [(counts[key], points) for key, points in self.round.options
                  if points is not None]
        answers = sum(n for n, _ in graded)
        return Fraction(sum(n * p for n, p in graded), answers) if answers else None

    def _group_score(self, known: dict[str, Counts]) -> Fraction | None:
        return mean((w, self._score(known[c])) for c, w in self.round.criteria)

    def _same(self, found, expected: Fraction | int | None, what: str) -> None:
        """A published figure against its exact value (scores rounded half up to 2 places)."""
        if isinstance(expected, int):
            ok = found == expected and isinstance(found, int) and not isinstance(found, bool)
            shown = expected
        else:
            value = number(found, what)
            rounded = None if expected is None else round_half_up(expected)
            ok = value == rounded
            shown = "null" if rounded is None else f"{float(rounded):.2f}"
        if not ok:
            raise Failure(f"results: {what} is {_json(found)}; the decrypted counts give "
                          f"{shown}")
        self.tally.checked += 1

    def _subject(self, subject: str) -> None:
        round_, published = self.round, self.published
        entry = published.subjects[subject]
        known_all = True
        group_scores = []
        criterion_scores: dict[str, list] = {c: [] for c, _ in round_.criteria}
        for group, weight in round_.groups:
            known = self._known(group, subject)
            breakdown = published.group(subject, group)
            if breakdown is not None:
                self._breakdown(subject, group, breakdown, known)
            if known is None:
                known_all = False
                continue
            group_scores.append((weight, self._group_score(known)))
            for c, _ in round_.criteria:
                criterion_scores[c].append((weight, self._score(known[c])))
        for c, _ in round_.criteria:
            counts = published.all_counts(subject, c)
            if counts is not None:
                base = self.offsets[self.cells.index((subject, c))]
                expected = {key: self.decrypted[(ALL, base + p)]
                            for p, key in enumerate(round_.positions)}
                self._counts(counts, expected, f"subject {subject!r}, criterion {c!r}: counts")
            if known_all:
                self._same(published.criterion(subject, c).get("score"),
                           mean(criterion_scores[c]),
                           f"subject {subject!r}, criterion {c!r}: score")
            else:
                self.tally.hidden += 1
        self._commitments(subject, entry)
        score = entry.get("score")
        if not known_all:
            self.tally.hidden += 1
        elif self.checks.get(subject) == "mean":
            self._same(score, mean(group_scores), f"subject {subject!r}: score")
        elif self.checks.get(subject) == "plugin":
            self.tally.plugin += 1
        elif score is not None:
            raise Failure(f"checks.subjects has no entry for subject {subject!r}, whose score "
                          "the results show")

    def _commitments(self, subject: str, entry: dict) -> None:
        """Each shown commitment item: its counts against the decrypted ``~all`` sums, no
        fewer than anonymity_min ballots that know (not 不了解 nor blank), its 兑现率
        (fulfilled over those who know) and score (1, 1/2, 0 over those who know); the mean
        of the item scores when every item is shown."""
        n = self.round.commitments[self.round.subjects.index(subject)]
        items = entry.get("commitments") or []
        if len(items) != n:
            raise Failure(f"results: subject {subject!r} shows {len(items)} commitment items; "
                          f"the spec has {n}")
        scores = []
        for i in range(n):
            where = f"subject {subject!r}, commitment {i + 1}"
            shown = self.published.commitment(subject, i)
            if shown is None:
                for name in ("rate", "score"):
                    if items[i].get(name) is not None:
                        raise Failure(f"results: {where}: its {name} is shown, and not its "
                                      "counts")
                scores.append(None)
                continue
            cell = self.cells.index((subject, f"{COMMITMENT_PREFIX}{i + 1}"))
            base = self.offsets[cell]
            expected = {key: self.decrypted[(ALL, base + p)]
                        for p, key in enumerate(self.cell_positions[cell])}
            self._counts(shown["counts"], expected, f"{where}: counts")
            graded = [(expected[key], points) for key, points in COMMITMENT_SCALE
                      if points is not None]
            known = sum(k for k, _ in graded)
            if known < self.round.anonymity_min:
                raise Failure(f"results: {where}: shown with {known} ballots that know, "
                              f"fewer than anonymity_min ({self.round.anonymity_min})")
            score = Fraction(sum(k * p for k, p in graded), known)
            self._same(shown.get("rate"), Fraction(expected["fulfilled"], known),
                       f"{where}: rate")
            self._same(shown.get("score"), score, f"{where}: score")
            scores.append(score)
        if n and all(v is not None for v in scores):
            self._same(entry.get("commitment_mean"), sum(scores) / n,
                       f"subject {subject!r}: commitment_mean")
        elif entry.get("commitment_mean") is not None:
            raise Failure(f"results: subject {subject!r}: commitment_mean is shown beside a "
                          "hidden commitment item")

    def _breakdown(self, subject: str, group: str, breakdown: dict,
                   known: dict[str, Counts] | None) -> None:
        round_ = self.round
        where = f"subject {subject!r}, group {group!r}"
        ballots = breakdown.get("ballots")
        if ballots is None:
            raise Failure(f"results: {where}: its counts are shown, and not its ballots")
        if 0 < ballots < round_.anonymity_min:
            raise Failure(f"results: {where}: a breakdown of {ballots} ballots is shown, "
                          f"fewer than anonymity_min ({round_.anonymity_min})")
        criteria = breakdown.get("criteria")
        criteria = criteria if isinstance(criteria, dict) else None
        figures = 2 + len(round_.positions) + (len(round_.criteria) if criteria else 0)
        if known is None:
            self.tally.hidden += figures
            return
        self._same(ballots, max(sum(known[c].values()) for c, _ in round_.criteria),
                   f"{where}: ballots")
        summed = {key: sum(known[c][key] for c, _ in round_.criteria)
                  for key in round_.positions}
        self._counts(breakdown["counts"], summed, f"{where}: counts")
        if criteria is not None:
            for c, _ in round_.criteria:
                self._same(criteria.get(c), self._score(known[c]),
                           f"{where}, criterion {c!r}: score")
        self._same(breakdown.get("score"), self._group_score(known), f"{where}: score")

    def _counts(self, found, expected: Counts, what: str) -> None:
        if set(found) != set(expected):
            raise Failure(f"results: {what} has the keys {sorted(found)}, not "
                          f"{sorted(expected)}")
        for key, n in expected.items():
            self._same(found[key], n, f"{what}[{key!r}]")

    def _ranks(self) -> None:
        """Competition ranks (1, 1, 3): a subject's rank is one more than the number of
        subjects ranked above it, and a better rank never has a lower score."""
        ranked = []
        for entry in self.published.entries:
            where = f"subject {entry['key']!r}"
            rank, score = entry.get("rank"), number(entry.get("score"), f"{where}: score")
            if (rank is None) != (score is None):
                raise Failure(f"results: {where} has rank {_json(rank)} and score "
                              f"{_json(entry.get('score'))}: a subject is ranked exactly "
                              "when it has a score")
            if rank is None:
                continue
            ranked.append((rank, score, entry["key"]))
        ranks = sorted(r for r, _, _ in ranked)
        for rank, score, key in ranked:
            above = sum(1 for r in ranks if r < rank)
            if rank != above + 1:
                raise Failure(f"results: subject {key!r} has rank {rank}, but {above} "
                              f"subjects rank above it (competition ranks give {above + 1})")
            for other_rank, other_score, other in ranked:
                if other_rank < rank and other_score < score or (
                        other_rank == rank and other_score != score):
                    raise Failure(f"results: subject {other!r} (rank {other_rank}, score "
                                  f"{float(other_score):.2f}) and subject {key!r} (rank {rank}, "
                                  f"score {float(score):.2f}): ranks that disagree with the "
                                  "scores")
            self.tally.checked += 1

    def _turnout(self) -> None:
        for group, _ in self.round.groups:
            shown = self.published.turnout(group)
            if shown is None:
                continue
            expected = self.ballots_per_unit.get(group, 0)
            if shown != expected:
                raise Failure(f"results: turnout of group {group!r} is {shown} ballots; the "
                              f"board has {expected} ballots of unit {group!r}")
            self.tally.checked += 1


def _json(value) -> str:
    if value is None:
        return "null"
    return repr(value) if isinstance(value, str) else str(value)
