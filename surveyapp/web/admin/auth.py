"""Logging organisers in and out (Flask-Login, hashed passwords)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired, Length

from ...models import User
from ...services import users
from ..extensions import login_manager
from . import bp


class LoginForm(FlaskForm):
    username = StringField(_l("User name"), validators=[InputRequired(), Length(max=80)])
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=200)])


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user = users.get(int(user_id)) if user_id.isdigit() else None
    return None if user is None or user.disabled else user  # disabling ends open sessions


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = users.authenticate(form.username.data, form.password.data)
        if user is not None:
            session.pop("code", None)  # an organiser's browser carries no voter code
            login_user(user)
            users.record_login(user)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append(_("Wrong user name or password."))
    status = 400 if form.errors else 200
    return render_template("admin/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash(_("You have logged out."))
    return redirect(url_for("admin.login"))


def _safe_next(target: str | None) -> str:
    """Only redirect within this site after login."""
    if target and not urlsplit(target).netloc and target.startswith("/admin"):
        return target
    return url_for("admin.rounds")
