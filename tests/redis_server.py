"""A real redis-server for the shared rate-limit store: the one
``SURVEYAPP_TEST_REDIS_URL`` names (.ci/run starts Debian's), or one started
here on a free loopback port when the binary is installed."""

from __future__ import annotations

import os
import shutil
import subprocess
import time

import pytest

from .live_server import free_port


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    if url := os.environ.get("SURVEYAPP_TEST_REDIS_URL"):
        yield url
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("needs redis-server (Debian's package; .ci/run installs it) "
                    "or SURVEYAPP_TEST_REDIS_URL")
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        import redis

        client = redis.Redis.from_url(url)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
