"""Where rate-limit counts live (surveyapp/web/limit_store.py) and how an
allowance spends them (surveyapp/web/limits.py): one count for every
process of the machine, expiring, bounded in size; and "N per period" true
of every span of one period, not only of windows that start at a request."""

from __future__ import annotations

import os
import time
import types

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.exceptions import TooManyRequests

from surveyapp.config import ConfigError
from surveyapp.web import limit_store, limits
from surveyapp.web.limit_store import MachineStore, store_from_url
from surveyapp.web.limits import Allowance, Rate, parse_rates

from .redis_server import redis_url  # noqa: F401  (fixture)


@pytest.fixture
def store(tmp_path):
    return MachineStore(tmp_path / "rate-limits")


def test_the_default_store_is_a_file_in_the_instance_folder(tmp_path):
    made = store_from_url("machine://", str(tmp_path))
    assert isinstance(made, MachineStore) and made.path == tmp_path / "rate-limits"
    assert store_from_url(f"machine://{tmp_path}/x", "ignored").path == tmp_path / "x"
    with pytest.raises(ConfigError, match="no rate-limit store"):
        store_from_url("memcached://localhost", str(tmp_path))


def test_processes_forked_after_opening_count_together(store):
    """Each process takes its own lock on the file: one inherited through
    fork would not exclude the parent's, and counts would be lost."""
    assert store.add("k", 0, 60) == [0]
    children = []
    for _ in range(4):
        pid = os.fork()
        if pid == 0:  # pragma: no cover (the child)
            try:
                for _ in range(2000):
                    store.add("k", 1, 60)
            finally:
                os._exit(0)
        children.append(pid)
    for _ in range(2000):
        store.add("k", 1, 60)
    for pid in children:
        assert os.waitpid(pid, 0)[1] == 0
    assert store.read(["k"]) == [10_000]
    assert MachineStore(store.path).read(["k", "other"]) == [10_000, 0]  # another opener sees it


def test_adding_reads_other_counts_in_the_same_step(store):
    store.add("a", 3, 60)
    assert store.add("b", 2, 60, ["a", "missing"]) == [2, 3, 0]
    assert store.add("b", -1, 60) == [1]


def test_counts_expire_and_are_overwritten(store, monkeypatch):
    monkeypatch.setattr(MachineStore, "SLOTS", 64)
    small = MachineStore(store.path.with_name("small"))
    small.add("gone-soon", 5, 1)
    raw = small.path.read_bytes()
    digest = [d for d in (raw[12 + 32 * i:28 + 32 * i] for i in range(64)) if any(d)]
    assert len(digest) == 1
    time.sleep(1.1)
    assert small.read(["gone-soon"]) == [0]
    small.add("other", 1, 60)  # each change sweeps some slots
    assert digest[0] not in small.path.read_bytes()
    assert small.add("gone-soon", 1, 60) == [1]  # a fresh count


def test_a_full_table_gives_way_to_new_counts_smallest_first(tmp_path, monkeypatch):
    monkeypatch.setattr(MachineStore, "SLOTS", 64)
    monkeypatch.setattr(MachineStore, "PROBES", 64)
    small = MachineStore(tmp_path / "small")
    small.add("round:1", 500, 60)
    for i in range(200):
        small.add(f"client:{i}", 1, 60)
    assert small.read(["round:1"]) == [500]
    assert small.path.stat().st_size == 12 + 64 * 32  # never grows


def test_rates_are_read_as_written():
    assert parse_rates("30 per minute;300 per hour", "X") == (Rate(30, 60), Rate(300, 3600))
    assert parse_rates("5/second, 2 per 10 minutes", "X") == (Rate(5, 1), Rate(2, 600))
    for bad in ("", "often", "0 per minute", "5 per fortnight"):
        with pytest.raises(ConfigError, match="SURVEYAPP_X"):
            parse_rates(bad, "X")


class Clock:
    def __init__(self, monkeypatch):
        self.now = 1_000_000.0
        # The limiter's own clock only: time.time itself stays, for everything else.
        clock = types.SimpleNamespace(time=lambda: self.now)
        monkeypatch.setattr(limits, "time", clock)
        monkeypatch.setattr(limit_store, "time", clock)


