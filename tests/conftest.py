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
from werkzeug.security import generate_password_hash

from surveyapp import create_app
from surveyapp.database import db
from surveyapp.domain.spec import parse_spec
from surveyapp.models import Organisation, User
from surveyapp.services import codes as codes_service
from surveyapp.services import counting
from surveyapp.services import rounds as rounds_service
from surveyapp.services.voting.statements import Prepared

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
    the CSRF token in ``g`` and Flask-Login the user; drop them so each
    request reads its own session's, as it would in production."""

    def open(self, *args, **kwargs):
        g.pop("csrf_token", None)
        g.pop("_login_user", None)
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
        "BALLOT_KITS": 0,  # no background kit-making in tests but tests/test_kits.py
        **app_config,
    })
    app.test_client_class = Client
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    migrated_db.drop(url)


class DriverStatements:
    """What the ballot's statements on the driver's cursor (surveyapp/services/voting/statements.py)
    run, which SQLAlchemy's cursor events never see: ``seen`` holds their SQL
    (lower case, one line); ``before(sql)`` hooks may raise to inject a fault,
    ``after(sql, cursor)`` hooks see the result (``cursor`` is None after an
    executemany)."""

    def __init__(self, monkeypatch):
        self.seen: list[str] = []
        self.before: list = []
        self.after: list = []
        execute, executemany = Prepared.execute, Prepared.executemany

        def around(run):
            def wrapper(prepared, connection, parameters):
                sql = " ".join(prepared.sql(connection.dialect).split()).lower()
                for hook in self.before:
                    hook(sql)
                result = run(prepared, connection, parameters)
                self.seen.append(sql)
                for hook in self.after:
                    hook(sql, result)
                return result
            return wrapper

        monkeypatch.setattr(Prepared, "execute", around(execute))
        monkeypatch.setattr(Prepared, "executemany", around(executemany))


@pytest.fixture
def driver_statements(monkeypatch) -> DriverStatements:
    return DriverStatements(monkeypatch)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def cli(app, tmp_path):
    """``cli("rounds", "create", path, input=None)``: the command line, with
    the session refreshed afterwards so tests see what it committed.
    ``cli.count(slug)`` counts a round opened with ``cli("rounds", "open",
    slug)`` with the shares that command printed, as its 监票人 would."""
    runner = app.test_cli_runner()
    printed: dict[str, list[str]] = {}

    def invoke(*args, input=None):
        args = [str(a) for a in args]
        result = runner.invoke(args=args, input=input)
        db.session.expire_all()
        if args[:2] == ["rounds", "open"] and result.exit_code == 0:
            printed[args[2]] = [line.split(":", 1)[1].strip()
                                for line in result.output.splitlines()
                                if line.startswith("share:")]
        return result

    def count(slug: str):
        files = []
        for i, text in enumerate(printed.get(slug, []), start=1):
            path = tmp_path / f"{slug}-share-{i}.txt"
            path.write_text(f"share: {text}\n", encoding="utf-8")
            files += ["--share", path]
        return invoke("rounds", "count", slug, *files)

    invoke.count = count
    return invoke


#: The 监票人's shares of each round the tests opened, by round id: what the
#: trustees would carry home.  Tests count rounds with them (count_round).
SHARES: dict[int, list] = {}


def open_round(round_):
    """Open a draft; its shares are kept in SHARES for count_round."""
    SHARES[round_.id] = rounds_service.open_round(round_, actor="test")
    return SHARES[round_.id]


def count_round(round_, shares=None):
    """开箱计票 with the shares the round was opened with (or ``shares``)."""
    counting.count_round(round_, SHARES.get(round_.id, []) if shares is None else shares,
                         actor="test")


def make_round(spec_text: str = SPEC, *, status: str = "open", slug: str | None = None):
    """A round in ``status``: draft, open, closed or counted (closed, then counted)."""
    round_ = rounds_service.create_round(parse_spec(spec_text), actor="test", slug=slug)
    if status != "draft":
        open_round(round_)
    if status in ("closed", "counted"):
        rounds_service.transition(round_, "close", actor="test")
    if status == "counted":
        count_round(round_)
    db.session.commit()
    return round_


def issue(round_, group="members", count=1) -> list[str]:
    codes = codes_service.issue(round_, group, count, actor="test")[0]
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


def add_user(name: str, role: str, org) -> None:
    """An organiser whose password is ``password-<name>`` (see :func:`login`)."""
    db.session.add(User(username=name, role=role, org_id=org.id if org else None,
                        password_hash=generate_password_hash("password-" + name)))


@pytest.fixture
def orgs(app):
    """企业 → 党委 → two 党支部, with secretaries "a" and "b" of the branches,
    "party" of the committee, and "root", an admin."""
    company = Organisation(name="示例集团", kind="企业")
    db.session.add(company)
    db.session.flush()
    committee = Organisation(name="机关党委", kind="党委", parent_id=company.id)
    db.session.add(committee)
    db.session.flush()
    branch_a = Organisation(name="第一党支部", kind="党支部", parent_id=committee.id)
    branch_b = Organisation(name="第二党支部", kind="党支部", parent_id=committee.id)
    db.session.add_all([branch_a, branch_b])
    db.session.flush()
    for name, role, org in [("a", "secretary", branch_a), ("b", "secretary", branch_b),
                            ("party", "secretary", committee), ("root", "admin", None)]:
        add_user(name, role, org)
    db.session.commit()
    return {"company": company, "committee": committee, "a": branch_a, "b": branch_b}


def login(client, name: str, password: str | None = None):
    """Post the login form; returns the response (302 when it worked)."""
    page = client.get("/admin/login").get_data(as_text=True)
    return client.post("/admin/login", data={"csrf_token": csrf_token(page), "username": name,
                                             "password": password or "password-" + name})
