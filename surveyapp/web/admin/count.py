"""开箱计票 in the console: the present 监票人 type (or paste from a scan)
their shares on one page and the round's ballot box is opened; and the key
slips of the round's open, downloaded as a PDF from the one-time page.

Shares arrive in a request, are used in memory and are kept nowhere: not in
the database, the session, a log or the page that answers.
"""

from __future__ import annotations

from flask import Response, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ...domain.ballot_box import keys, opening
from ...domain.model import SpecError, SpecErrors
from ...exports.key_slips import key_slips_pdf
from ...models import Round
from ...services import ballot_box, counting
from ...services.errors import RoundError
from ..i18n import spec_message
from . import bp
from .access import round_for_user
from .forms import TokenForm

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _page(round_: Round, *, errors=(), status: int = 200):
    box = ballot_box.box(round_)
    return render_template("admin/count.html", round=round_, box=box, errors=errors,
                           form=TokenForm()), status, NO_STORE


@bp.route("/rounds/<slug>/count", methods=["GET", "POST"])
@login_required
def count(slug: str):
    round_ = round_for_user(slug)
    if not round_.awaits_count:
        if round_.shows_results:
            return redirect(url_for("admin.results", slug=slug), 303)
        return _page(round_, status=409)
    if request.method == "GET":
        return _page(round_)
    form = TokenForm()
    if not form.validate_on_submit():
        abort(400)
    box = ballot_box.box(round_)
    texts = [(trustee.name, request.form.get(f"share-{trustee.index}", ""))
             for trustee in (box.trustees if box else ())]
    try:
        shares = counting.check_shares(round_, [(name, text) for name, text in texts
                                                if text.strip()])
        counting.count_round(round_, shares, actor=current_user.username)
    except SpecErrors as errors:
        return _page(round_, errors=[spec_message(e, located=True) for e in errors.errors],
                     status=400)
    except (SpecError, RoundError) as error:
        return _page(round_, errors=[spec_message(error)], status=400)
    return redirect(url_for("admin.results", slug=slug), 303)


@bp.route("/rounds/<slug>/key-slips.pdf", methods=["POST"])
@login_required
def key_slips(slug: str):
    """The key slips posted back from the one-time page as a PDF; each share
    must be this round's, so nobody prints slips that would not count."""
    round_ = round_for_user(slug)
    box = ballot_box.box(round_)
    form = TokenForm()
    if box is None or not form.validate_on_submit():
        abort(400)
    shares = []
    for text in request.form.get("shares", "").split():
        try:
            share = keys.parse_share(text)
        except SpecError:
            abort(400)
        trustee = next((t for t in box.trustees if t.index == share.index), None)
        if trustee is None or not opening.check_share(share, trustee, box.tag):
            abort(400)
        shares.append(share)
    if not shares:
        abort(400)
    names = {t.index: t.name for t in box.trustees}
    data = key_slips_pdf(shares, [names[s.index] for s in shares], title=round_.title,
                         threshold=box.threshold)
    return Response(data, mimetype="application/pdf", headers={
        **NO_STORE, "Content-Disposition": f'attachment; filename="{slug}-key-slips.pdf"'})

