"""/p/<slug> (公示) and /p/<slug>/receipt.

The receipt lookup answers one question — was a ballot with this receipt
counted in this round? — and nothing about the ballot (no group, date or
answers).  It stores and logs nothing about the receipt typed in.
"""

from __future__ import annotations

from fractions import Fraction

from flask import Response, abort, render_template, stream_with_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from ...domain.model import BLANK
from ...exports import charts, summary
from ...services import board, publication, voting
from ...services.errors import RoundError
from ...services.rounds import get_round
from ..limits import CodeAttempt, ensure_browser
from . import bp


class ReceiptForm(FlaskForm):
    receipt = StringField(_l("Receipt code"),
                          validators=[InputRequired(_l("Please enter your receipt code.")),
                                      Length(max=40)])


@bp.route("/<slug>")
def page(slug: str):
    round_ = get_round(slug)
    snap = publication.snapshot(round_) if round_ is not None else None
    if snap is None:  # no such round, or not published
        abort(404)
    fields = snap["fields"]
    rows = publication.rows(snap)
    options = snap.get("options", [])
    ranking = grades = None
    if "score" in fields:
        top = snap.get("top")
        ranking = charts.score_ranking(rows, title=_("Score ranking"),
                                       top=None if top is None else Fraction(top))
    if "counts" in fields:
        grades = charts.grade_distribution(
            rows, [(o["key"], o["label"] if o["key"] != BLANK else _("Blank"), o["abstains"])
                   for o in options],
            title=_("Grade distribution per subject"),
            hidden_text=_("hidden: fewer than %(k)d ballots", k=snap["anonymity_min"]))
    turnout = [(t["label"], summary.turnout_text(
        {**t, "rate": Fraction(t["ballots"], t["expected"])
         if t["expected"] and t["ballots"] is not None else None},
        _("not shown (protects a small group)")))
        for t in snap.get("turnout", [])]
    return render_template("public/page.html", round=round_, snap=snap, fields=fields,
                           rows=rows, options=options, ranking_svg=ranking, grades_svg=grades,
                           turnout=turnout, percent=summary.percent, points=summary.points)


@bp.route("/<slug>/board")
def board_json(slug: str):
    """The bulletin board of a published round (docs/board.md), streamed."""
    round_ = get_round(slug)
    if round_ is None or publication.snapshot(round_) is None:
        abort(404)
    try:
        board.check_boardable(round_)
    except RoundError:
        abort(404)
    return Response(stream_with_context(board.chunks(round_)), mimetype="application/json",
                    headers={"Content-Disposition":
                             f'attachment; filename="{board.filename(round_)}"'})


@bp.route("/<slug>/receipt", methods=["GET", "POST"])
def receipt(slug: str):
    round_ = get_round(slug)
    if round_ is None or not round_.checks_receipts:
        abort(404)
    ensure_browser()  # its guesses are counted as its own (limits.py)
    form = ReceiptForm()
    found = None
    if form.validate_on_submit():
        attempt = CodeAttempt()  # receipts are guessed like codes
        found = voting.receipt_counted(round_, form.receipt.data)
        if found is False:
            attempt.wrong()  # 429 instead of 404 once the address's allowance is spent
        else:
            attempt.right()  # found, or never looked up (not a receipt, or a voting code)
        if found == "voting_code":
            form.receipt.errors.append(_l(
                "This is a voting code, not a receipt. A voting code is never linked to a "
                "ballot, so it cannot tell whether yours was counted: the receipt is the "
                "20-character code shown after you voted."))
            found = None
        elif found is None:
            form.receipt.errors.append(
                _l("A receipt has 20 letters and digits, like ABCDE-FGHJK-MNPQR-STVWX.")
                if round_.is_sealed else
                _l("A receipt code has 10 letters and digits, like ABCDE-FGH12."))
        elif found:
            form.receipt.data = ""  # a shared phone need not keep showing it
    status = 400 if form.errors else 404 if found is False else 200
    response = render_template("public/receipt.html", round=round_, form=form, found=found,
                               board=round_.is_sealed and publication.snapshot(round_) is not None
                               and round_.result_json is not None)
    return response, status, {"Cache-Control": "no-store"}
