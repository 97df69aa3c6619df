"""The committee's 评定 on the results page: per subject a grade and its
reason beside the proposal (services/decisions.py).  A plain form that comes
back to the results page; htmx swaps only the row decided
(``HX-Target: decision-<key>``)."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ...exports import summary
from ...services import decisions
from ...services import results as results_service
from ...services.errors import RoundError
from ..i18n import spec_message
from . import bp
from .access import round_for_user
from .forms import TokenForm
from .results import _page as results_page


@bp.route("/rounds/<slug>/decisions/<subject>", methods=["POST"], endpoint="decision")
@login_required
def decision(slug: str, subject: str):
    round_ = round_for_user(slug)
    if not round_.shows_results:
        return results_page(round_)
    if not any(s.key == subject for s in round_.subjects):
        abort(404)
    if not TokenForm().validate_on_submit():
        abort(400)
    option, reason = request.form.get("option", ""), request.form.get("reason", "")
    error, status = None, 200
    try:
        decisions.decide(round_, subject, option, reason, actor=current_user.username)
    except RoundError as refused:
        error, status = spec_message(refused), 409 if round_.is_published else 400
    if request.headers.get("HX-Target") == f"decision-{subject}":
        spec = results_service.results(round_).spec
        row = next(d for d in decisions.decisions(round_) if d.subject == subject)
        return render_template(
            "admin/_decision.html", round=round_, d=row, spec=spec, error=error,
            decision_error=(subject, error, option, reason) if error else None,
            decisions_editable=decisions.editable(round_),
            option_label=lambda key: summary.option_label(spec, key)), status
    if error:
        return results_page(round_, decision_error=(subject, error, option, reason),
                            status=status)
    return redirect(url_for("admin.results", slug=slug, _anchor=f"decision-{subject}"), 303)
