"""Refuse input no field may hold, before any view sees it.

A NUL character is never meaningful in a code, a slug, a name or a comment,
and PostgreSQL cannot store or even compare one in a text column (it raises,
which would be a 500): such a request gets a 400 on either database.
"""

from __future__ import annotations

from flask import Flask, abort, request


def _has_nul(values) -> bool:
    return any("\x00" in key or any("\x00" in v for v in vs) for key, vs in values.lists())


def refuse_nul() -> None:
    if "\x00" in request.path or _has_nul(request.args):
        abort(400)
    if request.method in ("POST", "PUT", "PATCH") and _has_nul(request.form):
        abort(400)


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul)
