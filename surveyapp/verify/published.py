"""The results as published on the board (the tally JSON): what they show and what they hide.

Only shapes are checked here (a wrong shape is not a board); whether the figures are right
is :mod:`.figures`.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from .errors import Failure, NotABoard
from .spec import Round


class Published:
    """The results' shape is checked whole, before any figure is: a wrong shape anywhere is
    not a board, whatever else is wrong."""

    def __init__(self, results: dict):
        subjects = results.get("subjects")
        if not isinstance(subjects, list):
            raise NotABoard("not a board: results.subjects is not a list")
        turnout = results.get("turnout")
        if not isinstance(turnout, dict):
            raise NotABoard("not a board: results.turnout is not an object")
        for group, entry in turnout.items():
            where = f"results.turnout.{group}"
            _shape(entry, dict, where)
            _shape(entry.get("ballots"), int | None, f"{where}.ballots")
        self.turnout_table = turnout
        self.entries: list[dict] = []
        self.subjects: dict[str, dict] = {}
        for i, entry in enumerate(subjects):
            _subject_shape(entry, f"results.subjects[{i}]")
            self.subjects.setdefault(entry["key"], entry)
            self.entries.append(entry)

    def check_subjects(self, round_: Round) -> None:
        """Each of the spec's subjects once, and no other."""
        if len(self.subjects) != len(self.entries):
            twice = next(e["key"] for i, e in enumerate(self.entries)
                         if any(e["key"] == f["key"] for f in self.entries[:i]))
            raise Failure(f"results: subject {twice!r} is listed twice")
        for key in self.subjects:
            if key not in round_.subjects:
                raise Failure(f"results: subject {key!r} is not one of the spec's subjects")
        for key in round_.subjects:
            if key not in self.subjects:
                raise Failure(f"results: subject {key!r} of the spec is not in the results")

    def group(self, subject: str, group: str) -> dict | None:
        """Group ``group``'s breakdown for ``subject`` when shown (its counts not null)."""
        entry = self.subjects[subject]["groups"].get(group)
        return entry if entry is not None and entry.get("counts") is not None else None

    def criterion(self, subject: str, criterion: str) -> dict:
        entry = self.subjects[subject]["criteria"].get(criterion)
        if not isinstance(entry, dict):
            raise Failure(f"results: subject {subject!r} has no criterion {criterion!r}")
        return entry

    def all_counts(self, subject: str, criterion: str) -> dict | None:
        """The subject's counts over all groups for ``criterion``, when shown."""
        return self.criterion(subject, criterion).get("counts")

    def commitment(self, subject: str, index: int) -> dict | None:
        """The subject's commitment item ``index`` (0-based) as published, when its counts
        are shown."""
        items = self.subjects[subject].get("commitments") or []
        entry = items[index] if index < len(items) else None
        return entry if entry is not None and entry.get("counts") is not None else None

    def turnout(self, group: str) -> int | None:
        """The group's published number of ballots, or None when its turnout is hidden."""
        entry = self.turnout_table.get(group)
        return None if entry is None else entry.get("ballots")


def number(value: Any, where: str) -> Fraction | None:
    """A published figure as an exact fraction (its decimal digits as written), or None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise NotABoard(f"not a board: {where} is not a number")
    try:
        return Fraction(Decimal(repr(value)))
    except (InvalidOperation, ValueError, OverflowError):
        raise NotABoard(f"not a board: {where} is not a finite number") from None


def _shape(value: Any, kind, where: str) -> None:
    """``value`` is of ``kind`` (int | None, dict, ...): a bool is no int, a number is an
    int or a float."""
    kinds = getattr(kind, "__args__", (kind,))
    if isinstance(value, bool) or not isinstance(value, kinds):
        names = [_NAMES[k] for k in kinds if not (k is int and float in kinds)]
        raise NotABoard(f"not a board: {where} is not " + " or ".join(names))


_NAMES = {int: "an integer", float: "a number", dict: "an object", str: "a string",
          type(None): "null"}
_NUMBER = int | float | None


def _counts_shape(value: Any, where: str) -> None:
    _shape(value, dict | None, where)
    for key, n in (value or {}).items():
        _shape(n, int, f"{where}.{key}")


def _subject_shape(entry: Any, where: str) -> None:
    _shape(entry, dict, where)
    _shape(entry.get("key"), str, f"{where}.key")
    _shape(entry.get("score"), _NUMBER, f"{where}.score")
    _shape(entry.get("rank"), int | None, f"{where}.rank")
    for part in ("groups", "criteria"):
        _shape(entry.get(part), dict, f"{where}.{part}")
    for group, breakdown in entry["groups"].items():
        at = f"{where}.groups.{group}"
        _shape(breakdown, dict, at)
        _counts_shape(breakdown.get("counts"), f"{at}.counts")
        _shape(breakdown.get("ballots"), int | None, f"{at}.ballots")
        _shape(breakdown.get("score"), _NUMBER, f"{at}.score")
        _shape(breakdown.get("criteria"), dict | None, f"{at}.criteria")
        for criterion, score in (breakdown.get("criteria") or {}).items():
            _shape(score, _NUMBER, f"{at}.criteria.{criterion}")
    for criterion, figures in entry["criteria"].items():
        at = f"{where}.criteria.{criterion}"
        _shape(figures, dict, at)
        _counts_shape(figures.get("counts"), f"{at}.counts")
        _shape(figures.get("score"), _NUMBER, f"{at}.score")
    if "commitments" in entry:
        _shape(entry["commitments"], list, f"{where}.commitments")
        _shape(entry.get("commitment_mean"), _NUMBER, f"{where}.commitment_mean")
        for i, item in enumerate(entry["commitments"]):
            at = f"{where}.commitments[{i}]"
            _shape(item, dict, at)
            _counts_shape(item.get("counts"), f"{at}.counts")
            for name in ("rate", "score"):
                _shape(item.get(name), _NUMBER, f"{at}.{name}")
