"""A draft round's settings that the wizard's rows do not edit: the
``[rules]`` (a form made from the settings the installed plugins declare),
who rates whom (each voter group's ``rates``) and the criteria's sub-items
with their points.  Each page reads the form into spec data, checks the
whole round with the parser and the plugins' rehearsal that a spec file goes
through (``surveyapp rounds create``), shows each refusal beside its field
(400) and saves nothing unless all is well.  Frozen rounds refuse (409)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from ... import plugins
from ...domain import rule_settings
from ...domain.model import UNIT_PREFIX, RoundSpec, SpecError, SpecErrors
from ...domain.spec import spec_from_dict, spec_to_dict
from ...models import Round
from ...services import rounds
from ...services.errors import RoundError
from ..i18n import spec_message
from . import bp
from .access import round_for_user

_SEPARATORS = re.compile(r"\t|,|，")
NUMBER_EXAMPLES = "4, 0.3, 1/3, 30%"


class CsrfForm(FlaskForm):
    """The form token alone: the fields are read from ``request.form``."""


@dataclass
class Errors:
    """Messages by form field, and those that fit none."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    loose: list[str] = field(default_factory=list)

    def add(self, name: str | None, message: str) -> None:
        if name is None:
            self.loose.append(message)
        else:
            self.fields.setdefault(name, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.fields or self.loose)


def check(data: dict) -> tuple[RoundSpec | None, list[SpecError]]:
    """The round as edited, checked as a spec file is at creation."""
    try:
        spec = spec_from_dict(data, source="form", **plugins.spec_context())
        plugins.rehearse(spec, source="form")
    except SpecErrors as errors:
        return None, errors.errors
    return spec, []


def settings_page(view):
    """A draft's settings page: the view gets the round (404 outside the
    user's subtree), its spec, the CSRF form and an empty error list; a
    frozen round gets 409 instead."""
    @functools.wraps(view)
    def page(slug: str):
        round_ = round_for_user(slug)
        if round_.is_frozen:
            return render_template("admin/frozen.html", round=round_), 409
        return view(round_, rounds.round_spec(round_), CsrfForm(), Errors())
    return page


def _save(round_: Round, spec: RoundSpec, part: str, errors: Errors):
    try:
        rounds.update_settings(round_, spec, part, actor=current_user.username)
    except RoundError as error:  # opened meanwhile
        errors.add(None, spec_message(error))
        return None
    except SpecErrors as refused:
        for error in refused.errors:
            errors.add(None, spec_message(error))
        return None
    return redirect(url_for("admin.round_detail", slug=round_.slug))


def _submit(round_: Round, form: CsrfForm, errors: Errors, data: dict, part: str,
            place: Callable[[SpecError], tuple[str | None, str]]):
    """One settings page's POST: the round as edited (``data``, the whole
    spec) checked as at creation, each problem put where ``place`` says, and
    ``part`` saved if none; the redirect, or None to show the page again."""
    if not form.validate_on_submit():
        errors.add(None, _("The form expired; please send it again."))
        return None
    if errors:  # the page's own reading of the form found problems
        return None
    checked, problems = check(data)
    for problem in problems:
        errors.add(*place(problem))
    if checked is None or errors:
        return None
    return _save(round_, checked, part, errors)


# -- [rules] ---------------------------------------------------------------------------

@dataclass
class RuleRow:
    """One setting on the form: what it is, what is typed, its default."""

    setting: rule_settings.RuleSetting
    text: str = ""
    per_option: dict[str, str] = field(default_factory=dict)
    default: str = ""


def rule_rows(spec: RoundSpec, values: dict) -> list[RuleRow]:
    """Every declared setting, with the round's value (``values``) as text."""
    rows = []
    for name, setting in sorted(plugins.rule_settings().items()):
        value = values.get(name)
        empty = setting.default is None or setting.default in ([], {})
        row = RuleRow(setting, default="" if empty else rule_settings.shown(setting,
                                                                           setting.default))
        if setting.kind == "options":
            mapping = value if isinstance(value, dict) else {}
            row.per_option = {o.key: rule_settings.shown(
                rule_settings.RuleSetting(name, "", "value"), mapping.get(o.key))
                for o in spec.options}
            if value is not None and not isinstance(value, dict):
                row.text = rule_settings.toml_value(value)
        else:
            row.text = rule_settings.shown(setting, value)
        rows.append(row)
    return rows


