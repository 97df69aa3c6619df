"""Browser tests: the app served by a real threaded server, driven by
Debian's Chromium through Playwright (never a browser Playwright downloads).

Fixtures for any test in this folder:

``live_server``
    Base URL of the test's ``app`` served on 127.0.0.1 (a free port).
``browser``
    One Chromium for the whole session.
``new_page(viewport=(360, 640), locale="zh-CN", javascript=True, **context_options)``
    A page in a fresh browser context (own cookies), opened on the live
    server's base URL; a phone by default.  Console messages about the
    Content Security Policy and uncaught page errors fail the test.
``page``
    ``new_page()`` with the defaults.
``screenshot(page, name, full_page=True)``
    A PNG under ``test-artifacts/<test module>/``.
``accessibility_violations(page, within=None)``
    axe-core's serious and critical violations on the page as it is now (or
    only inside the elements the CSS selector ``within`` picks).
``secretary_account``
    A 党支部 and its secretary "shuji" (password "password-shuji").
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
# Served on the page's own origin by a route, so the strict CSP stays on.
AXE_URL = "/__test__/axe.min.js"


def _missing(what: str, how: str):
    # On CI a missing tool is a broken set-up, not a reason to skip.
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing: {how}")
    pytest.skip(f"{what} is missing: {how}")


class QuietHandler(WSGIRequestHandler):
    """No access log: it would pair an address and a time with POST /ballot."""

    def log_request(self, *args, **kwargs):
        pass


@pytest.fixture
def live_server(app):
    httpd = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        _missing("Debian's Chromium", "apt-get install chromium (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server):
    contexts = []
    problems: list[str] = []

    def make(*, viewport=(360, 640), locale="zh-CN", javascript=True, **options):
        phone = viewport[0] < 600
        settings = {"is_mobile": phone, "has_touch": phone, **options}
        context = browser.new_context(
            base_url=live_server, viewport={"width": viewport[0], "height": viewport[1]},
            locale=locale, java_script_enabled=javascript, **settings)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: problems.append(
            f"{page.url}: {message.text} (from {message.location.get('url')}:"
            f"{message.location.get('lineNumber')})")
            if "Content Security Policy" in message.text else None)
        page.on("pageerror", lambda error: problems.append(f"{page.url}: page error: {error}"))
        return page

    yield make
    for context in contexts:
        context.close()
    # e.g. a style="" attribute or an inline script: the CSP blocks them in
    # production too, so the page is not what it looks like in the template.
    assert not problems, "\n".join(problems)


@pytest.fixture
def secretary_account(app):
    """A 党支部 with its secretary, user "shuji", password "password-shuji"."""
    from werkzeug.security import generate_password_hash

    from surveyapp.database import db
    from surveyapp.models import Organisation, User

    org = Organisation(name="第一党支部", kind="党支部")
    db.session.add(org)
    db.session.flush()
    db.session.add(User(username="shuji", role="secretary", org_id=org.id,
                        password_hash=generate_password_hash("password-shuji")))
    db.session.commit()
    return org


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def screenshot(request):
    folder = ARTIFACTS / request.module.__name__.rsplit(".", 1)[-1]

    def take(page, name: str, *, full_page: bool = True) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
        # caret="initial": hiding the caret injects a style, after which
        # Chromium reports the next htmx swap as an inline-style CSP violation.
        page.screenshot(path=str(path), full_page=full_page, caret="initial")
        return path

    return take


@pytest.fixture
def accessibility_violations():
    if not AXE.exists():
        _missing("axe-core", "npm ci (make setup does)")

    def scan(page, within: str | None = None) -> list[dict]:
        page.route(f"**{AXE_URL}", lambda route: route.fulfill(
            path=str(AXE), content_type="text/javascript"))
        page.add_script_tag(url=AXE_URL)
        page.unroute(f"**{AXE_URL}")
        result = page.evaluate("(within) => axe.run(within ? {include: [within]} : document, "
                               "{resultTypes: ['violations']})", within)
        return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
                 "nodes": [n["html"][:200] for n in v["nodes"][:5]]}
                for v in result["violations"] if v["impact"] in ("serious", "critical")]

    return scan
