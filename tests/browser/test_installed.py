"""surveyapp installed the way an operator installs it, not run from this
checkout: an sdist and a wheel are built, the wheel made from the sdist is
installed into a fresh virtualenv, and its own ``surveyapp serve`` serves a
page that Chromium loads with every script, htmx included (issue 17, item 4:
pip-installed, the live turnout stayed frozen because htmx was missing).

The fresh virtualenv gets surveyapp from the wheel only; its dependencies
(Flask, gunicorn...) are borrowed from this one through a ``.pth`` line,
which adds that folder to the path without running its ``.pth`` files, so
this checkout's editable install stays out of it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

from surveyapp.paths import STATIC_DIR
from surveyapp.web.pages import HTMX

from ..live_server import free_port

ROOT = Path(__file__).resolve().parents[2]
HERE_SITE = Path(sysconfig.get_paths()["purelib"])
# Their entry points are visible through the borrowed folder but their code
# (editable installs) is not: leave them out.
NO_PLUGINS = "-cadre-evaluation,-four-strong-four-excellent,-party-member-appraisal"


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True,
                            timeout=300, **kwargs)
    assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtualenv with surveyapp installed from a wheel built from
    an sdist of this checkout; returns its bin folder."""
    work = tmp_path_factory.mktemp("installed")
    run(sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d", work / "sdist",
        cwd=ROOT)
    [sdist] = (work / "sdist").glob("surveyapp-*.tar.gz")
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", work / "wheel", sdist)
    [wheel] = (work / "wheel").glob("surveyapp-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        shipped = archive.read(f"surveyapp/static/{HTMX}")
    assert shipped == (STATIC_DIR / HTMX).read_bytes()

    venv = work / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    run(sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install",
        "--no-deps", "-q", wheel)
    purelib = run(venv / "bin" / "python", "-c",
                  "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip()
    Path(purelib, "borrowed-dependencies.pth").write_text(f"{HERE_SITE}\n")
    where = run(venv / "bin" / "python", "-c", "import surveyapp; print(surveyapp.__file__)",
                cwd=work).stdout.strip()
    assert where.startswith(str(venv)), where  # the wheel's copy, not this checkout
    return venv / "bin"


def test_an_installed_wheel_serves_pages_with_htmx(installed, browser, tmp_path):
    env = {**os.environ, "SURVEYAPP_INSTANCE_PATH": str(tmp_path / "instance"),
           "SURVEYAPP_SECRET_KEY": "installed-test", "SURVEYAPP_PLUGINS": NO_PLUGINS,
           "SURVEYAPP_DATABASE_URL": f"sqlite:///{tmp_path / 'app.sqlite'}"}
    env.pop("PYTHONPATH", None)
    port = free_port()
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen([installed / "surveyapp", "serve", "--port", str(port),
                               "--workers", "1"], cwd=tmp_path, env=env, stdout=log,
                              stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (tmp_path / "server.log").read_text()
            try:
                urllib.request.urlopen(url + "/", timeout=2).close()
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, (tmp_path / "server.log").read_text()
                time.sleep(0.2)
        context = browser.new_context()
        page = context.new_page()
        failed = []
        page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
        page.goto(url + "/")
        scripts = page.eval_on_selector_all("script[src]", "s => s.map(e => e.src)")
        assert f"{url}/static/{HTMX}" in scripts
        page.wait_for_function("() => window.htmx !== undefined")
        lock = json.loads((ROOT / "package-lock.json").read_text())
        assert page.evaluate("() => htmx.version") == (
            lock["packages"]["node_modules/htmx.org"]["version"])
        assert failed == []
        context.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
