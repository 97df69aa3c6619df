"""开箱计票 in the console: the present 监票人 type (or paste from a scan)
their shares on one page and the round's ballot box is opened.

Shares arrive in a request, are used in memory and are kept nowhere: not in
the database, the session, a log or the page that answers.
"""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ...domain.bounds import CONSOLE_COUNT_MAX
from ...domain.model import SpecError, SpecErrors
from ...models import Round
from ...services import ballot_box, counting
from ...services.errors import RoundError
from ..i18n import spec_message
from ..pages import NO_STORE
from . import bp
from .access import round_for_user
from .forms import TokenForm


def _page(round_: Round, *, errors=(), status: int = 200, too_big: bool = False):
    box = ballot_box.box(round_)
    return render_template("admin/count.html", round=round_, box=box, errors=errors,
                           form=TokenForm(), too_big=too_big), status, NO_STORE


@bp.route("/rounds/<slug>/count", methods=["GET", "POST"])
@login_required
def count(slug: str):
    round_ = round_for_user(slug)
    if not round_.awaits_count:
        if round_.shows_results:
            return redirect(url_for("admin.results", slug=slug), 303)
        return _page(round_, status=409)
    # A request that would add up more than this is refused before any
    # share is read: the command line counts it without holding a worker.
    too_big = counting.count_work(round_) > CONSOLE_COUNT_MAX
    if request.method == "GET" or too_big:
        return _page(round_, too_big=too_big, status=409 if too_big and request.method == "POST"
                     else 200)
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
