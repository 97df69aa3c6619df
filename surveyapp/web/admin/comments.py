"""Reviewing the comments (意见建议) on the results page: for each comment
the secretary decides to show it, hide it or redact part of it
(services/comments.py).  Plain forms that come back to the results page;
htmx swaps only the comment decided (``HX-Target: comment-<id>``) and, out
of band, the counts of decisions.
"""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ...services import comments
from ...services.errors import RoundError
from ..i18n import spec_message
from . import bp
from .access import round_for_user
from .forms import TokenForm
from .results import DECISION_LABELS
from .results import _page as results_page


@bp.route("/rounds/<slug>/comments/<comment_id>", methods=["POST"])
@login_required
def comment_review(slug: str, comment_id: str):
    round_ = round_for_user(slug)
    if not round_.shows_results:
        return results_page(round_)
    if comments.get(round_, comment_id) is None:
        abort(404)
    if not TokenForm().validate_on_submit():
        abort(400)
    typed = request.form.get("redacted")
    error, status = None, 200
    try:
        comments.decide(round_, comment_id, request.form.get("decision", ""), typed,
                        actor=current_user.username)
    except RoundError as refused:
        error, status = spec_message(refused), 409 if round_.is_published else 400
    if request.headers.get("HX-Target") == f"comment-{comment_id}":
        review = comments.review(round_)
        comment = next(c for c in review.comments if c.id == comment_id)
        return render_template("admin/_comment_swap.html", round=round_, review=review,
                               c=comment, error=error, typed=typed if error else None,
                               decision_labels=DECISION_LABELS), status
    if error:
        return results_page(round_, comment_error=(comment_id, error, typed), status=status)
    return redirect(url_for("admin.results", slug=slug, _anchor=f"comment-{comment_id}"), 303)
