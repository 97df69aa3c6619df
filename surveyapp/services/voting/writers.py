"""Ballot writers queue for an SQLite database instead of polling it.

SQLite admits one writer at a time.  A writer that finds the database locked
polls it with growing sleeps (1, 2, 5, 10, 15 ms and so on up to the busy
timeout), so the database sits idle while the next writer sleeps.  Under a
burst of ballots that was where the time went: in bench/load.py a ballot
waited 12 to 16 ms on average for its first write, while the writing and the
commit took about 2 ms.

So ballots take a turn here first: the threads of one process wait on a
lock, and processes (gunicorn workers) wait on ``flock`` of a file beside the
database.  Either wakes the next writer as soon as the last one is done.
Other writers (the console, the CLI) do not queue; they still meet SQLite's
busy timeout, which stays correct, only slower.  PostgreSQL locks rows and
needs none of this: there a turn is a no-op.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

from sqlalchemy.engine import Engine

SUFFIX = "-writers"  # beside app.sqlite, app.sqlite-wal and app.sqlite-shm


class WriterQueue:
    """One queue per database file and process."""

    def __init__(self, path: str):
        self.path = path
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._pid = os.getpid()

    @contextmanager
    def turn(self) -> Iterator[None]:
        if self._pid != os.getpid():  # a forked worker: its own lock and file
            self._lock, self._fd, self._pid = threading.Lock(), None, os.getpid()
        with self._lock:
            if self._fd is None:
                # Never the database file itself: closing any descriptor of
                # it would drop SQLite's own locks in this process.
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)


_queues: dict[str, WriterQueue] = {}
_queues_lock = threading.Lock()


def writer_turn(engine: Engine) -> AbstractContextManager[None]:
    """A context in which to run one write transaction on ``engine``: a turn
    in its file's queue on SQLite, nothing on other databases (or an
    in-memory SQLite, which has one connection anyway)."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return nullcontext()
    path = os.path.abspath(url.database) + SUFFIX
    queue = _queues.get(path)
    if queue is None:
        with _queues_lock:
            queue = _queues.setdefault(path, WriterQueue(path))
    return queue.turn()
