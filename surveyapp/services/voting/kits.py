"""Ballot kits made ahead: sealing a ballot is ~20 ms of curve arithmetic,
nearly all of which does not depend on its answers (domain/ballot_box/
sealing.ballot_kit).  Each worker process keeps a few kits per open round,
made by one background thread while the worker waits for requests, so that
when a meeting of hundreds submits at once, sealing their ballots costs
little more than hashing.

The filler works only once the server has been quiet for :data:`QUIET`
seconds: while ballots arrive, making kits would only compete with them for
the CPU (the work is the same either way), so a burst spends the kits and
the pools fill again after it.  "The server" is every worker forked from
the process that imported this module: they share the time of the last
ballot through a page of shared memory, so a worker that happens to be idle
does not make kits while the others are busy.

Kits are randomness: each is used once (``take`` pops it) and belongs to the
process that made it.  A pool copied into another process by a fork is
never used there, or two workers would seal with the same randomness.
Under a sustained load the pools drain and every ballot makes its own kit,
exactly as without them.
"""

from __future__ import annotations

import mmap
import os
import struct
import threading
import time
import weakref
from collections import deque

from ...domain.ballot_box.sealing import RoundLock, ballot_kit, kit_size

#: Seconds without a ballot anywhere on the server before kits are made again.
QUIET = 0.5
#: Bytes of kits one pool keeps, whatever the round's size: 100 kits of a
#: 20-person ballot fit (5.5 MB); a round with the largest ballot
#: (domain/bounds.py) gets fewer kits, not more memory.
POOL_BYTES_MAX = 8 * 1024 * 1024

# The monotonic time of the last ballot sealed by any worker: anonymous
# shared memory, made before gunicorn forks the workers and inherited by them.
_LAST_BALLOT = mmap.mmap(-1, 8)


def _mark_busy() -> None:
    struct.pack_into("d", _LAST_BALLOT, 0, time.monotonic())


def _quiet_for() -> float:
    return time.monotonic() - struct.unpack_from("d", _LAST_BALLOT, 0)[0]


class KitPool:
    """Up to ``target`` kits for one round's lock, in this process, and no
    more than POOL_BYTES_MAX of them."""

    def __init__(self, lock: RoundLock, target: int):
        self.lock = lock
        self.target = min(target, POOL_BYTES_MAX // kit_size(lock.layout))
        self._kits: deque[bytes] = deque()
        self._pid = os.getpid()
        if target > 0:
            _filler().add(self)

    def take(self) -> bytes | None:
        """A kit never used before, or None (then the caller makes its own)."""
        if self._pid != os.getpid():  # copied by a fork: its kits are another process's
            self._kits.clear()
            return None
        try:
            kit = self._kits.popleft()
        except IndexError:
            kit = None
        _filler().busy()
        return kit

    def wanted(self) -> int:
        return 0 if self._pid != os.getpid() else self.target - len(self._kits)

    def make_one(self) -> None:
        self._kits.append(ballot_kit(self.lock))

    def __len__(self) -> int:
        return len(self._kits)


class _Filler:
    """One daemon thread per process filling the pools that want kits, the
    emptiest first.  libsecp256k1's calls release the GIL, so requests
    are served between them."""

    def __init__(self):
        self._pools: weakref.WeakSet[KitPool] = weakref.WeakSet()
        self._wake = threading.Condition()
        self._pid = os.getpid()
        threading.Thread(target=self._run, name="ballot-kits", daemon=True).start()

    def add(self, pool: KitPool) -> None:
        with self._wake:
            self._pools.add(pool)
            self._wake.notify()

    def busy(self) -> None:
        """A ballot is being sealed: wait for quiet, then fill again."""
        _mark_busy()
        with self._wake:
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                pool = max(list(self._pools), key=KitPool.wanted, default=None)
                if pool is None or pool.wanted() <= 0:
                    self._wake.wait(timeout=60)
                    continue
                quiet_for = _quiet_for()
                if quiet_for < QUIET:
                    self._wake.wait(timeout=QUIET - quiet_for)
                    continue
            pool.make_one()


_FILLER: _Filler | None = None
_FILLER_LOCK = threading.Lock()


def _filler() -> _Filler:
    """This process's filler, started on first use (and anew after a fork)."""
    global _FILLER
    with _FILLER_LOCK:
        if _FILLER is None or _FILLER._pid != os.getpid():
            _FILLER = _Filler()
        return _FILLER
