"""Opening a round in the console, in two steps so a key is never lost.

Step one makes the key and shows each 监票人 their slip; the round is still
a draft.  Step two, once every trustee has their slip, opens it with that
key.  Between the steps the key's public record travels in the page,
signed with the app's secret (so nobody can swap in a key of their own);
the shares travel only in the page itself and in the per-trustee PDF
requests, and are kept nowhere.  A page lost before step two costs
nothing: the round is still a draft, and opening again makes a new key.
"""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ...domain.ballot_box import keys, opening
from ...domain.ballot_box.keys import Share, share_text
from ...domain.model import SpecError
from ...exports.key_slips import key_slips_pdf, share_qr_svg
from ...models import Round
from ...services import ballot_box, rounds
from ...services.errors import RoundError
from ..i18n import spec_message
from ..pages import NO_STORE
from . import bp
from .access import round_for_user
from .forms import ConfirmForm, TokenForm

#: How long the slips page may stay open before its key expires unopened.
RECORD_SECONDS = 24 * 3600


def _signer(round_: Round) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key,
                                  salt=f"surveyapp.open-round.{round_.id}")


def _record(round_: Round) -> ballot_box.KeyRecord:
    """The key record a slips page posts back, or 400 if forged or stale."""
    try:
        data = _signer(round_).loads(request.form.get("record", ""), max_age=RECORD_SECONDS)
        return ballot_box.KeyRecord.from_dict(data)
    except (BadSignature, KeyError, TypeError, ValueError):
        abort(400)


def key_slips_page(round_: Round, record: ballot_box.KeyRecord, shares: list[Share],
                   form: ConfirmForm | None = None, status: int = 200):
    """Step one's answer: each trustee's slip behind its own fold, and the
    button that opens the round with this key."""
    box = ballot_box.box(round_, record)
    slips = [{"share": share, "trustee": trustee, "text": share_text(share),
              "qr": share_qr_svg(share)}
             for share, trustee in zip(shares, box.trustees, strict=True)]
    return render_template("admin/key_slips.html", round=round_, slips=slips, box=box,
                           record=_signer(round_).dumps(record.to_dict()),
                           # Not filled from the request that asked to open:
                           # this box must be ticked anew, after the slips.
                           form=form or ConfirmForm(formdata=None)), status, NO_STORE


@bp.route("/rounds/<slug>/open/with-key", methods=["POST"])
@login_required
def open_with_key(slug: str):
    """Step two: open the round with the key its slips were made from."""
    round_ = round_for_user(slug)
    record = _record(round_)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if not form.confirm.data:
        # Shown again, shares and all: the secretary has not lost them yet.
        shares = _shares(ballot_box.box(round_, record))
        form.confirm.errors.append(_("Please tick the box to confirm."))
        return key_slips_page(round_, record, shares, form, 400)
    try:
        rounds.open_with_key(round_, record, actor=current_user.username)
    except RoundError as error:
        flash(spec_message(error), "error")
        return redirect(url_for("admin.round_detail", slug=slug), 303)
    flash(_("The round is open: voting has started."))
    return redirect(url_for("admin.round_detail", slug=slug), 303)


@bp.route("/rounds/<slug>/key-slips.pdf", methods=["POST"])
@login_required
def key_slips(slug: str):
    """Key slips posted back from the slips page as a PDF: one trustee's
    (the page posts only theirs), or several.  Each share must belong to
    the key, so nobody prints a slip that would not count."""
    round_ = round_for_user(slug)
    if not TokenForm().validate_on_submit():
        abort(400)
    box = ballot_box.box(round_, _record(round_)) if "record" in request.form \
        else ballot_box.box(round_)
    if box is None:
        abort(400)
    shares = _shares(box)
    if not shares:
        abort(400)
    names = {t.index: t.name for t in box.trustees}
    data = key_slips_pdf(shares, [names[s.index] for s in shares], title=round_.title,
                         threshold=box.threshold, count=len(box.trustees))
    name = f"{slug}-key-slip-{shares[0].index}" if len(shares) == 1 else f"{slug}-key-slips"
    return Response(data, mimetype="application/pdf", headers={
        **NO_STORE, "Content-Disposition": f'attachment; filename="{name}.pdf"'})


def _shares(box: ballot_box.Box) -> list[Share]:
    """The shares a form posts (``shares``, space-separated), each checked
    against its trustee's public key; 400 for any that is not this key's."""
    shares = []
    for text in " ".join(request.form.getlist("shares")).split():
        try:
            share = keys.parse_share(text)
        except SpecError:
            abort(400)
        trustee = next((t for t in box.trustees if t.index == share.index), None)
        if trustee is None or not opening.check_share(share, trustee, box.tag):
            abort(400)
        shares.append(share)
    return shares
