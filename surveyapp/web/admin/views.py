"""Rounds for organisers: the list, one round's page with its live turnout,
and opening and closing (with a confirmation that works without JavaScript)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from ...extensions import db
from ...models import Ballot, Organisation, Round, VoterCode
from ...services.rounds import RoundError, code_counts, set_status, turnout
from . import bp
from .access import round_for_user, visible_rounds
from .forms import ConfirmForm

#: How often the turnout panel refreshes itself while a round is open.
TURNOUT_SECONDS = 5

#: target status -> the statuses it may follow
ACTIONS = {
    "open": ("draft",),
    "closed": ("open",),
}


@bp.route("/")
@login_required
def rounds():
    listed = list(db.session.scalars(visible_rounds(current_user)))
    return render_template("admin/rounds.html", rounds=listed,
                           turnouts={r.id: turnout(r) for r in listed})


def results_url(round_: Round) -> str | None:
    """The results page, once another part of the console provides it."""
    if round_.status in ("closed", "published") and "admin.results" in current_app.view_functions:
        return url_for("admin.results", slug=round_.slug)
    return None


def turnout_panel(round_: Round) -> dict:
    """Counts only: ballots per group and channel, codes per status.  Never
    which code was used, or when."""
    figures = turnout(round_)
    channels = dict(db.session.execute(
        select(Ballot.channel, func.count()).where(Ballot.round_id == round_.id)
        .group_by(Ballot.channel)).all())
    codes_by_group: dict[int, dict[str, int]] = {}
    for group_id, status, n in db.session.execute(
            select(VoterCode.group_id, VoterCode.status, func.count())
            .where(VoterCode.round_id == round_.id)
            .group_by(VoterCode.group_id, VoterCode.status)):
        codes_by_group.setdefault(group_id, {})[status] = n
    rows = []
    for group in round_.groups:
        t = figures[group.key]
        percent = (100 * t["ballots"] // t["expected"]) if t["expected"] else None
        rows.append({"group": group, "ballots": t["ballots"], "expected": t["expected"],
                     "percent": percent, "codes": codes_by_group.get(group.id, {})})
    return {"rows": rows, "total": sum(r["ballots"] for r in rows),
            "expected": sum(r["expected"] or 0 for r in rows) or None,
            "channels": channels, "codes": code_counts(round_),
            "live": round_.status == "open", "seconds": TURNOUT_SECONDS}


@bp.route("/rounds/<slug>")
@login_required
def round_detail(slug: str):
    round_ = round_for_user(slug)
    org = db.session.get(Organisation, round_.org_id) if round_.org_id else None
    return render_template("admin/round.html", round=round_, org=org,
                           panel=turnout_panel(round_), results_url=results_url(round_),
                           confirm=ConfirmForm())


@bp.route("/rounds/<slug>/turnout")
@login_required
def turnout_partial(slug: str):
    """The turnout panel alone, which the round page polls with htmx."""
    round_ = round_for_user(slug)
    return render_template("admin/_turnout.html", round=round_, panel=turnout_panel(round_))


@bp.route("/rounds/<slug>/open", methods=["GET", "POST"], defaults={"target": "open"},
          endpoint="open_round")
@bp.route("/rounds/<slug>/close", methods=["GET", "POST"], defaults={"target": "closed"},
          endpoint="close_round")
@login_required
def change_status(slug: str, target: str):
    """GET asks; POST with the box ticked does it.  With JavaScript the round
    page asks in a dialog and posts the ticked box directly."""
    round_ = round_for_user(slug)
    form = ConfirmForm()
    status = 200
    if round_.status not in ACTIONS[target]:
        flash(_("This round is %(status)s, so that is not possible now.",
                status=status_label(round_.status)))
        return redirect(url_for("admin.round_detail", slug=slug), 303)
    if form.validate_on_submit():
        if form.confirm.data:
            try:
                set_status(round_, target, actor=current_user.username)
            except RoundError as error:  # changed meanwhile by someone else
                flash(str(error))
                return redirect(url_for("admin.round_detail", slug=slug), 303)
            flash(_("The round is open: voting has started.") if target == "open"
                  else _("The round is closed: no more ballots are accepted."))
            return redirect(url_for("admin.round_detail", slug=slug), 303)
        if request.form.get("asked"):
            form.confirm.errors.append(_("Please tick the box to confirm."))
            status = 400
    return render_template("admin/confirm_status.html", round=round_, target=target,
                           form=form, panel=turnout_panel(round_)), status


def status_label(status: str) -> str:
    return {"draft": _("a draft"), "open": _("open"), "closed": _("closed"),
            "published": _("published")}.get(status, status)


@bp.app_template_filter("round_status")
def round_status_filter(status: str) -> str:
    return {"draft": _("Draft"), "open": _("Open"), "closed": _("Closed"),
            "published": _("Published")}.get(status, status)
