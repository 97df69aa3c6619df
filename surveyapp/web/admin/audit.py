"""The audit log: who created, edited, opened, closed, issued, voided,
printed, imported, exported or published what, and when.  It never holds
ballot content or codes (see rounds.audit), so it can be shown as it is."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from ...extensions import db
from ...models import AuditEvent, Round
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
    "round.publish": _l("Published the results"),
    "round.unpublish": _l("Withdrew the published results"),
    "codes.issue": _l("Issued codes"),
    "codes.download": _l("Downloaded codes"),
    "codes.void": _l("Voided codes"),
    "ballots.import": _l("Imported paper ballots"),
    "ballots.paper_entry": _l("Entered a paper ballot"),
    "results.export": _l("Exported results"),
    "user.login": _l("Logged in"),
    "user.create": _l("Created a user"),
}


def _events(query, page: int):
    return list(db.session.scalars(query.order_by(AuditEvent.id.desc())
                                   .offset(page * PAGE_SIZE).limit(PAGE_SIZE + 1)))


def _page_number() -> int:
    return max(0, request.args.get("page", 0, type=int))


@bp.route("/rounds/<slug>/audit")
@login_required
def round_audit(slug: str):
    round_ = round_for_user(slug)
    page = _page_number()
    events = _events(select(AuditEvent).where(AuditEvent.round_id == round_.id), page)
    return render_template("admin/audit.html", round=round_, events=events[:PAGE_SIZE],
                           more=len(events) > PAGE_SIZE, page=page, actions=ACTIONS)


@bp.route("/audit")
@login_required
def audit_log():
    """Every event, logins included: for administrators only."""
    if current_user.role != "admin":
        abort(404)
    page = _page_number()
    events = _events(select(AuditEvent), page)
    titles = dict(db.session.execute(select(Round.id, Round.title)).all())
    return render_template("admin/audit.html", round=None, events=events[:PAGE_SIZE],
                           more=len(events) > PAGE_SIZE, page=page, actions=ACTIONS,
                           titles=titles)
