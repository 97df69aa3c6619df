"""Behind a reverse proxy, and over HTTPS.

With ``SURVEYAPP_RATELIMIT_TRUSTED_PROXIES=N`` the last N proxies' headers
are believed: ``X-Forwarded-For`` names the client (rate limits count per
client) and ``X-Forwarded-Proto`` says whether it came over HTTPS.  A
request that came over HTTPS, directly or through such a proxy, gets its
cookies marked ``Secure`` (a session cookie never travels in clear text
afterwards) and ``Strict-Transport-Security`` (the browser keeps to HTTPS).
"""

from __future__ import annotations

from flask import Flask, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

#: A year: browsers that saw HTTPS once keep to it.
HSTS = "max-age=31536000"


class SessionInterface(SecureCookieSessionInterface):
    def get_cookie_secure(self, app: Flask) -> bool:
        return super().get_cookie_secure(app) or (has_request_context() and request.is_secure)


def init_app(app: Flask) -> None:
    if proxies := int(app.config["RATELIMIT_TRUSTED_PROXIES"]):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    app.session_interface = SessionInterface()

    @app.after_request
    def strict_transport(response):
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response
