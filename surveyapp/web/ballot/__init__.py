"""The voter's side: enter or scan a code, fill in the ballot, get a receipt."""

from flask import Blueprint

bp = Blueprint("ballot", __name__)

from . import views  # noqa: E402,F401  (registers the routes)
