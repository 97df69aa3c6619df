"""The one gate of every console view that touches a round: 404 for rounds
outside the user's organisation subtree, so a secretary cannot even learn
that another branch's round exists."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from ...models import Round
from ...services import rounds


def round_for_user(slug: str) -> Round:
    round_ = rounds.round_for(current_user, slug)
    if round_ is None:
        abort(404)
    return round_
