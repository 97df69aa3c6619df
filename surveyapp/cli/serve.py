"""Running the app under gunicorn from ``surveyapp serve``.

No access log is configured on purpose: an access log line would put a
client's IP and a precise time next to ``POST /ballot``.

Workers are processes, one thread each by default.  A ballot post is CPU
work under the GIL around a short write turn (writers.py); with several
threads in a process, the thread holding the turn gives up the GIL at each
statement and waits to get it back behind the others' Python work, and
every other writer waits with it.  In bench/load.py two single-threaded
workers spent about 2.2 ms of CPU per ballot against 2.5-2.9 ms for two
workers of four threads.  Slow clients are a reverse proxy's job (README).
"""

from __future__ import annotations

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


def run(app: Flask, *, host: str, port: int, workers: int, threads: int = 1) -> None:
    _Server(app, {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
        "timeout": 60,
        # Recent gunicorn (27) opens a control socket at one fixed path per user, which
        # a second instance on the same machine would take over; nothing uses it.
        "control_socket_disable": True,
    }).run()
