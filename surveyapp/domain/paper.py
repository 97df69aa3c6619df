"""Paper ballots entered as CSV (DESIGN.md, "Paper ballots CSV").

One row per answer, header ``ballot,group,subject,criterion,option``.  Rows
sharing a ballot label form one ballot, wherever they are in the file;
``criterion`` may be empty when the round has a single criterion, and an
empty ``option`` is a blank.  A subject with no rows on a ballot is not on
it (本人不评: counted neither as graded nor as blank); a subject the
ballot's group does not rate (评价关系, ``rates``) may not have rows.  The
whole file is checked before anything is returned, so an import is all or
nothing.

Besides keys, a cell may hold the label (a subject: the name) when exactly
one item has it, because whoever types up paper sheets reads 优秀, not
``excellent``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .bounds import ERRORS_MAX, PAPER_ROWS_MAX, SEALED_POSITIONS_MAX
from .model import (
    COMMITMENT_LABELS,
    COMMITMENT_OPTIONS,
    COMMITMENT_PREFIX,
    RoundSpec,
    SpecError,
    SpecErrors,
    commitment_key,
)
from .tables import csv_rows

COLUMNS = ("ballot", "group", "subject", "criterion", "option")
#: Beyond this many, errors are summarised: a file with a wrong column
#: mapping would otherwise produce thousands of identical lines.
MAX_ERRORS = ERRORS_MAX
_HEADER_TEXT = ",".join(COLUMNS)

#: ``report(template, line=None, column=None, **params)`` records one error
#: (an English template, see :class:`SpecError`).
_Report = Callable[..., None]


@dataclass(frozen=True)
class PaperBallot:
    """One paper ballot: ``answers`` maps ``(subject, criterion)`` to an
    option key, or to None for a blank."""

    label: str
    group: str
    answers: dict[tuple[str, str], str | None]
    # Where the ballot's first row is, for messages; not part of its value.
    line: int | None = field(default=None, compare=False)


@dataclass
class _Draft:
    group: str
    line: int
    answers: dict[tuple[str, str], str | None] = field(default_factory=dict)
    lines: dict[tuple[str, str], int] = field(default_factory=dict)


class _Lookup:
    """Resolves a cell to a key: the key itself, or a label only one item has
    (and that is no other item's key)."""

    def __init__(self, column: str, items: Sequence, label_attr: str = "label"):
        self.column = column
        self.keys = [item.key for item in items]
        self.map = {key: key for key in self.keys}
        labels = Counter(getattr(item, label_attr) for item in items)
        for item in items:
            label = getattr(item, label_attr)
            if labels[label] == 1:
                self.map.setdefault(label, item.key)

    def get(self, value: str) -> str | None:
        return self.map.get(value)

    def unknown(self, value: str, line: int, error: _Report) -> None:
        params = {"column": self.column, "value": repr(value), "keys": ", ".join(self.keys[:10])}
        if len(self.keys) > 10:
            error("unknown %(column)s %(value)s; expected one of: %(keys)s, … (%(count)s in all)",
                  line, self.column, count=len(self.keys), **params)
        else:
            error("unknown %(column)s %(value)s; expected one of: %(keys)s", line, self.column,
                  **params)


def parse_paper_ballots(text: str, spec: RoundSpec, *,
                        source: str = "<csv>") -> list[PaperBallot]:
    """Check a whole paper-ballot CSV against the round and return its ballots
    in order of first appearance; raise :class:`SpecErrors` listing every
    problem (line 1 is the header; ``field`` is the column).  A file holds
    at most PAPER_ROWS_MAX rows and as many ballots as SEALED_POSITIONS_MAX
    allows for the round (each is sealed whole when stored)."""
    errors: list[SpecError] = []

    def error(message: str, line: int | None = None, column: str | None = None, /,
              **params: object) -> None:
        errors.append(SpecError(message, source=source, line=line, field=column,
                                params=params))

    rows = [(line, _trim_end(cells)) for line, cells in
            csv_rows(text.removeprefix("\ufeff"), source, max_rows=PAPER_ROWS_MAX)]
    if not rows:
        error("the file is empty; expected the header %(header)s", header=_HEADER_TEXT)
        raise SpecErrors(errors)
    header_line, header = rows[0]
    names = _check_header(header, header_line, error)
    if errors:
        raise SpecErrors(errors)  # rows cannot be read without their columns
    if len(rows) == 1:
        error("no ballots: the file has a header but no rows below it", header_line)
        raise SpecErrors(errors)

    lookups = {"group": _Lookup("group", spec.groups),
               "subject": _Lookup("subject", spec.subjects, "name"),
               "criterion": _Lookup("criterion", spec.criteria),
               "option": _Lookup("option", spec.options)}
    rated = {g.key: frozenset(spec.rated(g.key)) for g in spec.groups}
    drafts: dict[str, _Draft] = {}
    for line, cells in rows[1:]:
        if len(cells) > len(names):
            error("%(cells)s cells, but the header has %(columns)s columns", line,
                  cells=len(cells), columns=len(names))
            continue
        row = dict(zip(names, cells + [""] * (len(names) - len(cells)), strict=True))
        answer = _answer(row, spec, lookups, line, error)
        if answer is not None and answer[1] not in rated[answer[0]]:
            # 评价关系: the group's ballot does not hold this subject.
            error("group %(group)s does not rate %(subject)s; leave it off that group's "
                  "ballots", line, "subject", group=repr(answer[0]), subject=repr(answer[1]))
            continue
        if answer is not None:
            _add(drafts, row["ballot"], *answer, line, error)

    if errors:
        if len(errors) > MAX_ERRORS:
            more = len(errors) - MAX_ERRORS
            errors[MAX_ERRORS:] = [SpecError("… and %(count)s more errors", source=source,
                                             params={"count": more})]
        raise SpecErrors(errors)
    most = max(1, SEALED_POSITIONS_MAX // max(1, spec.positions))
    if len(drafts) > most:
        error("the file holds %(count)s ballots; one file may hold at most %(max)s ballots of "
              "this round: split it (each file is imported all or nothing)",
              count=len(drafts), max=most)
        raise SpecErrors(errors)
    return [PaperBallot(label, d.group, d.answers, d.line) for label, d in drafts.items()]


def _trim_end(cells: list[str]) -> list[str]:
    """Drop trailing empty cells: spreadsheets add them after the last column."""
    while cells and not cells[-1]:
        cells = cells[:-1]
    return cells


def _check_header(header: list[str], line: int, error: _Report) -> list[str]:
    names = [h.strip().lower() for h in header]
    if not set(names) & set(COLUMNS):
        error("the first line must be the header %(header)s, got %(got)s", line,
              header=_HEADER_TEXT, got=repr(",".join(header)))
        return names
    for column in COLUMNS:
        if column not in names:
            error("missing column %(column)s; the header must be %(header)s", line, column,
                  column=column, header=_HEADER_TEXT)
    seen = set()
    for position, name in enumerate(names, start=1):
        if name in seen:
            error("column %(column)s appears twice", line, name, column=name)
        elif not name:
            error("column %(position)s has no name; the header must be %(header)s", line,
                  position=position, header=_HEADER_TEXT)
        elif name not in COLUMNS:
            error("unexpected column %(column)s; the header must be %(header)s", line, name,
                  column=repr(name), header=_HEADER_TEXT)
        seen.add(name)
    return names


def _answer(row: dict[str, str], spec: RoundSpec, lookups: dict[str, _Lookup], line: int,
            error: _Report) -> tuple[str, str, str, str | None] | None:
    """``(group, subject, criterion, option)`` of one row, or None after
    reporting what is wrong with it."""
    ok = True

    def resolve(column: str) -> str | None:
        nonlocal ok
        value = row[column]
        if not value:
            ok = False
            error("%(column)s is empty", line, column, column=column)
            return None
        key = lookups[column].get(value)
        if key is None:
            ok = False
            lookups[column].unknown(value, line, error)
        return key

    if not row["ballot"]:
        ok = False
        error("ballot label is empty", line, "ballot")
    group, subject = resolve("group"), resolve("subject")
    if row["criterion"].lower().startswith(COMMITMENT_PREFIX):
        # A commitment item (承诺兑现): criterion "commitment:<n>", rated on its own scale.
        item = _commitment(row, spec, subject, line, error)
        option = _commitment_option(row["option"], line, error) if row["option"] else None
        if item is None or option is False:
            return None
        return (group, subject, item, option) if ok else None
    if row["criterion"]:
        criterion = resolve("criterion")
    elif len(spec.criteria) == 1:
        criterion = spec.criteria[0].key
    else:
        ok = False
        criterion = None
        keys = ", ".join(c.key for c in spec.criteria)
        error("criterion is empty, but this round has %(count)s criteria: %(keys)s", line,
              "criterion", count=len(spec.criteria), keys=keys)
    option = resolve("option") if row["option"] else None
    return (group, subject, criterion, option) if ok else None


def _commitment(row: dict[str, str], spec: RoundSpec, subject: str | None, line: int,
                error: _Report) -> str | None:
    """The commitment cell a criterion ``commitment:<n>`` names, or None after reporting."""
    number = row["criterion"][len(COMMITMENT_PREFIX):].strip()
    found = next((s for s in spec.subjects if s.key == subject), None)
    if found is None:
        return None  # the subject's own error is reported
    count = len(found.commitments)
    if not number.isdigit() or not 1 <= int(number) <= count:
        if count:
            error("%(subject)s has commitments 1 to %(count)s; got criterion %(value)s", line,
                  "criterion", subject=repr(subject), count=count,
                  value=repr(row["criterion"]))
        else:
            error("%(subject)s has no commitments; got criterion %(value)s", line,
                  "criterion", subject=repr(subject), value=repr(row["criterion"]))
        return None
    return commitment_key(int(number) - 1)


#: A commitment answer as typed: its key or its label (已兑现, 部分兑现, 未兑现, 不了解).
_COMMITMENT_ANSWERS = {**{k: k for k in COMMITMENT_OPTIONS},
                       **{label: k for k, label in COMMITMENT_LABELS.items()}}


def _commitment_option(value: str, line: int, error: _Report) -> str | bool:
    """The commitment option a cell names, or False after reporting."""
    found = _COMMITMENT_ANSWERS.get(value.strip().lower()) or _COMMITMENT_ANSWERS.get(
        value.strip())
    if found is None:
        error("unknown commitment answer %(value)s; expected one of: %(keys)s", line, "option",
              value=repr(value), keys=", ".join(
                  f"{k} ({COMMITMENT_LABELS[k]})" for k in COMMITMENT_OPTIONS))
        return False
    return found


def _add(drafts: dict[str, _Draft], label: str, group: str, subject: str, criterion: str,
         option: str | None, line: int, error: _Report) -> None:
    draft = drafts.setdefault(label, _Draft(group, line))
    if draft.group != group:
        error("ballot %(ballot)s is for group %(group)s (line %(line)s), not %(other)s", line,
              "group", ballot=repr(label), group=repr(draft.group), line=draft.line,
              other=repr(group))
        return
    if (subject, criterion) in draft.answers:
        error("ballot %(ballot)s answers subject %(subject)s, criterion %(criterion)s twice "
              "(also on line %(line)s)", line, "subject", ballot=repr(label),
              subject=repr(subject), criterion=repr(criterion),
              line=draft.lines[(subject, criterion)])
        return
    draft.answers[(subject, criterion)] = option
    draft.lines[(subject, criterion)] = line
