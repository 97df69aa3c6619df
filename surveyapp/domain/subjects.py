"""A roster of people to appraise, read from a CSV or XLSX table."""

from __future__ import annotations

import pathlib
from typing import Any

from .bounds import NAME_MAX, SUBJECTS_MAX, UNIT_MAX
from .model import KEY_MUST, KEY_RE, SpecError, SpecErrors, Subject, show
from .tables import Rows, csv_rows, read_text, xlsx_rows

#: Header names accepted in subject tables, by column, first match wins.  The
#: Chinese ones are what a roster exported from a personnel system has.
SUBJECT_COLUMNS = {
    "key": ("key", "工号", "编号", "序号"),
    "name": ("name", "姓名", "名称"),
    "unit": ("unit", "单位", "部门", "支部"),
}


def read_subjects_table(path: pathlib.Path) -> list[Subject]:
    """Subjects from a .csv (UTF-8) or .xlsx table whose header row names the
    columns key, name and optionally unit (any order, any case; other columns
    are ignored).  Errors carry the file as source, the row as line and the
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
    return subjects_from_rows(rows, source)


def subjects_from_rows(rows: Rows, source: str) -> list[Subject]:
    if not rows:
        raise SpecErrors([SpecError("the file is empty; expected a header row with the "
                                    "columns key, name and unit", source=source)])
    header_line, header = rows[0]
    names = [h.strip().lower() for h in header]
    columns = {}
    for column, aliases in SUBJECT_COLUMNS.items():
        index = next((names.index(a) for a in aliases if a in names), None)
        if index is not None:
            columns[column] = index
    missing = [c for c in ("key", "name") if c not in columns]
    if missing:
        got = ", ".join(h for h in header if h)
        template = ("missing column %(column)s; the header row needs key, name and optionally "
                    "unit, got " + ("%(got)s" if got else "nothing"))
        raise SpecErrors([SpecError(template, source=source, line=header_line, field=c,
                                    params={"column": c} | ({"got": got} if got else {}))
                          for c in missing])

    errors, subjects, seen = [], [], {}

    def error(message: str, line: int, column: str | None, /, **params: Any) -> None:
        errors.append(SpecError(message, source=source, line=line, field=column,
                                params=params))

    for line, cells in rows[1:]:
        def cell(column: str, cells: list[str] = cells) -> str:
            index = columns.get(column)
            return cells[index] if index is not None and index < len(cells) else ""

        key, name, unit = cell("key"), cell("name"), cell("unit")
        if not key:
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
        subjects.append(Subject(key, name, unit))
    if not subjects:
        error("no subjects: the file has a header row but no rows below it", header_line, None)
    if errors:
        raise SpecErrors(errors)
    return subjects
