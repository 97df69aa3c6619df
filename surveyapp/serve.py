"""Running the app under gunicorn from ``surveyapp serve``.

No access log is configured on purpose: an access log line would put a
client's IP and a precise time next to ``POST /ballot``.
"""

from __future__ import annotations

from flask import Flask
from gunicorn.app.base import BaseApplication

from .extensions import db


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


def run(app: Flask, *, host: str, port: int, workers: int) -> None:
    # The migrations ran in this (master) process: its pooled connections must
    # not be inherited by the forked workers, which would talk over one socket.
    with app.app_context():
        db.engine.dispose()
    _Server(app, {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": 4,
        "worker_class": "gthread",
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
        "timeout": 60,
        # Recent gunicorn (27) opens a control socket at one fixed path per user, which
        # a second instance on the same machine would take over; nothing uses it.
        "control_socket_disable": True,
    }).run()
