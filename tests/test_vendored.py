"""htmx is kept in the repository (surveyapp/static/vendor) so that every way
of installing surveyapp ships it (DESIGN.md): this checks the kept copy byte
for byte against the one npm installs from the lock file, so it is exactly
the pinned release.  tests/browser/test_installed.py installs a built wheel
and loads a page's scripts."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from surveyapp.paths import STATIC_DIR
from surveyapp.web.pages import HTMX

ROOT = Path(__file__).resolve().parent.parent
NPM_COPY = ROOT / "node_modules" / "htmx.org"


def test_the_kept_htmx_is_the_locked_release_byte_for_byte():
    kept = STATIC_DIR / HTMX
    assert kept.is_file(), f"{kept} is missing"
    if not NPM_COPY.exists():
        message = "node_modules is missing: npm ci (make setup does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    lock = json.loads((ROOT / "package-lock.json").read_text())
    pinned = json.loads((ROOT / "package.json").read_text())["dependencies"]["htmx.org"]
    locked = lock["packages"]["node_modules/htmx.org"]["version"]
    installed = json.loads((NPM_COPY / "package.json").read_text())["version"]
    assert pinned == locked == installed, (pinned, locked, installed)
    assert kept.read_bytes() == (NPM_COPY / "dist" / "htmx.min.js").read_bytes(), (
        "surveyapp/static/vendor/htmx.min.js differs from the locked htmx.org: run make vendor")


def test_pages_load_htmx(client):
    page = client.get("/").get_data(as_text=True)
    assert '<script src="/static/vendor/htmx.min.js" defer></script>' in page
    assert client.get("/static/vendor/htmx.min.js").status_code == 200