def allowed_at(allowance: Allowance, times: list[float], clock: Clock) -> list[float]:
    allowed = []
    for t in times:
        clock.now = t
        try:
            allowance.take("client:x")
            allowed.append(t)
        except TooManyRequests:
            pass
    return allowed


def test_a_burst_either_side_of_a_minute_boundary_is_held_to_the_count(store, monkeypatch):
    """A fixed window from the first request let 30 through just before its
    end and 30 more just after: 60 within two seconds."""
    clock = Clock(monkeypatch)
    start = clock.now
    allowance = Allowance(store, "codes", (Rate(30, 60),))
    allowed = allowed_at(allowance, [start] + [start + 59.5] * 29 + [start + 60.5] * 30, clock)
    assert len(allowed) == 30


@given(gaps=st.lists(st.floats(min_value=0, max_value=20), min_size=1, max_size=150))
def test_no_span_of_one_period_holds_more_than_the_count(tmp_path_factory, gaps):
    store = MachineStore(tmp_path_factory.mktemp("w") / "rate-limits")
    clock = Clock(pytest.MonkeyPatch())
    times, t = [], clock.now
    for gap in gaps:
        t += gap
        times.append(t)
    allowed = allowed_at(Allowance(store, "codes", (Rate(5, 60),)), times, clock)
    for i, t in enumerate(allowed):
        assert sum(1 for u in allowed[i:] if u < t + 60) <= 5
    # ...and it refuses no more than a slice early: 5 at once are fine again
    # once a minute and one slice has passed.
    clock.now = t + 60 + 60 / limits.SLICES + 1
    assert len(allowed_at(Allowance(store, "codes", (Rate(5, 60),)), [clock.now] * 5,
                          clock)) == 5


def test_retry_after_says_when_one_more_will_do(store, monkeypatch):
    clock = Clock(monkeypatch)
    allowance = Allowance(store, "codes", (Rate(2, 60),))
    start = clock.now = 1_000_000.0  # at a slice's start
    allowance.take("client:x")
    clock.now = start + 25
    allowance.take("client:x")
    with pytest.raises(TooManyRequests) as refused:
        allowance.take("client:x")
    wait = int(dict(refused.value.get_headers())["Retry-After"])
    assert 60 <= 25 + wait <= 70  # when the first request's slice leaves the window
    clock.now = start + 25 + wait
    allowance.take("client:x")


def test_a_store_that_fails_lets_requests_through(store, caplog):
    class Broken:
        def add(self, *args):
            raise ConnectionError("down")

        def read(self, keys):
            raise ConnectionError("down")

    allowance = Allowance(Broken(), "codes", (Rate(1, 60),))
    for _ in range(3):
        allowance.take("client:x")
    assert not allowance.spent("client:x")
    assert "rate-limit store failed" in caplog.text


def test_the_redis_store_counts_the_same_way(redis_url):  # noqa: F811
    from surveyapp.web.limit_store import RedisStore

    redis = store_from_url(redis_url, "unused")
    assert isinstance(redis, RedisStore)
    key = f"test-{os.getpid()}-{time.time()}"
    assert redis.add(key, 1, 60) == [1]
    assert redis.add(key + "b", 2, 60, [key, key + "missing"]) == [2, 1, 0]
    assert redis.add(key, -1, 60) == [0]
    assert redis.read([key + "b"]) == [2]
    assert 0 < redis.client.ttl(RedisStore.PREFIX + key) <= 60



def test_threads_of_one_worker_take_turns(tmp_path):
    """flock excludes processes, not the threads of one (they share its descriptor): without a
    lock of their own, one thread's unlock freed another's turn, and ballot posts to a worker
    of several threads could hang (tests/test_load_safety.py)."""
    import threading

    store = MachineStore(tmp_path / "limits")
    inside, leave, done = threading.Event(), threading.Event(), threading.Event()

    def hold() -> None:
        with store._locked():
            inside.set()
            leave.wait(10)

    def add() -> None:
        store.add("round:1", 1, 60)
        done.set()

    holder = threading.Thread(target=hold)
    holder.start()
    assert inside.wait(10)
    threading.Thread(target=add).start()
    assert not done.wait(0.3)  # waits for the holder's turn to end
    leave.set()
    assert done.wait(10)
    holder.join(10)
    assert store.read(["round:1"]) == [1]
