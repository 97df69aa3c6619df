"""Rate limits on guessing codes, casting ballots and logging in.

A limit is an *allowance* ("30 per minute;300 per hour") that someone spends:
a client address, a browser (a random id in its signed session) or a round.
Counts live in a store every worker shares (limit_store.py), so a limit holds
for the whole machine (``machine://``, the default) or for every instance
(``redis://``), not once per worker process.

Each spends its own (issue 16), so a prankster in a canteen behind one NAT
address locks out nobody but themselves:

==========================  ======================================  ====================
setting                     counts                                  default
==========================  ======================================  ====================
``CODE_ATTEMPTS``           unknown codes per address, on ``/``,    30/minute, 300/hour
                            ``/c/<code>`` and the receipt lookup
``CODE_ATTEMPTS_PER_        unknown codes per browser               10/minute, 50/hour
BROWSER``
``BALLOTS_PER_CLIENT``      ballots cast per address                600/minute
``BALLOTS_PER_ROUND``       ballots cast per round                  1200/minute
``INVALID_BALLOTS``         ballot posts that cannot count          10/minute, 100/hour
                            (incomplete, against a rule, a spent
                            code) per browser
``LOGINS``                  failed organiser logins per address     10/minute, 50/hour
==========================  ======================================  ====================

* A valid code is never refused because of other people's wrong codes.  A
  browser spends its own allowance before its code is looked at; once it is
  spent, that browser is refused (429) whatever it sends.  The address's
  allowance is spent only by wrong codes, after the look-up, and once it is
  spent a wrong code gets 429 instead of 404 while a right one still opens
  its ballot: the people behind the address are not the guesser.
* A complete, valid ballot is never refused because of posts that cannot
  count; it spends only the ballot allowances.  A browser that keeps posting
  what cannot count gets 429 for those posts, and its code is looked up
  before any sealing work is done for it.

Windows: each period is cut into :data:`SLICES` slices and a request is
allowed while the slices that cover the last period, it included, stay
within the count.  Any span of one period lies within those slices, so "30
per minute" holds for every minute, not just for minutes starting at a first
request; the price is that a client may be refused up to one slice (10 s of
a minute) early.  Counts are taken before the work they guard and given back
when it turns out not to count, so concurrent requests cannot overshoot.

Clients and browsers are counted under keyed hashes, so the store never
holds an address or a session's id.  Behind a reverse proxy set
``SURVEYAPP_RATELIMIT_TRUSTED_PROXIES`` to the number of proxies, or every
voter looks like the proxy.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import re
import secrets
import time
from dataclasses import dataclass, field

from flask import Flask, current_app, request, session
from werkzeug.exceptions import TooManyRequests

from ..config import ConfigError
from .limit_store import Store, store_from_url

log = logging.getLogger(__name__)

#: Slices of each period (see the module's notes on windows).
SLICES = 6
#: The session key of a browser's random id.
BROWSER = "browser"

_RATE = re.compile(r"\s*(\d+)\s*(?:per|/)\s*(\d+)?\s*(second|minute|hour|day)s?\s*")
_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


def parse_rates(text: str, setting: str) -> tuple[Rate, ...]:
    """``"30 per minute;300 per hour"`` (or ``30/minute``, ``5 per 10 seconds``)."""
    rates = []
    for part in re.split(r"[;,]", text):
        match = _RATE.fullmatch(part)
        if match is None or int(match[1]) < 1:
            raise ConfigError(f"SURVEYAPP_{setting}: {text!r} is not a list of rates such as "
                              "'30 per minute;300 per hour'")
        rates.append(Rate(int(match[1]), int(match[2] or 1) * _SECONDS[match[3]]))
    return tuple(rates)


@dataclass
class Taken:
    """What one request added, to be given back if it does not count."""

    keys: list[tuple[str, int]] = field(default_factory=list)  # (key, ttl)


class Allowance:
    def __init__(self, store: Store, name: str, rates: tuple[Rate, ...]):
        self.store, self.name, self.rates = store, name, rates

    def _slices(self, subject: str, rate: Rate, now: float) -> tuple[list[str], float, int]:
        width = rate.seconds / SLICES
        current = int(now // width)
        keys = [f"{self.name}:{rate.seconds}:{subject}:{i}"
                for i in range(current - SLICES, current + 1)]
        return keys, width, current

    def take(self, subject: str) -> Taken:
        """Count one request of ``subject``, or raise TooManyRequests (with
        Retry-After) and count nothing when a rate is used up."""
        now = time.time()
        taken = Taken()
        try:
            for rate in self.rates:
                keys, width, current = self._slices(subject, rate, now)
                ttl = math.ceil(width * (SLICES + 1)) + 1
                mine, *older = self.store.add(keys[-1], 1, ttl, keys[:-1])
                taken.keys.append((keys[-1], ttl))
                if mine + sum(older) > rate.count:
                    self.give_back(taken)
                    raise TooManyRequests(retry_after=_wait(older + [mine - 1], rate.count,
                                                            width, current, now))
        except TooManyRequests:
            raise
        except Exception:  # a limiter that is down must not stop the vote
            log.exception("rate-limit store failed; %s not counted", self.name)
        return taken

    def give_back(self, taken: Taken) -> None:
        try:
            for key, ttl in taken.keys:
                self.store.add(key, -1, ttl)
        except Exception:
            log.exception("rate-limit store failed; %s not given back", self.name)
        taken.keys.clear()

    def spent(self, subject: str) -> bool:
        """Whether a request of ``subject`` would be refused now."""
        now = time.time()
        try:
            return any(sum(self.store.read(self._slices(subject, rate, now)[0])) >= rate.count
                       for rate in self.rates)
        except Exception:
            log.exception("rate-limit store failed; %s not read", self.name)
            return False


def _wait(slices: list[int], count: int, width: float, current: int, now: float) -> int:
    """Seconds until the oldest slices have left the window enough for one
    more request (``slices`` oldest first, the current one last)."""
    left = sum(slices)
    for age, n in enumerate(slices):
        left -= n
        if left < count:
            # That slice (current - SLICES + age) leaves once SLICES more have begun.
            return max(1, math.ceil((current + age + 1) * width - now))
    return max(1, math.ceil(width * (SLICES + 1)))


# -- whose allowance ---------------------------------------------------------------------------

def _keyed(kind: str, value: str) -> str:
    secret = current_app.config["SECRET_KEY"]
    secret = secret if isinstance(secret, bytes) else str(secret).encode()
    return f"{kind}:" + hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()[:24]


def client_key() -> str:
    """A keyed hash of the client address: counts per client without the
    store (perhaps a shared Redis) ever holding an IP address."""
    return _keyed("client", request.remote_addr or "")


def browser_key() -> str | None:
    """A keyed hash of the browser's random id, if it came with one."""
    browser = session.get(BROWSER)
    return _keyed("browser", browser) if isinstance(browser, str) else None