def read_rules(spec: RoundSpec, form, errors: Errors) -> dict:
    """The posted settings as ``[rules]`` data; an empty field leaves the
    setting unset (its default applies).  Rules the round holds that no
    installed plugin declares are kept as they are."""
    declared = plugins.rule_settings()
    rules = {k: v for k, v in spec.rules.items() if k not in declared}
    for name, setting in declared.items():
        if setting.kind == "options":
            mapping = {}
            for option in spec.options:
                text = (form.get(f"rule-{name}-{option.key}") or "").strip()
                if not text:
                    continue
                try:
                    mapping[option.key] = rule_settings.number(text)
                except ValueError:
                    errors.add(f"rule-{name}-{option.key}", _reason("share", None))
            if mapping:
                rules[name] = mapping
            continue
        try:
            value = rule_settings.read(setting, form.get(f"rule-{name}") or "")
        except ValueError as error:
            errors.add(f"rule-{name}", _reason(setting.kind, error))
            continue
        if value is not None:
            rules[name] = value
    return rules


def _reason(kind: str, error: ValueError | None) -> str:
    """Why a typed value cannot be read, in the page's language."""
    if kind in ("number", "share"):
        return _("Enter a number such as %(examples)s.", examples=NUMBER_EXAMPLES)
    if kind in ("boolean", "choice"):
        return _("Choose one of the offered values.")
    return _("Enter a value as in a round file (TOML): %(reason)s", reason=str(error))


def rule_field(error: SpecError) -> str | None:
    """The form field a spec error names: ``rules.per_ballot_max.excellent``
    is that option's input; ``rules.veto_caps[0].cap`` the rule's."""
    m = re.match(r"rules\.(\w[\w-]*)(?:\.(\w[\w-]*))?", error.field or "")
    if not m:
        return None
    setting = plugins.rule_settings().get(m[1])
    if setting is None:
        return None
    if setting.kind == "options" and m[2]:
        return f"rule-{m[1]}-{m[2]}"
    return f"rule-{m[1]}"


@bp.route("/rounds/<slug>/rules", methods=["GET", "POST"])
@login_required
@settings_page
def edit_rules(round_: Round, spec: RoundSpec, form: CsrfForm, errors: Errors):
    values = spec.rules
    if request.method == "POST":
        values = read_rules(spec, request.form, errors)
        saved = _submit(round_, form, errors, spec_to_dict(spec) | {"rules": values}, "rules",
                        lambda problem: (rule_field(problem), spec_message(problem)))
        if saved is not None:
            return saved
    rows = rule_rows(spec, values)
    if request.method == "POST":  # show what was typed, not what is stored
        for row in rows:
            name = row.setting.name
            row.text = request.form.get(f"rule-{name}", row.text)
            for key in row.per_option:
                row.per_option[key] = request.form.get(f"rule-{name}-{key}", "")
    return render_template("admin/settings_rules.html", round=round_, form=form, rows=rows,
                           options=spec.options, errors=errors,
                           examples=NUMBER_EXAMPLES), 400 if errors else 200


# -- who rates whom ----------------------------------------------------------------------

def read_rates(spec: RoundSpec, form) -> list[dict]:
    """Each group's ``rates`` from the form: everyone (no ``rates``), or the
    ticked units and people."""
    groups = spec_to_dict(spec)["groups"]
    for i, group in enumerate(groups):
        group.pop("rates", None)
        if form.get(f"rates-{i}-mode") == "some":
            group["rates"] = form.getlist(f"rates-{i}")
    return groups


def group_field(error: SpecError) -> str | None:
    m = re.match(r"groups\[(\d+)\]\.rates", error.field or "")
    return f"rates-{m[1]}" if m else None


