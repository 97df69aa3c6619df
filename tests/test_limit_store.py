"""The default rate-limit store (surveyapp/web/limit_store.py): counts like
limits' ``memory://`` but starts no timer threads, and still forgets expired
counts and the keys behind them."""

from __future__ import annotations

import threading
import time

import pytest
from limits import parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

from surveyapp.web import limit_store
from surveyapp.web.limit_store import SweptMemoryStorage


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True}


def test_it_is_the_apps_default_store(app):
    [limiter] = app.extensions["limiter"]
    assert type(limiter.storage) is SweptMemoryStorage
    assert type(storage_from_string("swept-memory://")) is SweptMemoryStorage


def counts_starting(storage) -> int:
    """Threads started while counting 30 hits 15 ms apart."""
    started = []
    real_start = threading.Thread.start

    def start(thread):
        started.append(thread)
        real_start(thread)

    threading.Thread.start = start
    try:
        limiter = FixedWindowRateLimiter(storage)
        for _ in range(30):
            assert limiter.hit(parse("1000 per minute"), "client:abc")
            time.sleep(0.015)
    finally:
        threading.Thread.start = real_start
    return len(started)


def test_counting_starts_no_threads():
    assert counts_starting(MemoryStorage()) > 5  # what it replaces: a timer per 10 ms
    assert counts_starting(SweptMemoryStorage()) == 0


def test_expired_counts_and_their_keys_are_dropped(monkeypatch):
    monkeypatch.setattr(limit_store, "SWEEP_EVERY", 0.05)
    storage = SweptMemoryStorage()
    limiter = FixedWindowRateLimiter(storage)
    item = parse("2 per second")
    assert limiter.hit(item, "client:a") and limiter.hit(item, "client:a")
    assert not limiter.hit(item, "client:a")  # the limit holds
    time.sleep(1.1)
    assert limiter.hit(item, "client:b")  # a later count sweeps the forgotten key
    assert not any("client:a" in key for key in storage.storage)
    assert limiter.hit(item, "client:a")  # and the expired client may count again
