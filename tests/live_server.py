"""A real ``surveyapp serve`` (gunicorn, several worker processes) on
loopback, on the test's database, and browser-like clients for it."""

from __future__ import annotations

import http.cookiejar
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from .conftest import csrf_token

ROOT = Path(__file__).resolve().parent.parent
# `surveyapp serve` whether or not the package is installed in the venv.
SURVEYAPP = [sys.executable, "-c", "from surveyapp.cli import main; main()"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_environment(database_url: str, instance: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "SURVEYAPP_DATABASE_URL": database_url,
           "SURVEYAPP_SECRET_KEY": "live-test-secret", "SURVEYAPP_INSTANCE_PATH": str(instance),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT),
                                                        os.environ.get("PYTHONPATH")]))}
    env.update(extra)
    return env


class LiveServer:
    # Four threads per worker (the server's default is one): races between
    # threads of one process as well as between processes.
    def __init__(self, database_url: str, workdir: Path, *, workers: int = 2, threads: int = 4,
                 **env: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / "server.log"
        self._log = self.log.open("wb")
        self.process = subprocess.Popen(
            [*SURVEYAPP, "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", str(workers), "--threads", str(threads)],
            cwd=workdir, env=server_environment(database_url, workdir / "instance", **env),
            stdout=self._log, stderr=subprocess.STDOUT)
        self._wait_ready()

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2):
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not answer within {timeout}s: {self.log.read_text()}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()


class Device:
    """One phone: its own cookies (so its own session) and a ballot it has open."""

    def __init__(self, server: str):
        self.server = server
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.token = ""

    def scan(self, code: str) -> None:
        with self.opener.open(f"{self.server}/c/{code}", timeout=60) as page:
            assert page.url.endswith("/ballot"), page.url
            self.token = csrf_token(page.read().decode())

    def submit(self, answers: dict[str, str]) -> str | int:
        """'done' when the ballot was counted, else the HTTP status."""
        body = urllib.parse.urlencode({"csrf_token": self.token, **answers}).encode()
        try:
            with self.opener.open(f"{self.server}/ballot", data=body, timeout=120) as response:
                return response.url.rsplit("/", 1)[-1]
        except urllib.error.HTTPError as error:
            return error.code
