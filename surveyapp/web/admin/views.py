"""Rounds for organisers: the list, one round's page with its live turnout,
and opening and closing (with a confirmation that works without JavaScript)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...models import Round
from ...services import ballot_box, campaigns, codes, deadlines, orgs, rounds, turnout
from ...services.errors import RoundError
from ..i18n import STATUS_WORDS, spec_message
from . import bp, rule_words
from .access import round_for_user
from .forms import ConfirmForm, DeadlineForm
from .opening import key_slips_page
from .testrun import test_form

#: How often the turnout panel refreshes itself while a round is open.
TURNOUT_SECONDS = 5


@bp.route("/", endpoint="rounds")
@login_required
def rounds_list():
    listed = rounds.visible_rounds(current_user)
    # Whoever sees more than one organisation (a 党委, an admin) is told whose round is whose.
    names = ({o.id: f"{o.kind} {o.name}".strip() for o in orgs.visible_orgs(current_user)}
             if len({r.org_id for r in listed}) > 1 else {})
    return render_template("admin/rounds.html", rounds=listed, org_names=names,
                           turnouts={r.id: turnout.shown_turnout(r) for r in listed})


def quorum_warning(round_: Round) -> str | None:
    """What closing now would leave short: the groups below the round's
    quorum, with their figures; None if none is (or no quorum is set)."""
    if not round_.can("close"):
        return None
    short = turnout.below_quorum(round_)
    if not short:
        return None
    groups = _(", ").join(
        _("%(groups)s together %(ballots)d of %(expected)d", groups=s["label"],
          ballots=s["ballots"], expected=s["expected"]) if s["pooled"]  # small groups: never alone
        else _("%(group)s %(ballots)d of %(expected)d", group=s["label"],
               ballots=s["ballots"], expected=s["expected"]) for s in short)
    share = rule_words.share_text(short[0]["quorum"])
    return (_("Below the quorum (more than %(share)s of those expected must take part): "
              "%(groups)s.", share=share, groups=groups) if short[0]["strict"] else
            _("Below the quorum (at least %(share)s of those expected must take part): "
              "%(groups)s.", share=share, groups=groups))


def turnout_panel(round_: Round) -> dict:
    return {**turnout.panel(round_), "live": round_.accepts_ballots,
            "seconds": TURNOUT_SECONDS, "deadline": deadlines.summary(round_)}


@bp.route("/rounds/<slug>")
@login_required
def round_detail(slug: str):
    round_ = round_for_user(slug)
    testing = None
    if not round_.is_frozen:  # codes and shared-link rounds alike
        testing = {"form": test_form(round_), "groups": codes.test_run(round_)}
    deadline = None
    if round_.accepts_ballots or not round_.is_frozen:
        deadline = DeadlineForm(data={"closes_at": deadlines.local(round_.closes_at)})
    campaign = campaigns.campaign_of(round_)
    return render_template("admin/round.html", round=round_, org=orgs.get(round_.org_id),
                           campaign=campaign,
                           campaign_visible=campaign is not None and campaigns.campaign_for(
                               current_user, campaign.slug) is not None,
                           panel=turnout_panel(round_), confirm=ConfirmForm(), testing=testing,
                           deadline=deadline,
                           rules=rule_words.sentences(rounds.round_spec(round_)),
                           quorum_warning=quorum_warning(round_),
                           box=ballot_box.box(round_),
                           trustees=ballot_box.trustee_names(round_))


@bp.route("/rounds/<slug>/turnout")
@login_required
def turnout_partial(slug: str):
    """The turnout panel alone, which the round page polls with htmx."""
    round_ = round_for_user(slug)
    return render_template("admin/_turnout.html", round=round_, panel=turnout_panel(round_))


@bp.route("/rounds/<slug>/turnout/screen")
@login_required
def turnout_screen(slug: str):
    """Turnout for a projector in the meeting room: counts only, in big
    type, refreshing itself (htmx; without JavaScript the page reloads)."""
    round_ = round_for_user(slug)
    template = ("admin/_turnout_screen.html" if request.headers.get("HX-Request")
                else "admin/turnout_screen.html")
    return render_template(template, round=round_, panel=turnout_panel(round_)), 200, {
        "Vary": "HX-Request"}


@bp.route("/rounds/<slug>/open", methods=["GET", "POST"], defaults={"target": "open"},
          endpoint="open_round")
@bp.route("/rounds/<slug>/close", methods=["GET", "POST"], defaults={"target": "close"},
          endpoint="close_round")
@login_required
def change_status(slug: str, target: str):
    """GET asks; POST with the box ticked does it.  With JavaScript the round
    page asks in a dialog and posts the ticked box directly."""
    round_ = round_for_user(slug)
    form = ConfirmForm()
    status = 200
    back = redirect(url_for("admin.round_detail", slug=slug), 303)
    if not round_.can(target):
        flash(_("This round is %(status)s, so that is not possible now.",
                status=STATUS_WORDS.get(round_.status, round_.status)), "error")
        return back
    if form.validate_on_submit():
        if form.confirm.data:
            try:
                if target == "open":  # step one: the key and its slips (opening.py)
                    return key_slips_page(round_, *rounds.prepare_key(round_))
                rounds.transition(round_, target, actor=current_user.username)
            except RoundError as error:  # changed meanwhile by someone else
                flash(spec_message(error), "error")
                return back
            flash(_("The round is closed: no more ballots are accepted. Its trustees now "
                    "open the ballot box together to count it."))
            return back
        if request.form.get("asked"):
            form.confirm.errors.append(_("Please tick the box to confirm."))
            status = 400
    return render_template("admin/confirm_status.html", round=round_, target=target,
                           form=form, panel=turnout_panel(round_),
                           quorum_warning=quorum_warning(round_)), status


@bp.app_template_filter("round_status")
def round_status_filter(status: str) -> str:
    return {"draft": _("Draft"), "open": _("Open"), "closed": _("Closed"),
            "counted": _("Counted"), "published": _("Published")}.get(status, status)


@bp.route("/rounds/<slug>/deadline", methods=["POST"])
@login_required
def move_deadline(slug: str):
    """Move (or remove) the deadline of a draft or open round: voting that
    runs late is common, and nothing the count depends on changes."""
    round_ = round_for_user(slug)
    form = DeadlineForm()
    back = redirect(url_for("admin.round_detail", slug=slug), 303)
    if not form.validate_on_submit():
        flash(_("Please give a date and time."))
        return back
    try:
        deadlines.set_closes_at(round_, form.closes_at.data, actor=current_user.username)
    except RoundError as error:
        flash(spec_message(error))
        return back
    shown = deadlines.local(round_.closes_at)
    when = shown.strftime("%Y-%m-%d %H:%M") if shown else ""
    flash(_("The deadline is now %(when)s.", when=when) if shown
          else _("The round has no deadline now."))
    return back
