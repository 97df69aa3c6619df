"""Creating a round in four short steps, and changing a draft round's settings.

Steps: basics (title, template, scale, access) → voter groups → criteria →
subjects.  Between steps the draft lives in the session as plain data, small
because subjects are entered on the last step only; no round exists in the
database until the last step succeeds.  Each step is checked by the domain's
own spec parser (with placeholders for the parts not entered yet), and its
errors are shown beside the fields they name.

The same forms edit a draft round's settings; once a round is open its
configuration is frozen and edits are refused with 409.
"""

from __future__ import annotations

import copy
import re
import tempfile
from pathlib import Path
from typing import Any

from flask import abort, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from ... import plugins
from ...domain.model import KEY_RE, RoundSpec, SpecError, SpecErrors
from ...domain.spec import spec_from_dict, spec_to_dict
from ...domain.subjects import read_subjects_table
from ...extensions import db
from ...models import Criterion, Organisation, Round, ScaleOption, Subject, VoterCode, VoterGroup
from ...services.rounds import audit, create_round, round_spec
from ..i18n import spec_message
from . import bp
from .access import round_for_user, visible_orgs
from .forms import SPARE_ROWS, BasicsForm, CriteriaForm, GroupsForm, SubjectsForm

WIZARD = "new_round"
STEPS = ("basics", "groups", "criteria", "subjects")
#: Top-level spec keys each step edits; errors elsewhere belong to other steps.
FIELDS = {"basics": {"title", "template", "scale", "access", "anonymity_min"},
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
        mine = [e for e in errors.errors if e.field is None or _top(e.field) in FIELDS[part]]
        return None, mine


def _top(field: str) -> str:
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


def _auto_key(prefix: str, taken: set[str]) -> str:
    n = 1
    while f"{prefix}{n}" in taken:
        n += 1
    taken.add(f"{prefix}{n}")
    return f"{prefix}{n}"


def read_groups(form: GroupsForm) -> tuple[list[dict], list[int], list[Problem]]:
    rows = _rows_in(form, ("key", "label", "weight", "expected"))
    taken = {v["key"] for _, v in rows if v["key"]}
    groups, index, problems = [], [], []
    for i, v in rows:
        group: dict[str, Any] = {"key": v["key"] or _auto_key("g", taken), "label": v["label"],
                                 "weight": v["weight"] or "1"}
        if v["expected"]:
            if v["expected"].isdigit():
                group["expected"] = int(v["expected"])
            else:
                problems.append(Problem(_("Enter a whole number, or leave it empty."),
                                        field=f"rows-{i}-expected"))
        if not v["label"]:
            problems.append(Problem(_("Please enter a name."), field=f"rows-{i}-label"))
        groups.append(group)
        index.append(i)
    return groups, index, problems


def read_criteria(form: CriteriaForm) -> tuple[list[dict], list[int], list[Problem]]:
    rows = _rows_in(form, ("key", "label", "weight", "description"))
    taken = {v["key"] for _, v in rows if v["key"]}
    criteria, index, problems = [], [], []
    for i, v in rows:
        criteria.append({"key": v["key"] or _auto_key("c", taken), "label": v["label"],
                         "weight": v["weight"] or "1", "description": v["description"]})
        if not v["label"]:
            problems.append(Problem(_("Please enter a name."), field=f"rows-{i}-label"))
        index.append(i)
    return criteria, index, problems


def fill_rows(form, items: list[dict], columns: tuple[str, ...]) -> None:
    """Show ``items`` in the row form, plus spare blank rows."""
    while form.rows.entries:
        form.rows.pop_entry()
    for item in items:
        form.rows.append_entry({c: "" if item.get(c) is None else str(item.get(c))
                                for c in columns})
    for _spare in range(SPARE_ROWS):
        form.rows.append_entry()


def add_row_requested() -> bool:
    return request.form.get("action") == "add"


# -- subjects ------------------------------------------------------------------------

def parse_subject_lines(text: str) -> tuple[list[dict], list[int], list[Problem]]:
    """One person per line: ``name``, ``name,unit`` or ``key,name,unit``
    (comma, Chinese comma or tab).  Keys left out are made up (s1, s2, ...)."""
    entries, lines = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cells = [c.strip() for c in _SEPARATORS.split(line)]
        if len(cells) == 1:
            key, name, unit = "", cells[0], ""
        elif len(cells) == 2:
            key, (name, unit) = "", cells
        else:
            key, name, unit = cells[0], cells[1], ",".join(cells[2:]).strip(",")
        entries.append([key, name, unit])
        lines.append(number)
    taken = {key for key, _, _ in entries if key}
    subjects, problems = [], []
    for (key, name, unit), line in zip(entries, lines, strict=True):
        if key and not KEY_RE.fullmatch(key):
            problems.append(Problem(_("The key may only hold letters, digits, '_', '.' and "
                                      "'-'."), field="key", line=line))
        subjects.append({"key": key or _auto_key("s", taken), "name": name, "unit": unit})
    return subjects, lines, problems


def subjects_text(subjects: list[dict]) -> str:
    return "".join(f"{s['key']},{s['name']},{s.get('unit', '')}\n" for s in subjects)


def read_subjects_upload(storage) -> tuple[list[dict], list[Problem]]:
    """A CSV or XLSX upload, read by the domain's table reader; its errors
    keep their row (line) and column."""
    suffix = Path(storage.filename or "").suffix.lower()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"subjects{suffix}"
        storage.save(path)
        try:
            table = read_subjects_table(path)
        except SpecErrors as errors:
            return [], [Problem(spec_message(e), field=e.field, line=e.line)
                        for e in errors.errors]
    return [{"key": s.key, "name": s.name, "unit": s.unit} for s in table], []


def subject_problems(errors: list[SpecError], lines: list[int]) -> list[Problem]:
    problems = []
    for error in errors:
        m = re.fullmatch(r"subjects\[(\d+)\]\.?(\w*)", error.field or "")
        if m and int(m[1]) < len(lines):
            problems.append(Problem(spec_message(error), field=m[2] or None,
                                    line=lines[int(m[1])]))
        else:
            problems.append(Problem(spec_message(error)))
    return problems


def subjects_step(form: SubjectsForm, data_for: Any, *, finish_label: str):
    """Shared by the wizard and the editor.  ``data_for(subjects)`` is the
    whole spec data with these subjects.  Returns ``(spec or None, context)``:
    a spec only when the user asked to finish and everything is valid."""
    action = request.form.get("action", "preview")
    upload = form.subjects_file.data
    problems: list[Problem] = []
    preview: list[dict] | None = None
    source = None
    if request.method == "POST" and not form.validate():
        problems = [Problem(m) for errors in form.errors.values() for m in errors]
    elif request.method == "POST":
        if upload and upload.filename:
            source = upload.filename
            subjects, problems = read_subjects_upload(upload)
            lines = [None] * len(subjects)
            action = "preview"  # a file is always shown before it is saved
            if not problems:
                form.subjects.data = subjects_text(subjects)
        else:
            subjects, lines, problems = parse_subject_lines(form.subjects.data or "")
            if not subjects and not problems:
                problems.append(Problem(_("Enter at least one person, or import a file.")))
        if not problems:
            spec, errors = check(data_for(subjects), "subjects")
            problems = subject_problems(errors, lines)
            if not problems:
                if action == "finish" and spec is not None:
                    return spec, {}
                preview = subjects
    context = {"problems": problems, "preview": preview, "source": source,
               "finish_label": finish_label}
    return None, context


# -- the wizard ----------------------------------------------------------------------

def _choices_for(form: BasicsForm, *, editing: bool) -> None:
    templates = plugins.round_templates()
    form.template.choices = [SelectChoice("", _("None: set everything here"))] + [
        SelectChoice(name, str(t.get("title") or name) if isinstance(t, dict) else name)
        for name, t in sorted(templates.items())]
    first = _("Keep the current scale") if editing else _("The template's scale")
    form.scale.choices = [SelectChoice("", first)] + [
        SelectChoice(name, " / ".join(str(o.get("label")) for o in options) + f" ({name})")
        for name, options in sorted(plugins.grade_scales().items())]
    orgs = visible_orgs(current_user)
    form.org.choices = [SelectChoice(o.id, f"{o.kind} {o.name}".strip()) for o in orgs]


@bp.route("/new", methods=["GET", "POST"], defaults={"step": "basics"})
@bp.route("/new/<step>", methods=["GET", "POST"])
@login_required
def wizard(step: str):
    if step not in STEPS:
        abort(404)
    draft = session.get(WIZARD) or {}
    # A step is reached only after the ones before it, so no placeholder
    # (see draft_data) can end up in a round.
    done = [bool(draft), "groups" in draft, "criteria" in draft]
    missing = next((i for i, ok in enumerate(done) if not ok), len(done))
    if STEPS.index(step) > missing:
        return redirect(url_for("admin.wizard", step=STEPS[missing]))
    return {"basics": _basics, "groups": _groups, "criteria": _criteria,
            "subjects": _subjects}[step](draft)


def _render_step(step: str, form, status: int | None = None, **context):
    if status is None:
        status = 400 if request.method == "POST" else 200
    return render_template("admin/wizard.html", step=step, steps=STEPS, form=form,
                           mode="new", **context), status


def _basics(draft: dict):
    form = BasicsForm(data={k: draft[k] for k in FIELDS["basics"] | {"org"} if k in draft}
                      if request.method == "GET" else None)
    _choices_for(form, editing=False)
    if current_user.role != "admin" or not form.org.choices:
        del form.org  # a secretary's rounds belong to their own organisation
    loose: list[str] = []
    if form.validate_on_submit():
        new = {"title": form.title.data.strip(), "template": form.template.data or None,
               "scale": form.scale.data or None, "access": form.access.data,
               "anonymity_min": form.anonymity_min.data,
               "org": form.org.data if "org" in form else current_user.org_id}
        if not new["template"] and not new["scale"]:
            form.scale.errors.append(_("Without a template, please choose a grade scale."))
        else:
            if draft.get("template") == new["template"]:  # keep what the later steps hold
                new |= {k: draft[k] for k in ("groups", "criteria") if k in draft}
            spec, errors = check(draft_data(new), "basics")
            loose = attach(form, [Problem(spec_message(e), field=_top(e.field or "") or None)
                                  for e in errors])
            if not errors:
                session[WIZARD] = new
                return redirect(url_for("admin.wizard", step="groups"))
    return _render_step("basics", form, loose=loose)


GROUP_COLUMNS = ("key", "label", "weight", "expected")
CRITERION_COLUMNS = ("key", "label", "weight", "description")


def _groups(draft: dict):
    form = GroupsForm()
    if request.method == "GET":
        items = draft.get("groups")
        if items is None:
            items = template_part(draft.get("template"), "groups") or [
                {"key": "members", "label": _("Party members"), "weight": 1}]
        fill_rows(form, items, GROUP_COLUMNS)
        return _render_step("groups", form, loose=[])
    loose: list[str] = []
    if form.validate_on_submit():
        groups, index, problems = read_groups(form)
        if add_row_requested():
            form.rows.append_entry()
            return _render_step("groups", form, status=200, loose=[])
        spec, errors = check(draft_data({**draft, "groups": groups}), "groups")
        problems += row_problems(errors, "groups", index)
        if not groups:
            problems.append(Problem(_("At least one voter group is needed.")))
        loose = attach(form, problems)
        if not problems:
            session[WIZARD] = {**draft, "groups": groups}
            return redirect(url_for("admin.wizard", step="criteria"))
    return _render_step("groups", form, loose=loose)


def _criteria(draft: dict):
    form = CriteriaForm()
    if request.method == "GET":
        items = draft.get("criteria")
        if items is None:
            items = template_part(draft.get("template"), "criteria") or []
        fill_rows(form, items, CRITERION_COLUMNS)
        return _render_step("criteria", form, loose=[])
    loose: list[str] = []
    if form.validate_on_submit():
        criteria, index, problems = read_criteria(form)
        if add_row_requested():
            form.rows.append_entry()
            return _render_step("criteria", form, status=200, loose=[])
        spec, errors = check(draft_data({**draft, "criteria": criteria}), "criteria")
        problems += row_problems(errors, "criteria", index)
        loose = attach(form, problems)
        if not problems:
            session[WIZARD] = {**draft, "criteria": criteria}
            return redirect(url_for("admin.wizard", step="subjects"))
    return _render_step("criteria", form, loose=loose)


def _subjects(draft: dict):
    form = SubjectsForm()
    spec, context = subjects_step(form, lambda subjects: draft_data(draft, subjects=subjects),
                                  finish_label=_("Create the round"))
    if spec is not None:
        round_ = create_round(spec, actor=current_user.username, org=_draft_org(draft))
        session.pop(WIZARD, None)
        return redirect(url_for("admin.round_detail", slug=round_.slug))
    status = 400 if context["problems"] else 200
    return _render_step("subjects", form, status=status, **context)


def _draft_org(draft: dict) -> Organisation | None:
    allowed = {o.id: o for o in visible_orgs(current_user)}
    org = allowed.get(draft.get("org")) or allowed.get(current_user.org_id)
    if org is None and current_user.role != "admin":
        abort(403)  # a secretary without an organisation cannot own rounds
    return org


# -- editing a draft round ---------------------------------------------------------------

def frozen_response(round_: Round):
    """409: the configuration froze when the round opened."""
    return render_template("admin/frozen.html", round=round_), 409


@bp.route("/rounds/<slug>/edit/<part>", methods=["GET", "POST"])
@login_required
def edit_round(slug: str, part: str):
    round_ = round_for_user(slug)
    if part not in STEPS:
        abort(404)
    if round_.is_frozen:
        return frozen_response(round_)
    data = spec_to_dict(round_spec(round_))
    handler = {"basics": _edit_basics, "groups": _edit_rows, "criteria": _edit_rows,
               "subjects": _edit_subjects}[part]
    return handler(round_, data, part)


def _render_edit(round_: Round, part: str, form, status: int | None = None, **context):
    if status is None:
        status = 400 if request.method == "POST" else 200
    return render_template("admin/wizard.html", step=part, steps=STEPS, form=form,
                           mode="edit", round=round_, **context), status


def _edit_basics(round_: Round, data: dict, part: str):
    form = BasicsForm(data={"title": round_.title, "anonymity_min": round_.anonymity_min,
                            "access": round_.access} if request.method == "GET" else None)
    _choices_for(form, editing=True)
    for name in ("template", "access", "org"):
        del form[name]  # fixed once a round exists: codes or links may be out already
    loose: list[str] = []
    if form.validate_on_submit():
        data |= {"title": form.title.data.strip(), "anonymity_min": form.anonymity_min.data}
        if form.scale.data:
            data["scale"] = form.scale.data
        spec, errors = check(data, "basics")
        loose = attach(form, [Problem(spec_message(e), field=_top(e.field or "") or None)
                              for e in errors])
        if spec is not None:
            apply_settings(round_, spec, part)
            return redirect(url_for("admin.round_detail", slug=round_.slug))
    return _render_edit(round_, part, form, loose=loose)


def _edit_rows(round_: Round, data: dict, part: str):
    form_class, columns, read = {
        "groups": (GroupsForm, GROUP_COLUMNS, read_groups),
        "criteria": (CriteriaForm, CRITERION_COLUMNS, read_criteria)}[part]
    form = form_class()
    if request.method == "GET":
        fill_rows(form, data[part], columns)
        return _render_edit(round_, part, form, loose=[])
    loose: list[str] = []
    if form.validate_on_submit():
        items, index, problems = read(form)
        if add_row_requested():
            form.rows.append_entry()
            return _render_edit(round_, part, form, status=200, loose=[])
        spec, errors = check({**data, part: items}, part)
        problems += row_problems(errors, part, index)
        if part == "groups" and not items:
            problems.append(Problem(_("At least one voter group is needed.")))
        if spec is not None and not problems:
            problems = [Problem(m) for m in removed_groups_with_codes(round_, spec)]
        loose = attach(form, problems)
        if spec is not None and not problems:
            apply_settings(round_, spec, part)
            return redirect(url_for("admin.round_detail", slug=round_.slug))
    return _render_edit(round_, part, form, loose=loose)


def _edit_subjects(round_: Round, data: dict, part: str):
    form = SubjectsForm()
    if request.method == "GET":
        form.subjects.data = subjects_text(data["subjects"])
        return _render_edit(round_, part, form, problems=[], preview=None, source=None,
                            finish_label=_("Save the people"))
    spec, context = subjects_step(form, lambda subjects: {**data, "subjects": subjects},
                                  finish_label=_("Save the people"))
    if spec is not None:
        apply_settings(round_, spec, part)
        return redirect(url_for("admin.round_detail", slug=round_.slug))
    return _render_edit(round_, part, form, status=400 if context["problems"] else 200,
                        **context)


def removed_groups_with_codes(round_: Round, spec: RoundSpec) -> list[str]:
    keep = {g.key for g in spec.groups}
    messages = []
    for group in round_.groups:
        if group.key in keep:
            continue
        issued = db.session.scalar(select(func.count()).select_from(VoterCode)
                                   .where(VoterCode.group_id == group.id))
        if issued:
            messages.append(_("Group “%(group)s” already has %(count)d codes, so it cannot be "
                              "removed.", group=group.label, count=issued))
    return messages


def apply_settings(round_: Round, spec: RoundSpec, part: str) -> None:
    """Write a validated spec's ``part`` into a draft round, matching rows by
    key so ids (which codes point at) survive, and commit.  A draft round
    has no ballots, so criteria, subjects and options can change freely."""
    if round_.is_frozen:
        raise RuntimeError("settings of an open round are frozen")
    if part == "basics":
        round_.title = spec.title
        round_.anonymity_min = spec.anonymity_min
        round_.options = _sync(round_.options, spec.options, ScaleOption, lambda row, o: (
            setattr(row, "label", o.label),
            setattr(row, "points", None if o.points is None else str(o.points))))
    elif part == "groups":
        round_.groups = _sync(round_.groups, spec.groups, VoterGroup, lambda row, g: (
            setattr(row, "label", g.label), setattr(row, "weight", str(g.weight)),
            setattr(row, "expected", g.expected)))
    elif part == "criteria":
        round_.criteria = _sync(round_.criteria, spec.criteria, Criterion, lambda row, c: (
            setattr(row, "label", c.label), setattr(row, "weight", str(c.weight)),
            setattr(row, "description", c.description)))
    elif part == "subjects":
        round_.subjects = _sync(round_.subjects, spec.subjects, Subject, lambda row, s: (
            setattr(row, "name", s.name), setattr(row, "unit", s.unit)))
    audit("round.edit", current_user.username, round_, part)
    db.session.commit()


def _sync(rows: list, items, model, update) -> list:
    by_key = {row.key: row for row in rows}
    kept = []
    for position, item in enumerate(items):
        row = by_key.pop(item.key, None) or model(key=item.key)
        update(row, item)
        row.position = position
        kept.append(row)
    return kept  # rows left in by_key are deleted as orphans
