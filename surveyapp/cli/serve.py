"""Running the app under gunicorn from ``surveyapp serve``.

No access log is configured on purpose: an access log line would put a
client's IP and a precise time next to ``POST /ballot``.

Workers are processes, one thread each by default (gunicorn's "sync"
class, whose timeout stops a request that runs away).  A ballot post is CPU
work under the GIL around a short write turn (writers.py); with several
threads in a process, the thread holding the turn gives up the GIL at each
statement and waits to get it back behind the others' Python work, and
every other writer waits with it.  In bench/load.py two single-threaded
workers spent about 2.2 ms of CPU per ballot against 2.5-2.9 ms for two
workers of four threads.  Slow clients are a reverse proxy's job (README).
"""

from __future__ import annotations

import contextvars
import os

from flask import Flask
from gunicorn.app.base import BaseApplication


class _Server(BaseApplication):
    def __init__(self, app: Flask, options: dict):
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            if key in self.cfg.settings:  # settings newer than the installed gunicorn are skipped
                self.cfg.set(key, value)

    def load(self):
        return self.application


def default_workers() -> int:
    """Two processes per CPU: one can compute while another waits for the
    disk or its write turn."""
    return 2 * (os.cpu_count() or 1)


#: Seconds a request may run before gunicorn restarts its worker: the bounds
#: on every input (domain/bounds.py) keep requests to a few seconds, and this
#: stops anything that still runs away.  Only workers of one thread honour
#: it (gunicorn's "sync" class); with --threads above 1 ("gthread") the
#: worker's main thread keeps reporting alive while a request runs.
TIMEOUT = 30


def settings(*, host: str, port: int, workers: int, threads: int = 1) -> dict:
    """gunicorn's settings for ``surveyapp serve``."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "sync" if threads == 1 else "gthread",
        # No access log: a line would put a client's address and a precise
        # time beside POST /ballot (tests/test_serve_options.py runs the
        # real server and reads everything it wrote).
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
        "timeout": TIMEOUT,
        # Recent gunicorn (27) opens a control socket at one fixed path per user, which
        # a second instance on the same machine would take over; nothing uses it.
        "control_socket_disable": True,
    }


def run(app: Flask, *, host: str, port: int, workers: int, threads: int = 1) -> None:
    server = _Server(app, settings(host=host, port=port, workers=workers, threads=threads))
    # Serve in an empty context: the command runs inside an app context, and
    # a sync worker's requests run on the thread that inherits it, where Flask
    # would reuse it (and its ``g``, the CSRF token cached there) for every
    # request instead of giving each its own.
    contextvars.Context().run(server.run)
