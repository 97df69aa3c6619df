"""The web side: one blueprint per audience (``ballot`` for voters, ``admin``
for secretaries, ``public`` for the 公示 and receipts), none importing
another, and what every page shares.  Views parse a request, call a
service and render."""

from __future__ import annotations

from flask import Flask

from . import i18n, limits, pages, proxy, request_guard


def register_web(app: Flask) -> None:
    from .admin import bp as admin_bp
    from .ballot import bp as ballot_bp
    from .public import bp as public_bp

    i18n.init_app(app)
    pages.init_app(app)
    proxy.init_app(app)
    app.register_blueprint(ballot_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(public_bp)
    limits.init_app(app)
    request_guard.init_app(app)
