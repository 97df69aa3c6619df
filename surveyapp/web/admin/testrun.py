"""A test run before a round opens: test codes that reach the very ballot a
voter sees (marked as a test), checked like real ones and never stored or
counted; opening the round deletes them (services/codes.py, rounds.py).
A shared-link round's test run is the same: each test link is a test code's
link, a secret that works only while the round is a draft."""

from __future__ import annotations

import qrcode
import qrcode.image.svg
from flask import abort, render_template
from flask_login import current_user, login_required
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from ...domain.codes import slip_url
from ...services import codes
from ...services.errors import RoundError
from ..i18n import spec_message
from ..pages import NO_STORE
from . import bp
from .access import round_for_user
from .codes import base_url
from .forms import TestCodesForm


def test_form(round_) -> TestCodesForm:
    form = TestCodesForm()
    form.group.choices = [SelectChoice(g.key, g.label) for g in round_.groups]
    return form


def _qr(url: str) -> Markup:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    return Markup(image.to_string(encoding="unicode"))


@bp.route("/rounds/<slug>/test-codes", methods=["POST"])
@login_required
def test_codes(slug: str):
    """Issue test codes and show them once, each with its link and QR code."""
    round_ = round_for_user(slug)
    if round_.is_frozen:
        abort(404)
    form = test_form(round_)
    if not form.validate_on_submit():
        return render_template("admin/test_codes.html", round=round_, form=form,
                               codes=[]), 400
    try:
        plain, _batch = codes.issue(round_, form.group.data, form.count.data,
                                    actor=current_user.username, test=True)
    except RoundError as error:
        form.count.errors.append(spec_message(error))
        return render_template("admin/test_codes.html", round=round_, form=form,
                               codes=[]), 409
    shown = [(code, slip_url(base_url(), code)) for code in plain]
    return render_template("admin/test_codes.html", round=round_, form=form,
                           codes=[(code, url, _qr(url)) for code, url in shown],
                           group=next(g for g in round_.groups if g.key == form.group.data)), \
        200, NO_STORE
