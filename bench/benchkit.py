"""What the benches share: a best-of timer and waiting for a server to listen.

Imported by the bench scripts as ``from benchkit import ...`` (a script's own folder is first
on its path)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path


class Timer:
    """Best wall-clock and CPU time over several runs.  Runs of the things
    compared are interleaved, so a busy machine slows them alike."""

    def __init__(self):
        self.wall = self.cpu = float("inf")
        self.result = None

    def run(self, work) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        self.result = work()
        self.wall = min(self.wall, time.perf_counter() - wall)
        self.cpu = min(self.cpu, time.process_time() - cpu)


def wait_ready(port: int, process: subprocess.Popen, log: Path) -> None:
    """Return once the server answers on ``port``; exit with its log if it died or never did."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"server exited:\n{log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"server did not start:\n{log.read_text()}")
