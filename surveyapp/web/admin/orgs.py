"""The organisation tree (企业 → 党委 → 党支部), for administrators: list it,
create an organisation under another, move one.  Who sees which rounds
follows the tree (services/orgs.py), so this page is where a 党委 gets its
branches.  Secretaries get 404: they cannot even learn the page exists."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from ...services import orgs, users
from ...services.errors import ServiceError
from ..i18n import spec_message
from . import bp
from .forms import OrgCreateForm, OrgMoveForm

TOP = 0  # the "parent" choice for the top of the tree


def admin_only() -> None:
    if current_user.role != "admin":
        abort(404)


def org_choices(*, top: bool) -> list[SelectChoice]:
    """Every organisation, indented under its parent (for a select)."""
    choices = [SelectChoice(TOP, _("(top level)"))] if top else []
    for node in orgs.tree():
        label = f"{node.org.kind} {node.org.name}".strip()
        choices.append(SelectChoice(node.org.id, "\u3000" * node.depth + label))
    return choices


def _page(create: OrgCreateForm | None = None, move: OrgMoveForm | None = None,
          status: int = 200):
    create = create or OrgCreateForm()
    move = move or OrgMoveForm()
    create.parent.choices = org_choices(top=True)
    move.org.choices = org_choices(top=False)
    move.parent.choices = org_choices(top=True)
    people: dict[int, list[str]] = {}
    for user in users.listing():
        if user.org_id is not None and not user.disabled:
            people.setdefault(user.org_id, []).append(user.username)
    return render_template("admin/orgs.html", tree=orgs.tree(), people=people,
                           create=create, move=move), status


@bp.route("/orgs", methods=["GET"])
@login_required
def org_tree():
    admin_only()
    return _page()


@bp.route("/orgs/new", methods=["POST"])
@login_required
def org_create():
    admin_only()
    form = OrgCreateForm()
    form.parent.choices = org_choices(top=True)
    if not form.validate_on_submit():
        return _page(create=form, status=400)
    try:
        org = orgs.create(form.name.data, kind=form.kind.data,
                          parent=orgs.get(form.parent.data or None),
                          actor=current_user.username)
    except ServiceError as error:
        form.name.errors.append(spec_message(error))
        return _page(create=form, status=400)
    flash(_("%(name)s created.", name=orgs.path(org)))
    return redirect(url_for("admin.org_tree"), 303)


@bp.route("/orgs/move", methods=["POST"])
@login_required
def org_move():
    admin_only()
    form = OrgMoveForm()
    form.org.choices = org_choices(top=False)
    form.parent.choices = org_choices(top=True)
    if not form.validate_on_submit():
        return _page(move=form, status=400)
    org = orgs.get(form.org.data)
    try:
        orgs.move(org, orgs.get(form.parent.data or None), actor=current_user.username)
    except ServiceError as error:
        form.parent.errors.append(spec_message(error))
        return _page(move=form, status=400)
    flash(_("%(name)s moved.", name=orgs.path(org)))
    return redirect(url_for("admin.org_tree"), 303)
