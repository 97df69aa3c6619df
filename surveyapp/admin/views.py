"""Round overview for organisers."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user, login_required

from ..extensions import db
from ..rounds import turnout
from . import bp
from .access import visible_rounds


@bp.route("/")
@login_required
def rounds():
    listed = list(db.session.scalars(visible_rounds(current_user)))
    return render_template("admin/rounds.html", rounds=listed,
                           turnouts={r.id: turnout(r) for r in listed})
