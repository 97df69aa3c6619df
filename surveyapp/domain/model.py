"""Plain data that the domain core passes around.

Nothing here knows about Flask or SQLAlchemy: a round is described by a
:class:`RoundSpec`, ballots reach the tally as :class:`Counts`, and the tally
returns plain dicts shaped like the tally JSON contract.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

#: Keys of options, criteria, groups and subjects.  They appear in URLs, CSV
#: files and JSON, so they are kept simple; a leading letter or digit means no
#: key can collide with the ``_blank`` bucket of the tally.
KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
#: A number as text that may be read with ``Fraction(text)``: "4", "-0.5",
#: "1/3".  ``Fraction`` also reads exponents, and "1e99999999" takes it
#: minutes (10**99999999): text from a form or a rule is checked first.
NUMBER_TEXT = re.compile(r"\s*[-+]?\d+(?:\.\d+)?(?:/\d+)?\s*")

#: Message template for a key that breaks KEY_RE (see SpecError for params).
KEY_MUST = ("key must be 1-64 letters, digits, '_', '.' or '-', starting with a letter "
            "or digit, got %(got)s")

#: The bucket in tally counts for answers left empty (paper ballots only).
BLANK = "_blank"

#: The criterion key used when a spec lists no criteria.
OVERALL = "overall"

ACCESS_MODES = ("codes", "link")

#: Commitment items (承诺兑现): each item of a subject is a cell of its own,
#: criterion key ``"commitment:<n>"`` (n from 1; ":" keeps it apart from any
#: criterion key), rated on this fixed scale.  Points: 已兑现 1, 部分兑现 1/2,
#: 未兑现 0; 不了解 is an abstention (counted, never scored).
COMMITMENT_PREFIX = "commitment:"
COMMITMENT_OPTIONS = ("fulfilled", "partly", "not", "unknown")
COMMITMENT_LABELS = {"fulfilled": "已兑现", "partly": "部分兑现", "not": "未兑现",
                     "unknown": "不了解"}
COMMITMENT_POINTS = {"fulfilled": 1, "partly": Fraction(1, 2), "not": 0, "unknown": None}


def commitment_key(index: int) -> str:
    """The criterion key of a subject's ``index``-th commitment (0-based index)."""
    return f"{COMMITMENT_PREFIX}{index + 1}"


#: A ``rates`` entry naming a unit rather than a subject: ``"unit:工程技术党支部"``
#: (a subject key cannot hold ":").
UNIT_PREFIX = "unit:"


@dataclass(frozen=True)
class Option:
    """One grade of the scale.  ``points is None`` marks an abstention
    (不了解/弃权): counted, never scored."""

    key: str
    label: str
    points: Fraction | None

    @property
    def is_abstention(self) -> bool:
        return self.points is None


@dataclass(frozen=True)
class Item:
    """A sub-item of a criterion (the 四强/四优 indicator tree): e.g. 理论学习
    worth 10 of 政治引领力强's 25 points."""

    key: str
    label: str
    points: Fraction


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    weight: Fraction = Fraction(1)
    description: str = ""
    #: The criterion's sub-items and their points; empty: none.
    items: tuple[Item, ...] = ()

    @property
    def points(self) -> Fraction | None:
        """The criterion's full points: its items' together (None without items)."""
        return sum((i.points for i in self.items), Fraction(0)) if self.items else None


@dataclass(frozen=True)
class Group:
    """A voter group (党员互评, 群众评议, 上级, ...) with its weight in the
    subject's composite score and the number of voters expected."""

    key: str
    label: str
    weight: Fraction = Fraction(1)
    expected: int | None = None
    #: Whom the group rates (评价关系): subject keys and ``"unit:<unit>"``
    #: entries, as the spec gave them; None: every subject.
    rates: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Subject:
    key: str
    name: str
    unit: str = ""
    post: str = ""  # 职务, shown beside the name on the ballot
    #: The subject's own commitment items (承诺事项), rated on the commitment scale.
    commitments: tuple[str, ...] = ()


@dataclass(frozen=True)
class Trustees:
    """``[trustees]``: names of the 监票人 and how many open the box together."""

    names: tuple[str, ...]
    threshold: int


