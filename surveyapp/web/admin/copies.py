"""Copying a round into next year's (a new draft with the same settings,
groups, criteria, people and 监票人) and deleting a round that never opened."""

from __future__ import annotations

from fractions import Fraction

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...services import follow_up, rounds
from ...services.errors import RoundError
from ..i18n import spec_message
from . import bp
from .access import round_for_user
from .forms import ConfirmForm, FollowUpForm, RoundCopyForm


@bp.route("/rounds/<slug>/copy", methods=["GET", "POST"])
@login_required
def copy_round(slug: str):
    round_ = round_for_user(slug)
    form = RoundCopyForm(data={"title": rounds.next_title(round_.title)})
    if form.validate_on_submit():
        try:
            copy = rounds.copy_round(round_, actor=current_user.username, title=form.title.data)
        except RoundError as error:
            form.title.errors.append(spec_message(error))
        else:
            flash(_("A new draft, copied from “%(title)s”. Check its settings and people.",
                    title=round_.title))
            return redirect(url_for("admin.round_detail", slug=copy.slug), 303)
    return render_template("admin/copy.html", round=round_, form=form), \
        400 if form.errors else 200


@bp.route("/rounds/<slug>/follow-up", methods=["POST"])
@login_required
def follow_up_round(slug: str):
    """限期改正: the subjects of a counted round whose commitment mean is below
    the threshold, with their commitment items, copied into a new draft."""
    round_ = round_for_user(slug)
    form = FollowUpForm()
    back = redirect(url_for("admin.results", slug=slug) + "#commitments", 303)
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message)
        return back
    try:
        made, _chosen = follow_up.follow_up_round(round_, actor=current_user.username,
                                                  limit=Fraction(form.below.data, 100),
                                                  title=form.title.data)
    except RoundError as error:
        flash(spec_message(error))
        return back
    flash(_("A follow-up round (限期改正) with %(count)d people. Check its settings and "
            "people, then open it.", count=len(made.subjects)))
    return redirect(url_for("admin.round_detail", slug=made.slug), 303)


@bp.route("/rounds/<slug>/delete", methods=["POST"])
@login_required
def delete_round(slug: str):
    round_ = round_for_user(slug)
    form = ConfirmForm()
    back = redirect(url_for("admin.round_detail", slug=slug), 303)
    if not form.validate_on_submit() or not form.confirm.data:
        flash(_("Please tick the box to confirm."))
        return back
    title = round_.title
    try:
        rounds.delete_round(round_, actor=current_user.username)
    except RoundError as error:
        flash(spec_message(error))
        return back
    flash(_("“%(title)s” has been deleted.", title=title))
    return redirect(url_for("admin.rounds"), 303)
