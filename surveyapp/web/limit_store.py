"""Where rate-limit counts live, so that a limit holds for every worker
process of the machine (``machine://``, the default) or for several
machines (``redis://``).

Both offer the one operation the allowances (limits.py) need: add to a
count and read others in the same step.  Keys are already keyed hashes of
addresses or browsers, and every count expires.

``machine://`` needs no server: a fixed-size hash table in a file of the
instance folder (``rate-limits``, 4 MB), mapped into memory by every
process that opens it and changed under an ``flock``, so gunicorn's
workers, a second ``surveyapp serve`` on the same database, or a test's
processes all count together.  Expired counts are overwritten as the
table is used.  When it is full the smallest counts are dropped first.
"""

from __future__ import annotations

import fcntl
import hashlib
import mmap
import os
import struct
import threading
import time
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from ..config import ConfigError


class Store(Protocol):
    def add(self, key: str, amount: int, ttl: int, read: Sequence[str] = ()) -> list[int]:
        """Add ``amount`` to ``key``'s count (a new count lives ``ttl``
        seconds) and return, in one step, its new count followed by the
        counts of the keys in ``read`` (0 for none)."""

    def read(self, keys: Sequence[str]) -> list[int]:
        """The counts of ``keys`` (0 for none)."""


def store_from_url(url: str, instance_path: str) -> Store:
    scheme = urlsplit(url).scheme
    if scheme == "machine":
        path = urlsplit(url).path
        return MachineStore(Path(path) if path else Path(instance_path) / "rate-limits")
    if scheme in ("redis", "rediss", "unix"):
        return RedisStore(url)
    raise ConfigError(f"SURVEYAPP_RATELIMIT_STORAGE_URL: {url!r} is no rate-limit store; "
                      "use machine:// (the default) or redis://HOST:PORT")


# -- machine:// ------------------------------------------------------------------------------

_SLOT = struct.Struct("<16sqd")  # key digest, count, expiry (Unix time)
_HEADER = struct.Struct("<8sI")  # magic, next slot to sweep
_MAGIC = b"SVYRL\x00\x01\x00"
_EMPTY = bytes(16)  # never used: a probe may stop here
_GONE = b"\xff" * 16  # used and expired: a probe goes on past it


class MachineStore:
    SLOTS = 1 << 17  # 4 MB; a client's count takes a slot per limit and 10 s
    PROBES = 32  # slots looked at for a key before the smallest count gives way
    SWEEP = 64  # expired slots overwritten per change, so nothing lingers

    def __init__(self, path: Path):
        self.path = Path(path)
        self._pid: int | None = None
        self._threads = threading.Lock()
        self._open()

    def _open(self) -> None:
        # Per process: a lock taken on a descriptor inherited through fork
        # would not exclude the parent, which holds the same one.
        size = _HEADER.size + self.SLOTS * _SLOT.size
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            if os.fstat(fd).st_size != size:
                os.ftruncate(fd, 0)
                os.ftruncate(fd, size)
                os.pwrite(fd, _HEADER.pack(_MAGIC, 0), 0)
            memory = mmap.mmap(fd, size)
            if memory[:8] != _MAGIC:
                raise ConfigError(f"{self.path} is not a surveyapp rate-limit file")
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
        self._fd, self._memory, self._pid = fd, memory, os.getpid()

    @contextmanager
    def _locked(self):
        # flock excludes other processes only: threads of one process share the
        # descriptor, so they take turns on a lock of their own first (without
        # it, one thread's unlock freed another's turn, and a worker of several
        # threads could hang every ballot post).
        with self._threads:
            if self._pid != os.getpid():  # a forked worker opens its own
                self._open()
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                yield self._memory
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)

    def add(self, key: str, amount: int, ttl: int, read: Sequence[str] = ()) -> list[int]:
        now = time.time()
        with self._locked() as memory:
            slot, count, expiry = self._find(memory, _digest(key), now, create=True)
            if expiry <= now:
                count, expiry = 0, now + ttl
            count += amount
            _SLOT.pack_into(memory, self._at(slot), _digest(key), count, expiry)
            counts = [count] + [self._count(memory, _digest(k), now) for k in read]
            self._sweep(memory, now)
        return counts

    def read(self, keys: Sequence[str]) -> list[int]:
        now = time.time()
        with self._locked() as memory:
            return [self._count(memory, _digest(k), now) for k in keys]

    def _at(self, slot: int) -> int:
        return _HEADER.size + slot * _SLOT.size

    def _count(self, memory: mmap.mmap, digest: bytes, now: float) -> int:
        _slot, count, expiry = self._find(memory, digest, now, create=False)
        return count if expiry > now else 0

    def _find(self, memory: mmap.mmap, digest: bytes, now: float, *,
              create: bool) -> tuple[int, int, float]:
        """The slot of ``digest`` with its count and expiry; if it has none
        (and ``create``), a slot for it with expiry 0."""
        start = int.from_bytes(digest[:8], "little")
        free = smallest = None
        for probe in range(self.PROBES):
            slot = (start + probe) % self.SLOTS
            found, count, expiry = _SLOT.unpack_from(memory, self._at(slot))
            if found == digest:
                return slot, count, expiry
            if found == _EMPTY:
                free = slot if free is None else free
                break
            if expiry <= now:
                free = slot if free is None else free
            elif smallest is None or count < smallest[1]:
                smallest = (slot, count)
        if not create:
            return -1, 0, 0.0
        if free is None:  # full here: the smallest count gives way
            free = smallest[0]
        return free, 0, 0.0

    def _sweep(self, memory: mmap.mmap, now: float) -> None:
        _magic, hand = _HEADER.unpack_from(memory, 0)
        for slot in range(hand, hand + self.SWEEP):
            at = self._at(slot % self.SLOTS)
            found, _count, expiry = _SLOT.unpack_from(memory, at)
            if found not in (_EMPTY, _GONE) and expiry <= now:
                _SLOT.pack_into(memory, at, _GONE, 0, 0.0)
        _HEADER.pack_into(memory, 0, _MAGIC, (hand + self.SWEEP) % self.SLOTS)


def _digest(key: str) -> bytes:
    digest = hashlib.blake2b(key.encode(), digest_size=16).digest()
    return digest if digest not in (_EMPTY, _GONE) else b"\x01" + digest[1:]


# -- redis:// ------------------------------------------------------------------------------

class RedisStore:
    """Counts in Redis (or Valkey), shared by every instance that names it;
    each change is one MULTI/EXEC round trip."""

    PREFIX = "surveyapp:"

    def __init__(self, url: str):
        try:
            import redis
        except ImportError:
            raise ConfigError("SURVEYAPP_RATELIMIT_STORAGE_URL names Redis, but its client is "
                              "not installed: pip install 'surveyapp[redis]'") from None
        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def add(self, key: str, amount: int, ttl: int, read: Sequence[str] = ()) -> list[int]:
        pipe = self.client.pipeline(transaction=True)
        pipe.set(self.PREFIX + key, 0, ex=ttl, nx=True)
        pipe.incrby(self.PREFIX + key, amount)
        if read:
            pipe.mget([self.PREFIX + k for k in read])
        done = pipe.execute()
        return [int(done[1])] + [int(v or 0) for v in (done[2] if read else [])]

    def read(self, keys: Sequence[str]) -> list[int]:
        return [int(v or 0) for v in self.client.mget([self.PREFIX + k for k in keys])]
