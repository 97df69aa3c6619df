"""A roster of people to appraise, read from a CSV or XLSX table."""

from __future__ import annotations

import pathlib
import re
from dataclasses import dataclass, field
from typing import Any

from .bounds import COMMITMENT_MAX, COMMITMENTS_MAX, NAME_MAX, SUBJECTS_MAX, UNIT_MAX
from .model import KEY_MUST, KEY_RE, SpecError, SpecErrors, Subject, show
from .tables import Rows, csv_rows, read_text, xlsx_rows

#: Header names accepted in subject tables, by column, first match wins.  The
#: Chinese ones are what a roster exported from a personnel system has.  A
#: 序号 (row number) is not a key: it numbers this list, not the person, and
#: is ignored like any other column not named here.
SUBJECT_COLUMNS = {
    "key": ("key", "工号", "编号", "人员编号", "员工编号"),
    "name": ("name", "姓名", "名称"),
    "unit": ("unit", "单位", "部门", "支部", "所在支部", "所在单位"),
    "post": ("post", "职务", "职位", "岗位", "现任职务"),
    "commitments": ("commitments", "承诺", "承诺事项", "承诺内容"),
}

#: What separates a subject's commitment items in one cell: a line break (Alt+Enter
#: in Excel) or a semicolon, Chinese or not.
COMMITMENT_SEPARATORS = re.compile(r"[\n；;]")


def split_commitments(text: str) -> list[str]:
    """The items of a ``commitments`` cell: split at line breaks and semicolons,
    each stripped; empty pieces are returned as "" for the caller to refuse,
    except a trailing separator's."""
    parts = [p.strip() for p in COMMITMENT_SEPARATORS.split(text.replace("\r", ""))]
    while parts and not parts[-1]:
        parts.pop()
    return parts


@dataclass(frozen=True)
class Roster:
    """A roster as read: the subjects, which header each column came from,
    the headers left out, and whether keys were made up (no key column)."""

    subjects: list[Subject]
    columns: dict[str, str] = field(default_factory=dict)  # column -> header as written
    ignored: list[str] = field(default_factory=list)
    keys_made: bool = False


def read_subjects_table(path: pathlib.Path) -> list[Subject]:
    """Subjects from a .csv or .xlsx table (see :func:`read_roster`)."""
    return read_roster(path).subjects


def read_roster(path: pathlib.Path) -> Roster:
    """A roster from a .csv (UTF-8, or GB18030/GBK as Chinese Excel saves
    it) or .xlsx table whose header row names the columns name and
    optionally key, unit and post (any order, any case).  Other columns are
    ignored and listed as such; without a key column keys are made up (s1,
    s2, ...).  Errors carry the file as source, the row as line and the
    column as field.  At most SUBJECTS_MAX people are read."""
    path = pathlib.Path(path)
    source = str(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = csv_rows(read_text(path, source), source, max_rows=SUBJECTS_MAX)
    elif suffix == ".xlsx":
        rows = xlsx_rows(path, source, max_rows=SUBJECTS_MAX)
    else:
        if suffix:
            error = SpecError("cannot read %(suffix)s; use a .csv or .xlsx file",
                              source=source, params={"suffix": suffix})
        else:
            error = SpecError("cannot read a file without extension; use a .csv or .xlsx file",
                              source=source)
        raise SpecErrors([error])
    return roster_from_rows(rows, source)


def subjects_from_rows(rows: Rows, source: str) -> list[Subject]:
    return roster_from_rows(rows, source).subjects


def roster_from_rows(rows: Rows, source: str) -> Roster:
    if not rows:
        raise SpecErrors([SpecError("the file is empty; expected a header row with the "
                                    "columns name and optionally key, unit and post",
                                    source=source)])
    header_line, header = rows[0]
    names = [h.strip().lower() for h in header]
    columns = {}
    for column, aliases in SUBJECT_COLUMNS.items():
        index = next((names.index(a) for a in aliases if a in names), None)
        if index is not None:
            columns[column] = index
    if "name" not in columns:
        got = ", ".join(h for h in header if h)
        template = ("missing column %(column)s; the header row needs name and optionally "
                    "key, unit and post, got " + ("%(got)s" if got else "nothing"))
        raise SpecErrors([SpecError(template, source=source, line=header_line, field="name",
                                    params={"column": "name"} | ({"got": got} if got else {}))])
    used = set(columns.values())
    ignored = [h for i, h in enumerate(header) if h and i not in used]
    made = "key" not in columns

    errors, subjects, seen = [], [], {}

    def error(message: str, line: int, column: str | None, /, **params: Any) -> None:
        errors.append(SpecError(message, source=source, line=line, field=column,
                                params=params))

    for line, cells in rows[1:]:
        def cell(column: str, cells: list[str] = cells) -> str:
            index = columns.get(column)
            return cells[index] if index is not None and index < len(cells) else ""

        key, name, unit, post = cell("key"), cell("name"), cell("unit"), cell("post")
        if made:
            key = f"s{len(subjects) + 1}"
        elif not key:
            error("key is empty", line, "key")
        elif not KEY_RE.fullmatch(key):
            error(KEY_MUST, line, "key", got=show(key))
        elif key in seen:
            error("duplicate key %(key)s, also on line %(line)s", line, "key", key=show(key),
                  line=seen[key])
        else:
            seen[key] = line
        if not name:
            error("name is empty", line, "name")
        elif len(name) > NAME_MAX:
            error("the name has %(length)s characters; at most %(max)s", line, "name",
                  max=NAME_MAX, length=len(name))
        if len(unit) > UNIT_MAX:
            error("the unit has %(length)s characters; at most %(max)s", line, "unit",
                  max=UNIT_MAX, length=len(unit))
        if len(post) > 80:
            error("post must be at most %(max)s characters, got %(length)s", line, "post",
                  max=80, length=len(post))
        commitments = split_commitments(cell("commitments"))
        if len(commitments) > COMMITMENTS_MAX:
            error("at most %(max)s commitments, got %(count)s", line, "commitments",
                  max=COMMITMENTS_MAX, count=len(commitments))
        elif any(not item for item in commitments):
            error("a commitment is empty (two separators in a row?)", line, "commitments")
        elif any(len(item) > COMMITMENT_MAX for item in commitments):
            error("a commitment must be at most %(max)s characters", line, "commitments",
                  max=COMMITMENT_MAX)
        subjects.append(Subject(key, name, unit, post, tuple(commitments)))
    if not subjects:
        error("no subjects: the file has a header row but no rows below it", header_line, None)
    if errors:
        raise SpecErrors(errors)
    return Roster(subjects, {c: header[i] for c, i in columns.items()}, ignored, made)
