"""The secretary's console under /admin: log in, run rounds, read results.

Every view that touches a round goes through :func:`access.round_for_user`,
which answers 404 for rounds outside the user's organisation subtree, so a
secretary cannot even learn that another branch's round exists.
"""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import (  # noqa: E402,F401  (registers the routes)
    audit,
    auth,
    ballots,
    campaigns,
    codes,
    comments,
    copies,
    count,
    decisions,
    members,
    opening,
    orgs,
    results,
    settings,
    testrun,
    users,
    views,
    wizard,
)
