"""Rate limits on guessing codes, casting ballots and logging in (Flask-Limiter).

A code has 50 random bits, so guessing one is hopeless anyway; these limits
make it slower still and cap how fast any one client, or anyone at all, can
push ballots into one round.  They are set so that a whole canteen behind
one NAT address can vote in a few minutes (README, "Rate limits"):

=====================  =========================================  =======================
setting                counts                                     default
=====================  =========================================  =======================
``CODE_ATTEMPTS``      codes not found (404), per client,         30/minute, 300/hour
                       on ``POST /``, ``GET /c/<code>`` and the
                       receipt lookup ``/p/<slug>/receipt``
``BALLOTS_PER_CLIENT`` ballot posts per client                    600/minute
``BALLOTS_PER_ROUND``  ballot posts per round, all clients        1200/minute
``LOGINS``             failed organiser logins per client         10/minute, 50/hour
=====================  =========================================  =======================

Only *unknown* codes count towards ``CODE_ATTEMPTS``: a voter scanning a valid
slip never uses up the allowance of the people behind the same address.

Code attempts and logins are Flask-Limiter decorators.  Ballot posts, the hot
path, are counted by :class:`BallotLimits` straight on the rate limiter
Flask-Limiter configured (same store, same strategy): the per-round count
needs the code's round, which only the view knows, and the decorators' own
bookkeeping cost more than storing the ballot (bench/load.py).

Each ``RATELIMIT_*`` key may be set in the app config or the environment as
``SURVEYAPP_RATELIMIT_*``; ``SURVEYAPP_RATELIMIT_STORAGE_URL`` picks the store
(``swept-memory://`` by default: per process, see limit_store.py; ``redis://host:6379`` or
``memcached://host:11211`` to share counts between workers and machines).
Clients are keyed by a keyed hash of their address, so the store never holds
an IP address.  Behind a reverse proxy set ``SURVEYAPP_RATELIMIT_TRUSTED_PROXIES``
to the number of proxies, or every voter looks like the proxy.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable

from flask import Flask, current_app, request
from flask_limiter import Limiter
from limits import RateLimitItem, parse_many
from limits.strategies import RateLimiter
from werkzeug.exceptions import TooManyRequests
from werkzeug.middleware.proxy_fix import ProxyFix

from . import limit_store  # noqa: F401  (registers swept-memory://)


def client_key() -> str:
    """A keyed hash of the client address: counts per client without the
    limiter's store (perhaps a shared Redis) ever holding an IP address."""
    secret = current_app.config["SECRET_KEY"]
    secret = secret if isinstance(secret, bytes) else str(secret).encode()
    address = (request.remote_addr or "").encode()
    return "client:" + hmac.new(secret, address, hashlib.sha256).hexdigest()[:24]


class BallotLimits:
    """Ballot posts per client and per round; each check counts one post
    and refuses it (429, with Retry-After) once a limit is used up."""

    def __init__(self, strategy: RateLimiter, per_client: str, per_round: str):
        self._strategy = strategy
        self._per_client = parse_many(per_client)
        self._per_round = parse_many(per_round)

    def count_client(self) -> None:
        self._hit(self._per_client, "ballots-client", client_key())

    def count_round(self, round_id: int) -> None:
        self._hit(self._per_round, "ballots-round", f"round:{round_id}")

    def _hit(self, items: list[RateLimitItem], *keys: str) -> None:
        for item in items:
            if not self._strategy.hit(item, *keys):
                reset = self._strategy.get_window_stats(item, *keys).reset_time
                raise TooManyRequests(retry_after=max(1, int(reset - time.time()) + 1))


def ballot_limits() -> BallotLimits | None:
    """The app's ballot limits, or None when rate limiting is off."""
    return current_app.extensions.get("surveyapp.ballot_limits")


BALLOT_ENDPOINTS = ("ballot.ballot", "ballot.link_ballot")


def _status(*statuses: int) -> Callable:
    return lambda response: response.status_code in statuses


def init_app(app: Flask) -> Limiter | None:
    """Wrap the voter and login views in their limits.  Call after the
    blueprints are registered."""
    if proxies := int(app.config["RATELIMIT_TRUSTED_PROXIES"]):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies)
    if not app.config["RATELIMIT_ENABLED"]:
        return None
    # One limiter per app, so each app (and each test) has its own counts.
    limiter = Limiter(key_func=client_key, app=app)
    config = app.config
    code_attempts = limiter.shared_limit(config["RATELIMIT_CODE_ATTEMPTS"], "code-attempts",
                                         deduct_when=_status(404))
    logins = limiter.limit(config["RATELIMIT_LOGINS"], methods=["POST"],
                           deduct_when=_status(400))
    wrappers = {
        "ballot.enter_code": [code_attempts],
        "ballot.redeem": [code_attempts],
        "public.receipt": [code_attempts],  # receipts are codes too
        "admin.login": [logins],
    }

    @limiter.request_filter
    def counted_by_the_view() -> bool:
        # Ballot posts are counted by BallotLimits; spare them Flask-Limiter's
        # own per-request evaluation, which found nothing to count for them
        # yet cost about 3% of a post.
        return request.endpoint in BALLOT_ENDPOINTS

    for endpoint, limits in wrappers.items():
        view = app.view_functions.get(endpoint)
        if view is None:
            continue
        for limit in limits:
            view = limit(view)
        app.view_functions[endpoint] = view
    app.extensions["surveyapp.ballot_limits"] = BallotLimits(
        limiter.limiter, config["RATELIMIT_BALLOTS_PER_CLIENT"],
        config["RATELIMIT_BALLOTS_PER_ROUND"])
    return limiter
