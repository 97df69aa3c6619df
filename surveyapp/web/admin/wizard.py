"""Creating a round in four short steps, and changing a draft round's settings.

Steps: basics (title, template, scale, access) → voter groups → criteria →
subjects.  Between steps the draft lives in the session as plain data, small
because subjects are entered on the last step only; no round exists in the
database until the last step succeeds.  The same steps edit a draft round's
settings; once a round is open its configuration is frozen and edits are
refused with 409.  Form ↔ spec conversion is :mod:`.drafts`; this module
holds the views, and one handler serves every row step (groups, criteria)
in both modes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from ... import plugins
from ...domain.model import RoundSpec, SpecError, SpecErrors
from ...domain.spec import spec_to_dict
from ...models import Organisation, Round
from ...services import deadlines, orgs, rounds
from ...services.errors import RoundError
from ..i18n import spec_message
from . import bp
from .access import round_for_user
from .drafts import (
    FIELDS,
    STEPS,
    Problem,
    attach,
    check,
    draft_data,
    fill_rows,
    parse_subject_lines,
    read_rows,
    read_subjects_upload,
    row_kinds,
    row_problems,
    subject_problems,
    subjects_text,
    template_part,
    top_key,
)
from .forms import BasicsForm, CriteriaForm, GroupsForm, SubjectsForm, moment_text

WIZARD = "new_round"
ROW_FORMS = {"groups": GroupsForm, "criteria": CriteriaForm}


@dataclass
class Mode:
    """Where a step's data comes from and goes: the new-round draft in the
    session, or a draft round in the database."""

    name: str  # "new" | "edit"
    data_for: Callable[[str, object], dict]  # (part, value) -> whole spec data
    save: Callable[[str, RoundSpec, object], object]  # (part, spec, value) -> response
    round: Round | None = None


def _render(mode: Mode, step: str, form, status: int | None = None, **context):
    if status is None:
        status = 400 if request.method == "POST" else 200
    return render_template("admin/wizard.html", step=step, steps=STEPS, form=form,
                           mode=mode.name, round=mode.round, **context), status


# -- the steps, shared by both modes ------------------------------------------------------

def row_step(mode: Mode, part: str, items: list[dict]):
    """Groups or criteria as rows: show them, add a row, or check and save."""
    kind = row_kinds()[part]
    form = ROW_FORMS[part]()
    if request.method == "GET":
        fill_rows(form, items, kind.columns)
        return _render(mode, part, form, loose=[])
    loose: list[str] = []
    if form.validate_on_submit():
        if request.form.get("action") == "add":
            if len(form.rows) < form.rows.max_entries:
                form.rows.append_entry()
            return _render(mode, part, form, status=200, loose=[])
        before = {item.get("key"): item for item in items}
        items, index, problems = read_rows(form, kind)
        for item in items:
            # What the rows do not edit (a group's rates, a criterion's
            # sub-items, set in a spec file) stays with its key.
            item |= {k: v for k, v in before.get(item["key"], {}).items()
                     if k in ("rates", "items")}
        spec, errors = check(mode.data_for(part, items), part)
        problems += row_problems(errors, part, index)
        if spec is not None and not problems:
            try:
                return mode.save(part, spec, items)
            except RoundError as error:  # e.g. a removed group has codes
                problems.append(Problem(spec_message(error)))
        loose = attach(form, problems)
    return _render(mode, part, form, loose=loose)


def subjects_step(mode: Mode, initial: list[dict] | None, *, finish_label: str):
    """The people, typed one per line or imported from a table; a file is
    always previewed before it is saved."""
    form = SubjectsForm()
    context = {"problems": [], "preview": None, "source": None, "finish_label": finish_label,
               "roster": None}
    if request.method == "GET":
        if initial is not None:
            form.subjects.data = subjects_text(initial)
        return _render(mode, "subjects", form, **context)
    action = request.form.get("action", "preview")
    upload = form.subjects_file.data
    problems: list[Problem] = []
    if not form.validate():
        problems = [Problem(m) for errors in form.errors.values() for m in errors]
    else:
        if upload and upload.filename:
            context["source"] = upload.filename
            subjects, problems, roster = read_subjects_upload(upload)
            context["roster"] = roster
            if roster is not None:
                words = {"name": _("the name"), "unit": _("the unit"), "post": _("the post"),
                         "key": _("the key"), "commitments": _("the commitments")}
                context["roster_columns"] = [_("“%(header)s” as %(what)s", header=header,
                                               what=words[column])
                                             for column, header in roster.columns.items()]
            lines = [None] * len(subjects)
            action = "preview"
            if not problems:
                form.subjects.data = subjects_text(subjects)
        else:
            subjects, lines, problems = parse_subject_lines(form.subjects.data or "")
            if not subjects and not problems:
                problems.append(Problem(_("Enter at least one person, or import a file.")))
        if not problems:
            spec, errors = check(mode.data_for("subjects", subjects), "subjects")
            problems = subject_problems(errors, lines)
            if not problems:
                if action == "finish" and spec is not None:
                    try:
                        return mode.save("subjects", spec, subjects)
                    except RoundError as error:  # changed meanwhile (opened)
                        problems.append(Problem(spec_message(error)))
                else:
                    context["preview"] = subjects
    context["problems"] = problems
    return _render(mode, "subjects", form, status=400 if problems else 200, **context)


def template_title(name: str | None) -> str:
    """The title a template offers, for a round left untitled."""
    template = plugins.round_templates().get(name or "")
    return str(template.get("title") or "").strip() if isinstance(template, dict) else ""


def scale_labels(scales: dict) -> dict[str, str]:
    """Each scale in words, as its grades (“优秀 / 合格 / 基本合格 / 不合格”):
    never its key.  Scales with the same grades are told apart by their
    points (“满意 100 / 基本满意 75 / …”, “不了解” as not scored)."""
    def grades(options, points: bool) -> str:
        parts = []
        for o in options:
            label = str(o.get("label"))
            if points:
                value = o.get("points")
                label += f" {value}" if value is not None else f" ({_('not scored')})"
            parts.append(label)
        return " / ".join(parts)

    plain = {name: grades(options, False) for name, options in scales.items()}
    seen = list(plain.values())
    return {name: text if seen.count(text) == 1 else grades(scales[name], True)
            for name, text in plain.items()}


def _choices_for(form: BasicsForm, *, editing: bool) -> None:
    templates = plugins.round_templates()
    # data-title: the title admin.js fills in when a template is chosen.
    form.template.choices = [SelectChoice("", _("None: set everything here"))] + [
        SelectChoice(name, str(t.get("title") or name) if isinstance(t, dict) else name,
                     render_kw={"data-title": template_title(name)})
        for name, t in sorted(templates.items(), key=lambda item: template_title(item[0]))]
    first = _("Keep the current scale") if editing else _("The template's scale")
    labels = scale_labels(plugins.grade_scales())
    form.scale.choices = [SelectChoice("", first)] + [
        SelectChoice(name, label) for name, label in sorted(labels.items(), key=lambda i: i[1])]
    form.org.choices = [SelectChoice(o.id, f"{o.kind} {o.name}".strip())
                        for o in orgs.visible_orgs(current_user)]


def _deadline_problems(spec: RoundSpec | None) -> list[SpecError]:
    """Deadlines already past, or out of order once in UTC (services/deadlines.py)."""
    if spec is None:
        return []
    try:
        deadlines.check(spec, source="form")
    except SpecErrors as errors:
        return errors.errors
    return []


def _basics_problems(errors) -> list[Problem]:
    return [Problem(spec_message(e), field=top_key(e.field or "") or None) for e in errors]


# -- a new round ------------------------------------------------------------------------------

def _new_mode(draft: dict) -> Mode:
    def data_for(part: str, value) -> dict:
        if part == "subjects":
            return draft_data(draft, subjects=value)
        return draft_data({**draft, part: value})

    def save(part: str, spec: RoundSpec, value):
        if part == "subjects":
            try:
                round_ = rounds.create_round(spec, actor=current_user.username,
                                             org=_draft_org(draft))
            except SpecErrors as errors:  # e.g. a deadline passed while the wizard was open
                for error in errors.errors:
                    flash(spec_message(error, located=True))
                return redirect(url_for("admin.wizard", step="basics"))
            session.pop(WIZARD, None)
            return redirect(url_for("admin.round_detail", slug=round_.slug))
        session[WIZARD] = {**draft, part: value}
        return redirect(url_for("admin.wizard", step=STEPS[STEPS.index(part) + 1]))

    return Mode("new", data_for, save)


@bp.route("/new", methods=["GET", "POST"], defaults={"step": "basics"})
@bp.route("/new/<step>", methods=["GET", "POST"])
@login_required
def wizard(step: str):
    if step not in STEPS:
        abort(404)
    draft = session.get(WIZARD) or {}
    # A step is reached only after the ones before it, so no placeholder
    # (see drafts.draft_data) can end up in a round.
    done = [bool(draft), "groups" in draft, "criteria" in draft]
    missing = next((i for i, ok in enumerate(done) if not ok), len(done))
    if STEPS.index(step) > missing:
        return redirect(url_for("admin.wizard", step=STEPS[missing]))
    mode = _new_mode(draft)
    if step == "basics":
        return _new_basics(mode, draft)
    if step == "subjects":
        return subjects_step(mode, None, finish_label=_("Create the round"))
    items = draft.get(step)
    if items is None:
        items = template_part(draft.get("template"), step) or (
            [{"key": "members", "label": _("Party members"), "weight": 1}]
            if step == "groups" else [])
    return row_step(mode, step, items)


def _new_basics(mode: Mode, draft: dict):
    form = BasicsForm(data={k: draft[k] for k in FIELDS["basics"] | {"org"} if k in draft}
                      if request.method == "GET" else None)
    _choices_for(form, editing=False)
    if current_user.role != "admin" or not form.org.choices:
        del form.org  # a secretary's rounds belong to their own organisation
    loose: list[str] = []
    if request.method == "POST" and not (form.title.data or "").strip():
        # A template names its rounds: left untitled, the round takes that name.
        form.title.data = template_title(form.template.data if form.template.data else None)
    if form.validate_on_submit():
        new = {"title": form.title.data.strip(), "template": form.template.data or None,
               "scale": form.scale.data or None, "access": form.access.data,
               "anonymity_min": form.anonymity_min.data,
               "opens_at": moment_text(form.opens_at.data),
               "closes_at": moment_text(form.closes_at.data),
               "org": form.org.data if "org" in form else current_user.org_id}
        if not new["template"] and not new["scale"]:
            form.scale.errors.append(_("Without a template, please choose a grade scale."))
        else:
            if draft.get("template") == new["template"]:  # keep what the later steps hold
                new |= {k: draft[k] for k in ("groups", "criteria") if k in draft}
            spec, errors = check(draft_data(new), "basics")
            errors += _deadline_problems(spec)
            loose = attach(form, _basics_problems(errors))
            if not errors:
                session[WIZARD] = new
                return redirect(url_for("admin.wizard", step="groups"))
    return _render(mode, "basics", form, loose=loose)


def _draft_org(draft: dict) -> Organisation | None:
    allowed = {o.id: o for o in orgs.visible_orgs(current_user)}
    org = allowed.get(draft.get("org")) or allowed.get(current_user.org_id)
    if org is None and current_user.role != "admin":
        abort(403)  # a secretary without an organisation cannot own rounds
    return org


# -- editing a draft round ---------------------------------------------------------------

def _edit_mode(round_: Round, data: dict) -> Mode:
    def save(part: str, spec: RoundSpec, _value):
        rounds.update_settings(round_, spec, part, actor=current_user.username)
        return redirect(url_for("admin.round_detail", slug=round_.slug))

    return Mode("edit", lambda part, value: {**data, part: value}, save, round_)


@bp.route("/rounds/<slug>/edit/<part>", methods=["GET", "POST"])
@login_required
def edit_round(slug: str, part: str):
    round_ = round_for_user(slug)
    if part not in STEPS:
        abort(404)
    if round_.is_frozen:
        return render_template("admin/frozen.html", round=round_), 409
    data = spec_to_dict(rounds.round_spec(round_))
    mode = _edit_mode(round_, data)
    if part == "basics":
        return _edit_basics(mode, round_, data)
    if part == "subjects":
        return subjects_step(mode, data["subjects"], finish_label=_("Save the people"))
    return row_step(mode, part, data[part])


def _edit_basics(mode: Mode, round_: Round, data: dict):
    form = BasicsForm(data={"title": round_.title, "anonymity_min": round_.anonymity_min,
                            "access": round_.access,
                            "opens_at": deadlines.local(round_.opens_at),
                            "closes_at": deadlines.local(round_.closes_at)}
                      if request.method == "GET" else None)
    _choices_for(form, editing=True)
    for name in ("template", "access", "org"):
        del form[name]  # fixed once a round exists: codes or links may be out already
    loose: list[str] = []
    if form.validate_on_submit():
        data |= {"title": form.title.data.strip(), "anonymity_min": form.anonymity_min.data,
                 "opens_at": moment_text(form.opens_at.data),
                 "closes_at": moment_text(form.closes_at.data)}
        if form.scale.data:
            data["scale"] = form.scale.data
        spec, errors = check(data, "basics")
        if spec is not None and (spec.opens_at, spec.closes_at) != (
                deadlines.local(round_.opens_at), deadlines.local(round_.closes_at)):
            errors += _deadline_problems(spec)
            spec = None if errors else spec
        loose = attach(form, _basics_problems(errors))
        if spec is not None:
            try:
                return mode.save("basics", spec, None)
            except RoundError as error:  # changed meanwhile (opened)
                loose.append(spec_message(error))
    return _render(mode, "basics", form, loose=loose)