def ensure_browser() -> None:
    """Give a browser its random id (in its signed session) if it has none."""
    if not isinstance(session.get(BROWSER), str):
        session[BROWSER] = secrets.token_hex(8)


# -- the app's allowances ---------------------------------------------------------------------

#: Config key (``RATELIMIT_`` + this) -> the allowance's name in the store.
ALLOWANCES = {"CODE_ATTEMPTS": "codes-client", "CODE_ATTEMPTS_PER_BROWSER": "codes-browser",
              "BALLOTS_PER_CLIENT": "ballots-client", "BALLOTS_PER_ROUND": "ballots-round",
              "INVALID_BALLOTS": "posts-browser", "LOGINS": "logins-client"}


class Limits:
    def __init__(self, store: Store, config) -> None:
        self.store = store
        self.allowances = {
            key: Allowance(store, name, parse_rates(config[f"RATELIMIT_{key}"],
                                                     f"RATELIMIT_{key}"))
            for key, name in ALLOWANCES.items()}

    def __getitem__(self, key: str) -> Allowance:
        return self.allowances[key]


def limits() -> Limits | None:
    """The app's limits, or None when rate limiting is off."""
    return current_app.extensions.get("surveyapp.limits")


class CodeAttempt:
    """One try at a code or a receipt.  Made before the look-up: a browser
    whose own allowance is spent is refused here.  Then :meth:`right` or
    :meth:`wrong` says how the look-up went."""

    def __init__(self) -> None:
        self._limits = limits()
        browser = browser_key()
        ensure_browser()  # a browser that came without an id is counted from now on
        self._taken = None
        if self._limits and browser:
            self._taken = self._limits["CODE_ATTEMPTS_PER_BROWSER"].take(browser)

    def right(self) -> None:
        if self._taken:
            self._limits["CODE_ATTEMPTS_PER_BROWSER"].give_back(self._taken)

    def wrong(self) -> None:
        """A wrong code: spend the address's allowance too (429 once spent)."""
        if self._limits:
            self._limits["CODE_ATTEMPTS"].take(client_key())


class BallotPost:
    """A ballot post's allowances, once it is read."""

    def __init__(self, round_id: int) -> None:
        self._limits = limits()
        self._round = f"round:{round_id}"

    def _poster(self) -> str:
        # Without an id (a session from before ids, or a replayed cookie)
        # the address stands for the browser.
        return browser_key() or client_key()

    def keeps_failing(self) -> bool:
        """This browser has used up its posts that cannot count."""
        return bool(self._limits) and self._limits["INVALID_BALLOTS"].spent(self._poster())

    def cast(self) -> Taken | None:
        """A complete ballot about to be cast: only the ballot allowances
        (429 once spent)."""
        if not self._limits:
            return None
        taken = self._limits["BALLOTS_PER_CLIENT"].take(client_key())
        try:
            round_taken = self._limits["BALLOTS_PER_ROUND"].take(self._round)
        except TooManyRequests:
            self._limits["BALLOTS_PER_CLIENT"].give_back(taken)
            raise
        return Taken(taken.keys + round_taken.keys)

    def not_cast(self, taken: Taken | None) -> None:
        """The cast was refused (a spent code, a closed round): the ballot
        allowances are given back and the post counts as one that cannot."""
        if not self._limits:
            return
        if taken:
            self._limits["BALLOTS_PER_CLIENT"].give_back(taken)
        try:
            self.cannot_count()
        except TooManyRequests:
            pass  # the refusal page says why already

    def cannot_count(self) -> None:
        """An incomplete or refused post (429 once this browser's allowance is spent)."""
        if self._limits:
            self._limits["INVALID_BALLOTS"].take(self._poster())


def login_attempt() -> Taken | None:
    """Counted as failed before the password is checked (so a burst of
    concurrent tries cannot overshoot), given back when it was right."""
    found = limits()
    return found["LOGINS"].take(client_key()) if found else None


def login_succeeded(taken: Taken | None) -> None:
    if taken and (found := limits()):
        found["LOGINS"].give_back(taken)


def init_app(app: Flask) -> None:
    if not app.config["RATELIMIT_ENABLED"]:
        return
    store = store_from_url(app.config["RATELIMIT_STORAGE_URI"], app.instance_path)
    app.extensions["surveyapp.limits"] = Limits(store, app.config)
