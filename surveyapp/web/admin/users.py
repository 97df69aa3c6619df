"""Organiser accounts, for administrators: list them, create one for an
organisation (a branch's secretary), assign it to another, reset its
password, disable or enable it.  The same services as ``surveyapp users``."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...services import orgs, users
from ...services.errors import ServiceError
from ..i18n import spec_message
from . import bp
from .forms import ConfirmForm, UserAssignForm, UserCreateForm, UserPasswordForm
from .orgs import admin_only, org_choices


def _page(create: UserCreateForm | None = None, status: int = 200, *, failed=None):
    create = create or UserCreateForm()
    create.org.choices = org_choices(top=False)
    listed = users.listing()
    forms = {}
    for user in listed:
        assign = UserAssignForm(prefix=f"u{user.id}", data={"org": user.org_id})
        assign.org.choices = org_choices(top=False)
        forms[user.id] = (assign, UserPasswordForm(prefix=f"p{user.id}"))
    if failed is not None:
        user_id, index, form = failed
        forms[user_id] = tuple(form if i == index else f for i, f in enumerate(forms[user_id]))
    paths = {o.org.id: orgs.path(o.org) for o in orgs.tree()}
    return render_template("admin/users.html", users=listed, paths=paths, forms=forms,
                           create=create, confirm=ConfirmForm()), status


def _user(user_id: str):
    """The account by its id in the URL (a plain string route, so every
    malformed id is a 404 like an unknown one)."""
    user = users.get(int(user_id)) if user_id.isdigit() else None
    if user is None:
        abort(404)
    return user


@bp.route("/users", methods=["GET"])
@login_required
def user_list():
    admin_only()
    return _page()


@bp.route("/users/new", methods=["POST"])
@login_required
def user_create():
    admin_only()
    form = UserCreateForm()
    form.org.choices = org_choices(top=False)
    if not form.validate_on_submit():
        return _page(form, 400)
    try:
        users.create(form.name.data.strip(), form.role.data, orgs.get(form.org.data),
                     form.password.data, actor=current_user.username)
    except ServiceError as error:
        form.name.errors.append(spec_message(error))
        return _page(form, 400)
    flash(_("Account %(name)s created.", name=form.name.data.strip()))
    return redirect(url_for("admin.user_list"), 303)


@bp.route("/users/<user_id>/assign", methods=["POST"])
@login_required
def user_assign(user_id: str):
    admin_only()
    user = _user(user_id)
    form = UserAssignForm(prefix=f"u{user.id}")
    form.org.choices = org_choices(top=False)
    if not form.validate_on_submit():
        return _page(status=400, failed=(user.id, 0, form))
    users.assign(user, orgs.get(form.org.data), actor=current_user.username)
    flash(_("%(name)s now works for %(org)s.", name=user.username,
            org=orgs.path(orgs.get(user.org_id))))
    return redirect(url_for("admin.user_list"), 303)


@bp.route("/users/<user_id>/password", methods=["POST"])
@login_required
def user_password(user_id: str):
    admin_only()
    user = _user(user_id)
    form = UserPasswordForm(prefix=f"p{user.id}")
    if form.validate_on_submit():
        try:
            users.reset_password(user, form.password.data, actor=current_user.username)
        except ServiceError as error:
            form.password.errors.append(spec_message(error))
        else:
            flash(_("The password of %(name)s has been changed.", name=user.username))
            return redirect(url_for("admin.user_list"), 303)
    return _page(status=400, failed=(user.id, 1, form))


@bp.route("/users/<user_id>/disable", methods=["POST"], defaults={"disable": True},
          endpoint="user_disable")
@bp.route("/users/<user_id>/enable", methods=["POST"], defaults={"disable": False},
          endpoint="user_enable")
@login_required
def user_toggle(user_id: str, disable: bool):
    admin_only()
    user = _user(user_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _page(status=400)
    if disable and not form.confirm.data:
        flash(_("Please tick the box to confirm."))
        return redirect(url_for("admin.user_list"), 303)
    try:
        users.set_disabled(user, disable, actor=current_user.username)
    except ServiceError as error:
        flash(spec_message(error))
        return redirect(url_for("admin.user_list"), 303)
    flash(_("%(name)s can no longer log in.", name=user.username) if disable
          else _("%(name)s can log in again.", name=user.username))
    return redirect(url_for("admin.user_list"), 303)
