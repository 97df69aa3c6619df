"""Public pages under /p: the published results (公示) of a round, and the
receipt lookup where voters check that their ballot was counted.  No login;
nothing here shows more than the secretary chose to publish."""

from flask import Blueprint

bp = Blueprint("public", __name__, url_prefix="/p")

from . import views  # noqa: E402,F401  (registers the routes)
