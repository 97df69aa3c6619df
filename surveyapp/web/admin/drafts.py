"""The round wizard's forms as spec data and back: reading the row forms
and the subject list, checking a step with the domain's own spec parser
(placeholders stand in for the steps not reached yet) and putting the
parser's errors (``groups[1].weight``) back beside the field they name.
The views are in :mod:`.wizard`."""

from __future__ import annotations

import copy
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask_babel import gettext as _

from ... import plugins
from ...domain.bounds import SUBJECTS_MAX
from ...domain.model import KEY_RE, RoundSpec, SpecError, SpecErrors
from ...domain.spec import spec_from_dict
from ...domain.subjects import Roster, read_roster, split_commitments
from ..i18n import spec_message
from .forms import SPARE_ROWS

STEPS = ("basics", "groups", "criteria", "subjects")
#: Top-level spec keys each step edits; errors elsewhere belong to other steps.
FIELDS = {"basics": {"title", "template", "scale", "access", "anonymity_min", "opens_at",
                    "closes_at"},
          "groups": {"groups"}, "criteria": {"criteria"}, "subjects": {"subjects"}}
PLACEHOLDER_GROUP = {"key": "placeholder", "label": "placeholder"}
PLACEHOLDER_SUBJECT = {"key": "placeholder", "name": "placeholder"}
_SEPARATORS = re.compile(r"\t|,|，")


class Problem:
    """An error to show: where (a form field or a line) and what."""

    def __init__(self, message: str, field: str | None = None, line: int | None = None):
        self.message, self.field, self.line = message, field, line



# -- templates and checking ---------------------------------------------------------

def template_part(name: str | None, part: str) -> Any:
    """What a plugin template supplies for ``part`` (a named criteria set
    resolved to its list), copied so a form cannot change the registry."""
    template = plugins.round_templates().get(name or "") or {}
    value = template.get(part)
    if part == "criteria" and isinstance(value, str):
        value = plugins.criteria_sets().get(value)
    return copy.deepcopy(value)


def check(data: dict, part: str) -> tuple[RoundSpec | None, list[SpecError]]:
    """Parse ``data`` as a spec; return it, or the errors of ``part``.  Errors
    of other parts (placeholders, steps still to come) are not this step's
    business, so then neither a spec nor errors come back."""
    try:
        spec = spec_from_dict(data, source="form", **plugins.spec_context())
        plugins.rehearse(spec, source="form")
        return spec, []
    except SpecErrors as errors:
        mine = [e for e in errors.errors if e.field is None or top_key(e.field) in FIELDS[part]]
        return None, mine


def top_key(field: str) -> str:
    return re.match(r"[^.\[]*", field)[0]


def draft_data(draft: dict, *, subjects: list[dict] | None = None) -> dict:
    """The wizard's draft as spec data, with placeholders for what is missing."""
    data: dict[str, Any] = {"title": draft.get("title") or "placeholder",
                            "access": draft.get("access", "codes"),
                            "anonymity_min": draft.get("anonymity_min", 5)}
    if draft.get("template"):
        data["template"] = draft["template"]
    if draft.get("scale"):
        data["scale"] = draft["scale"]
    for name in ("opens_at", "closes_at"):
        if draft.get(name):
            data[name] = draft[name]
    if "groups" in draft:
        data["groups"] = draft["groups"]
    elif not template_part(draft.get("template"), "groups"):
        data["groups"] = [PLACEHOLDER_GROUP]
    if "criteria" in draft:
        data["criteria"] = draft["criteria"]
    data["subjects"] = subjects if subjects is not None else [PLACEHOLDER_SUBJECT]
    return data


def row_problems(errors: list[SpecError], part: str, rows: list[int]) -> list[Problem]:
    """Spec errors as problems on form fields: ``groups[1].weight`` is the
    weight of the form row that became entry 1 (blank rows are skipped)."""
    problems = []
    for error in errors:
        m = re.fullmatch(rf"{part}\[(\d+)\]\.?(\w*)", error.field or "")
        if m and int(m[1]) < len(rows):
            field = f"rows-{rows[int(m[1])]}-{m[2] or 'label'}"
            problems.append(Problem(spec_message(error), field=field))
        else:
            problems.append(Problem(spec_message(error, located=error.field is None)))
    return problems


