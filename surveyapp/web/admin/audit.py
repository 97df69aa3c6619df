"""The audit log: who created, edited, opened, closed, issued, voided,
printed, imported, exported or published what, and when.  It never holds
ballot content or codes (services/audit.py), so it can be shown as it is."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ...services import audit
from . import bp
from .access import round_for_user

PAGE_SIZE = 200

#: Readable names for the actions; unknown ones (from plugins or newer
#: code) are shown as they are.
ACTIONS = {
    "round.create": _l("Created the round"),
    "round.edit": _l("Changed settings"),
    "round.open": _l("Opened the round"),
    "round.close": _l("Closed the round"),
    "round.count": _l("Opened the ballot box and counted"),
    "round.publish": _l("Published the results"),
    "round.unpublish": _l("Withdrew the published results"),
    "codes.issue": _l("Issued codes"),
    "codes.test": _l("Issued test codes"),
    "codes.download": _l("Downloaded codes"),
    "codes.void": _l("Voided codes"),
    "ballots.import": _l("Imported paper ballots"),
    "ballots.paper_entry": _l("Entered a paper ballot"),
    "ballots.paper_spoiled": _l("Recorded a spoiled paper ballot"),
    "results.export": _l("Exported results"),
    "comment.review": _l("Reviewed a comment"),
    "comments.export": _l("Exported comments"),
    "decision.record": _l("Recorded the committee's decision"),
    "decision.withdraw": _l("Withdrew the committee's decision"),
    "campaign.create": _l("Created a campaign"),
    "campaign.export": _l("Exported a campaign's figures"),
    "members.link": _l("Confirmed who the members are over the years"),
    "members.export": _l("Exported a member's record"),
    "report.export": _l("Downloaded the draft report"),
    "user.login": _l("Logged in"),
    "user.logout": _l("Logged out (every session of the user ended)"),
    "user.create": _l("Created a user"),
    "round.copy": _l("Copied from another round"),
    "round.follow_up": _l("Made a follow-up round (限期改正) for commitments"),
    "round.delete": _l("Deleted a draft round"),
    "round.deadline": _l("Moved the deadline"),
    "org.create": _l("Created an organisation"),
    "org.move": _l("Moved an organisation"),
    "user.password": _l("Reset a password"),
    "user.disable": _l("Disabled an account"),
    "user.enable": _l("Enabled an account"),
    "user.assign": _l("Assigned an account to an organisation"),
}


def _page_number() -> int:
    return max(0, request.args.get("page", 0, type=int))


def _render(round_, *, titles=None):
    page = _page_number()
    events = audit.events(round_, page=page, size=PAGE_SIZE)
    return render_template("admin/audit.html", round=round_, events=events[:PAGE_SIZE],
                           more=len(events) > PAGE_SIZE, page=page, actions=ACTIONS,
                           titles=titles)


@bp.route("/rounds/<slug>/audit")
@login_required
def round_audit(slug: str):
    return _render(round_for_user(slug))


@bp.route("/audit")
@login_required
def audit_log():
    """Every event, logins included: for administrators only."""
    if current_user.role != "admin":
        abort(404)
    return _render(None, titles=audit.round_titles())
