"""Shared fixtures: an app on a fresh, migrated SQLite file per test.

The schema is built once per session by the real Alembic migrations and the
file copied for each test, which keeps the suite fast and proves the
migrations produce a working schema.  With ``SURVEYAPP_TEST_DATABASE_URL``
the same happens on a PostgreSQL server (see tests/databases.py); tests
marked ``sqlite_only`` are skipped there.
"""

from __future__ import annotations

import re

import pytest
from flask import g
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings

from surveyapp import create_app
from surveyapp import rounds as rounds_service
from surveyapp.domain.spec import parse_spec
from surveyapp.extensions import db

from .databases import databases, on_postgresql

# Hypothesis' timing checks fail at random on a busy two-core CI machine;
# the properties themselves are what we test, not generation speed.
settings.register_profile("surveyapp", deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("surveyapp")

SPEC = """
title = "2026年度民主评议党员"
anonymity_min = 2

[scale]
options = [
  { key = "excellent",   label = "优秀",     points = 100 },
  { key = "qualified",   label = "合格",     points = 80 },
  { key = "basic",       label = "基本合格", points = 60 },
  { key = "unqualified", label = "不合格",   points = 0 },
  { key = "unknown",     label = "不了解" },
]

[[groups]]
key = "members"
label = "党员互评"
weight = 60
expected = 5

[[groups]]
key = "masses"
label = "群众评议"
weight = 40
expected = 5

[[subjects]]
key = "zhangsan"
name = "张三"
unit = "工程技术党支部"

[[subjects]]
key = "lisi"
name = "李四"
unit = "工程技术党支部"
"""


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "sqlite_only(reason): needs SQLite itself; skipped on PostgreSQL")


def pytest_collection_modifyitems(config, items):
    if not on_postgresql():
        return
    for item in items:
        if marker := item.get_closest_marker("sqlite_only"):
            reason = marker.kwargs.get("reason") or (marker.args[0] if marker.args else "")
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {reason}"))


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory):
    source = databases(tmp_path_factory.mktemp("schema"))
    yield source
    source.close()


@pytest.fixture
def app_config():
    """Settings a test module may add by overriding this fixture.  The rate
    limiter is off unless a test turns it on (tests/test_security.py)."""
    return {}


class Client(FlaskClient):
    """Requests here run inside the test's app context (so tests and views
    share one database session), and with it one ``g``.  Flask-WTF caches
    the CSRF token in ``g``; drop it so each client gets its own session's
    token, as it would in production."""

    def open(self, *args, **kwargs):
        g.pop("csrf_token", None)
        return super().open(*args, **kwargs)


@pytest.fixture
def app(tmp_path, migrated_db, monkeypatch, app_config):
    monkeypatch.setenv("SURVEYAPP_INSTANCE_PATH", str(tmp_path / "instance"))
    url = migrated_db.fresh(tmp_path)
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret",
        "BASE_URL": "http://vote.example",
        "RATELIMIT_ENABLED": False,
        **app_config,
    })
    app.test_client_class = Client
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    migrated_db.drop(url)


@pytest.fixture
def client(app):
    return app.test_client()


def make_round(spec_text: str = SPEC, *, status: str = "open", slug: str | None = None):
    round_ = rounds_service.create_round(parse_spec(spec_text), actor="test", slug=slug)
    for target in {"draft": [], "open": ["open"], "closed": ["open", "closed"]}[status]:
        rounds_service.set_status(round_, target, actor="test")
    db.session.commit()
    return round_


def issue(round_, group="members", count=1) -> list[str]:
    codes = rounds_service.issue_codes(round_, group, count, actor="test")
    db.session.commit()
    return codes


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def full_ballot(round_, option: str = "qualified") -> dict[str, str]:
    """Form data answering every question of the round with ``option``."""
    return {f"q-{si}-{ci}": option
            for si in range(len(round_.subjects)) for ci in range(len(round_.criteria))}