def attach(form, problems: list[Problem]) -> list[str]:
    """Put each problem on its form field; return those that fit none."""
    loose = []
    for problem in problems:
        field = _find_field(form, problem.field) if problem.field else None
        if field is None:
            loose.append(problem.message)
        else:
            field.errors = [*field.errors, problem.message]
    return loose


def _find_field(form, name: str):
    for field in form:
        if field.name == name:
            return field
        if hasattr(field, "entries"):
            for entry in field.entries:
                for sub in entry.form if hasattr(entry, "form") else []:
                    if sub.name == name:
                        return sub
    return None


# -- reading the row forms ------------------------------------------------------------

def _rows_in(form, columns: tuple[str, ...]) -> list[tuple[int, dict]]:
    """Non-blank rows as ``(form row index, {column: text})``."""
    found = []
    for i, entry in enumerate(form.rows.entries):
        values = {c: (entry.form[c].data or "").strip() for c in columns}
        if any(values.values()):
            found.append((i, values))
    return found


class _MadeUpKeys:
    """Keys for rows left without one (s1, s2, ...), skipping those taken.
    The count carries on from the last key made, so n rows cost n steps,
    not n² (a list of 20,000 names took 17 s)."""

    def __init__(self, prefix: str, taken: set[str]):
        self.prefix, self.taken, self.n = prefix, taken, 0

    def __call__(self) -> str:
        self.n += 1
        while f"{self.prefix}{self.n}" in self.taken:
            self.n += 1
        key = f"{self.prefix}{self.n}"
        self.taken.add(key)
        return key


@dataclass(frozen=True)
class RowKind:
    """A step edited as rows (voter groups, criteria): its spec key, its
    columns in form order, the prefix of keys made up for rows left without
    one, and the message when no row is left (None: none are required)."""

    part: str
    columns: tuple[str, ...]
    prefix: str
    none_left: str | None


def row_kinds() -> dict[str, RowKind]:
    return {"groups": RowKind("groups", ("key", "label", "weight", "expected"), "g",
                              _("At least one voter group is needed.")),
            "criteria": RowKind("criteria", ("key", "label", "weight", "description"), "c",
                                None)}


def read_rows(form, kind: RowKind) -> tuple[list[dict], list[int], list[Problem]]:
    """The non-blank rows as spec entries, the form row each came from, and
    what is wrong with them on their own (no name, a count that is no number)."""
    rows = _rows_in(form, kind.columns)
    made_up = _MadeUpKeys(kind.prefix, {v["key"] for _, v in rows if v["key"]})
    items, index, problems = [], [], []
    for i, v in rows:
        item: dict[str, Any] = {"key": v["key"] or made_up(),
                                "label": v["label"], "weight": v["weight"] or "1"}
        if "description" in kind.columns:
            item["description"] = v["description"]
        if v.get("expected"):
            if v["expected"].isdigit():
                item["expected"] = int(v["expected"])
            else:
                problems.append(Problem(_("Enter a whole number, or leave it empty."),
                                        field=f"rows-{i}-expected"))
        if not v["label"]:
            problems.append(Problem(_("Please enter a name."), field=f"rows-{i}-label"))
        items.append(item)
        index.append(i)
    if not items and kind.none_left:
        problems.append(Problem(kind.none_left))
    return items, index, problems


def fill_rows(form, items: list[dict], columns: tuple[str, ...]) -> None:
    """Show ``items`` in the row form, plus spare blank rows."""
    while form.rows.entries:
        form.rows.pop_entry()
    for item in items:
        form.rows.append_entry({c: "" if item.get(c) is None else str(item.get(c))
                                for c in columns})
    for _spare in range(min(SPARE_ROWS, form.rows.max_entries - len(form.rows))):
        form.rows.append_entry()


# -- subjects ------------------------------------------------------------------------

