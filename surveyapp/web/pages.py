"""What every page shares: security headers, error pages, htmx."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..paths import STATIC_DIR

HTMX = "vendor/htmx.min.js"
#: For pages that show a secret once (codes, key slips): kept in no cache.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}

# No inline script anywhere, so the policy can forbid it.
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


def init_app(app: Flask) -> None:
    # htmx is an enhancement: pages work without it, e.g. before `npm ci` ran.
    app.jinja_env.globals["htmx_available"] = (STATIC_DIR / HTMX).exists()
    app.jinja_env.globals["HTMX"] = HTMX

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        # Ballot URLs carry codes; never hand them to another site.
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        # Ballot pages carry a voter's session; console pages and exports
        # carry results, turnout, codes and the audit log: none is kept by
        # a browser's or a proxy's cache.
        # (send_file's own "no-cache" only asks to revalidate: replaced.)
        if request.endpoint and request.endpoint.startswith("admin."):
            response.headers["Cache-Control"] = "no-store"
        elif request.endpoint and request.endpoint.startswith("ballot."):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("error.html", code=400, reason="csrf"), 400

    @app.errorhandler(HTTPException)
    def http_error(error):
        # Keep the error's own headers (Retry-After on a 429, Allow on a 405).
        headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
        return render_template("error.html", code=error.code, reason=None,
                               description=error.description), error.code, headers
