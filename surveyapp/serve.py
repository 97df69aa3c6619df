"""Running the app under gunicorn from ``surveyapp serve``.

No access log is configured on purpose: an access log line would put a
client's IP and a precise time next to ``POST /ballot``.
"""

from __future__ import annotations

from flask import Flask
from gunicorn.app.base import BaseApplication


class _Server(BaseApplication):
    def __init__(self, app: Flask, options: dict):
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.application


def run(app: Flask, *, host: str, port: int, workers: int) -> None:
    _Server(app, {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": 4,
        "worker_class": "gthread",
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
        "timeout": 60,
    }).run()