def parse_subject_lines(text: str) -> tuple[list[dict], list[int], list[Problem]]:
    """One person per line: ``name``, ``name,unit`` or ``key,name,unit``
    (comma, Chinese comma or tab); a line with tabs, as pasted from a
    spreadsheet, may add a fourth cell, the post: ``key⇥name⇥unit⇥post``,
    and a fifth, the commitment items (承诺事项) separated by "；" or ";":
    ``key⇥name⇥unit⇥post⇥办好食堂；修路``.
    Keys left out are made up (s1, s2, ...).  A list of more than
    SUBJECTS_MAX people is refused before it is read."""
    typed = text.splitlines()
    count = sum(1 for line in typed if line.strip())
    if count > SUBJECTS_MAX:
        return [], [], [Problem(_("At most %(max)d people can be appraised in one round; the "
                                  "list has %(count)d.", max=SUBJECTS_MAX, count=count),
                                field="subjects")]
    entries, lines = [], []
    for number, line in enumerate(typed, start=1):
        if not line.strip():
            continue
        post, promised = "", []
        if "\t" in line and len(line.split("\t")) >= 4:
            key, name, unit, post, *rest = (c.strip() for c in line.split("\t"))
            promised = split_commitments("；".join(r for r in rest if r))
            entries.append([key, name, unit, post, promised])
            lines.append(number)
            continue
        cells = [c.strip() for c in _SEPARATORS.split(line)]
        if len(cells) == 1:
            key, name, unit = "", cells[0], ""
        elif len(cells) == 2:
            key, (name, unit) = "", cells
        else:
            key, name, unit = cells[0], cells[1], ",".join(cells[2:]).strip(",")
        entries.append([key, name, unit, post, promised])
        lines.append(number)
    made_up = _MadeUpKeys("s", {key for key, *_ in entries if key})
    subjects, problems = [], []
    for (key, name, unit, post, promised), line in zip(entries, lines, strict=True):
        if key and not KEY_RE.fullmatch(key):
            problems.append(Problem(_("The key may only hold letters, digits, '_', '.' and "
                                      "'-'."), field="key", line=line))
        subject = {"key": key or made_up(), "name": name, "unit": unit}
        if post:
            subject["post"] = post
        if promised:
            subject["commitments"] = promised
        subjects.append(subject)
    return subjects, lines, problems


def subjects_text(subjects: list[dict]) -> str:
    """The people as lines :func:`parse_subject_lines` reads back: with
    commas, or tabs when someone has a post or commitments (a unit may hold a
    comma)."""
    if any(s.get("commitments") for s in subjects):
        return "".join(f"{s['key']}\t{s['name']}\t{s.get('unit', '')}\t{s.get('post', '')}\t"
                       f"{'；'.join(s.get('commitments', []))}\n" for s in subjects)
    if any(s.get("post") for s in subjects):
        return "".join(f"{s['key']}\t{s['name']}\t{s.get('unit', '')}\t{s.get('post', '')}\n"
                       for s in subjects)
    return "".join(f"{s['key']},{s['name']},{s.get('unit', '')}\n" for s in subjects)


def read_subjects_upload(storage) -> tuple[list[dict], list[Problem], Roster | None]:
    """A CSV or XLSX upload, read by the domain's table reader; its errors
    keep their row (line) and column.  The roster says which columns were
    read and which were left out, for the preview."""
    suffix = Path(storage.filename or "").suffix.lower()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"subjects{suffix}"
        storage.save(path)
        try:
            roster = read_roster(path)
        except SpecErrors as errors:
            return [], [Problem(spec_message(e), field=e.field, line=e.line)
                        for e in errors.errors], None
    return [{"key": s.key, "name": s.name, "unit": s.unit} | ({"post": s.post} if s.post else {})
            | ({"commitments": list(s.commitments)} if s.commitments else {})
            for s in roster.subjects], [], roster


def subject_problems(errors: list[SpecError], lines: list[int]) -> list[Problem]:
    problems = []
    for error in errors:
        m = re.fullmatch(r"subjects\[(\d+)\]\.?(\w*)(?:\[\d+\])?", error.field or "")
        if m and int(m[1]) < len(lines):
            problems.append(Problem(spec_message(error), field=m[2] or None,
                                    line=lines[int(m[1])]))
        else:
            problems.append(Problem(spec_message(error)))
    return problems