@bp.route("/rounds/<slug>/rates", methods=["GET", "POST"])
@login_required
@settings_page
def edit_rates(round_: Round, spec: RoundSpec, form: CsrfForm, errors: Errors):
    chosen = {g.key: (None if g.rates is None else set(g.rates)) for g in spec.groups}
    if request.method == "POST":
        groups = read_rates(spec, request.form)
        chosen = {g["key"]: (set(g["rates"]) if "rates" in g else None) for g in groups}
        saved = _submit(round_, form, errors, spec_to_dict(spec) | {"groups": groups}, "groups",
                        lambda problem: (group_field(problem), spec_message(problem)))
        if saved is not None:
            return saved
    units = sorted({s.unit for s in spec.subjects if s.unit})
    return render_template("admin/settings_rates.html", round=round_, form=form, spec=spec,
                           units=units, chosen=chosen, unit_prefix=UNIT_PREFIX,
                           errors=errors), 400 if errors else 200


# -- criteria sub-items ----------------------------------------------------------------

def items_text(items) -> str:
    return "".join(f"{i.key},{i.label},{rule_settings.shown(_PLAIN, _points(i.points))}\n"
                   for i in items)


_PLAIN = rule_settings.RuleSetting("points", "", "value")


def _points(value) -> int | str:
    return int(value) if value.denominator == 1 else str(value)


def read_items(text: str) -> tuple[list[dict], list[int], list[str]]:
    """One sub-item per line: ``label,points`` or ``key,label,points``.
    Keys left out are made up (i1, i2, ...).  Returns the items, the line
    each came from and what is wrong with the lines on their own."""
    items, lines, problems = [], [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cells = [c.strip() for c in _SEPARATORS.split(line)]
        if len(cells) == 2:
            key, (label, points) = "", cells
        elif len(cells) == 3:
            key, label, points = cells
        else:
            problems.append(_("Line %(line)d: write “name, points” or “key, name, points”.",
                              line=number))
            continue
        items.append({"key": key, "label": label, "points": _number(points)})
        lines.append(number)
    taken = {item["key"] for item in items if item["key"]}
    n = 0
    for item in items:
        while not item["key"]:
            n += 1
            if f"i{n}" not in taken:
                item["key"] = f"i{n}"
    return items, lines, problems


def _number(text: str) -> Any:
    try:
        return rule_settings.number(text)
    except ValueError:
        return text  # the parser refuses it, naming the field


def item_field(error: SpecError, lines: dict[int, list[int]]) -> tuple[str | None, str]:
    m = re.match(r"criteria\[(\d+)\]\.items(?:\[(\d+)\])?", error.field or "")
    if not m:
        return None, spec_message(error)
    criterion = int(m[1])
    message = spec_message(error)
    if m[2] is not None and int(m[2]) < len(lines.get(criterion, [])):
        message = _("Line %(line)d: %(message)s", line=lines[criterion][int(m[2])],
                    message=message)
    return f"items-{criterion}", message


@bp.route("/rounds/<slug>/items", methods=["GET", "POST"])
@login_required
@settings_page
def edit_items(round_: Round, spec: RoundSpec, form: CsrfForm, errors: Errors):
    texts = {i: items_text(c.items) for i, c in enumerate(spec.criteria)}
    totals = {i: c.points for i, c in enumerate(spec.criteria)}
    if request.method == "POST":
        texts = {i: request.form.get(f"items-{i}", "") for i in range(len(spec.criteria))}
        criteria = spec_to_dict(spec)["criteria"]
        lines: dict[int, list[int]] = {}
        for i, criterion in enumerate(criteria):
            items, lines[i], problems = read_items(texts[i])
            for problem in problems:
                errors.add(f"items-{i}", problem)
            criterion.pop("items", None)
            if items:
                criterion["items"] = items
        saved = _submit(round_, form, errors, spec_to_dict(spec) | {"criteria": criteria},
                        "criteria", lambda problem: item_field(problem, lines))
        if saved is not None:
            return saved
    return render_template("admin/settings_items.html", round=round_, form=form, spec=spec,
                           texts=texts, totals=totals, errors=errors), 400 if errors else 200


# -- the round page's summary ----------------------------------------------------------

@bp.app_template_global()
def relations_summary(round_: Round) -> dict:
    """What the round page says about who rates whom, the sub-items and the
    rules, for a draft's links to these pages."""
    spec = rounds.round_spec(round_)
    return {"groups": [(g, len(spec.rated(g.key)), g.rates is None) for g in spec.groups],
            "subjects": len(spec.subjects),
            "criteria": [(c, len(c.items), c.points) for c in spec.criteria]}