@dataclass(frozen=True)
class RoundSpec:
    title: str
    options: tuple[Option, ...]
    criteria: tuple[Criterion, ...]
    groups: tuple[Group, ...]
    subjects: tuple[Subject, ...]
    template: str | None = None
    access: str = "codes"
    anonymity_min: int = 5
    rules: dict[str, Any] = field(default_factory=dict)
    #: The 监票人 who will hold the round's key, and how many of them open the
    #: ballot box together.  None: one trustee (the secretary), threshold 1.
    trustees: Trustees | None = None
    #: Optional deadlines: no ballot before ``opens_at``, none from ``closes_at``
    #: on.  A naive time is the organisation's local time (the service converts
    #: it); not part of what the round's key binds, so they stay round settings.
    opens_at: datetime.datetime | None = None
    closes_at: datetime.datetime | None = None

    def option(self, key: str) -> Option | None:
        return next((o for o in self.options if o.key == key), None)

    @property
    def positions(self) -> int:
        """Positions of one sealed ballot: each subject × criterion, each
        grade and "left blank" (domain/ballot_box/sealing.py)."""
        return (len(self.subjects) * len(self.criteria) * (len(self.options) + 1)
                + self.commitment_count * (len(COMMITMENT_OPTIONS) + 1))

    @property
    def commitment_count(self) -> int:
        """Commitment items of every subject together (each is one cell)."""
        return sum(len(s.commitments) for s in self.subjects)

    def group(self, key: str) -> Group | None:
        return next((g for g in self.groups if g.key == key), None)

    def rated(self, group: str) -> tuple[str, ...]:
        """The keys of the subjects ``group`` rates, in spec order (评价关系):
        those its ``rates`` names by key or by ``unit:``; every subject when
        it names none (or the group is unknown)."""
        found = self.group(group)
        if found is None or found.rates is None:
            return tuple(s.key for s in self.subjects)
        keys = set(found.rates)
        units = {entry[len(UNIT_PREFIX):] for entry in found.rates
                 if entry.startswith(UNIT_PREFIX)}
        return tuple(s.key for s in self.subjects if s.key in keys or s.unit in units)

    def rates(self, group: str, subject: str) -> bool:
        """Does ``group`` rate ``subject``?"""
        return subject in self.rated(group)


@dataclass
class Counts:
    """Aggregated answers of a round, the only input the tally needs.

    ``ballots[g]``          ballots received from group ``g`` (turnout)
    ``cast[(g, s)]``        ballots of group ``g`` that include subject ``s``
    ``answers[(g, s, c)]``  ``{option_key: n}`` for subject ``s``, criterion ``c``;
                            blanks are whatever ``cast`` has beyond these counts
    ``spoiled[g]``          paper ballots of group ``g`` recorded as 废票 (not counted)
    ``issued[g]``           ballots handed out to group ``g`` (发出), where known
    """

    ballots: dict[str, int] = field(default_factory=dict)
    cast: dict[tuple[str, str], int] = field(default_factory=dict)
    answers: dict[tuple[str, str, str], dict[str, int]] = field(default_factory=dict)
    spoiled: dict[str, int] = field(default_factory=dict)
    issued: dict[str, int] = field(default_factory=dict)

    def add_ballot(self, group: str, answers: dict[tuple[str, str], str | None]) -> None:
        """Add one ballot: ``answers`` maps ``(subject, criterion)`` to an
        option key, or to ``None`` for a blank."""
        self.ballots[group] = self.ballots.get(group, 0) + 1
        for subject in {s for s, _ in answers}:
            self.cast[(group, subject)] = self.cast.get((group, subject), 0) + 1
        for (subject, criterion), option in answers.items():
            if option is None:
                continue
            bucket = self.answers.setdefault((group, subject, criterion), {})
            bucket[option] = bucket.get(option, 0) + 1


# What show() writes for a value too big to quote; the console translates these
# words inside a message's params (i18n.spec_message).
SHOWN_KINDS = ("a table", "an array")
SHOWN_TEXT_MAX = 60


def show(value: Any) -> str:
    """A value for a message, written as in TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        if len(value) > SHOWN_TEXT_MAX:  # a message quotes the start of a long text
            value = value[:SHOWN_TEXT_MAX] + "…"
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, Mapping):
        return SHOWN_KINDS[0]
    if isinstance(value, list | tuple):
        return SHOWN_KINDS[1]
    return str(value)


class SpecError(ValueError):
    """A problem with user-supplied data, located precisely enough to fix:
    ``source`` is a file name (or form), ``line`` a 1-based line number where
    known, ``field`` a dotted path such as ``groups[1].weight``.

    With ``params``, ``message`` is a %-style English template with named
    placeholders, kept as ``template`` so the web console can look it up in
    its catalog and format the translation with the same ``params``;
    ``message`` is always the formatted English (what the CLI prints)."""

    def __init__(self, message: str, *, source: str | None = None,
                 line: int | None = None, field: str | None = None,
                 params: dict | None = None):
        self.template = message
        self.params = dict(params or {})
        if self.params:
            message = message % self.params
        super().__init__(message)
        self.message = message
        self.source = source
        self.line = line
        self.field = field

    @property
    def where(self) -> str:
        """Where the problem is, e.g. ``spec.toml:3 [groups[1].weight]``; may be empty."""
        where = ""
        if self.source:
            where += self.source
        if self.line is not None:
            where += f":{self.line}" if where else f"line {self.line}"
        if self.field:
            where += f" [{self.field}]" if where else f"[{self.field}]"
        return where

    def __str__(self) -> str:
        where = self.where
        return f"{where}: {self.message}" if where else self.message


class SpecErrors(ValueError):
    """Several :class:`SpecError` found in one pass, so a user fixes a file
    once rather than once per error."""

    def __init__(self, errors: list[SpecError]):
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors
