"""Where each test's database comes from.

By default a SQLite file migrated once per session and copied for each test.
With ``SURVEYAPP_TEST_DATABASE_URL`` set to a PostgreSQL server (a
``postgresql+psycopg://`` URL to a database we may connect to, usually
``postgres``), a template database is migrated once and each test gets
``CREATE DATABASE ... TEMPLATE`` of it, dropped afterwards.  Either way the
real Alembic migrations build the schema.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

SERVER_URL = os.environ.get("SURVEYAPP_TEST_DATABASE_URL")


def on_postgresql() -> bool:
    return bool(SERVER_URL)


def migrate(url: str) -> None:
    from surveyapp import create_app
    from surveyapp.database import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "t"})
    with app.app_context():
        upgrade()
        db.engine.dispose()


class SqliteDatabases:
    def __init__(self, workdir: Path):
        self.schema = workdir / "schema.sqlite"
        migrate(f"sqlite:///{self.schema}")

    def fresh(self, tmp_path: Path) -> str:
        path = tmp_path / "test.sqlite"
        shutil.copy(self.schema, path)
        return f"sqlite:///{path}"

    def drop(self, url: str) -> None:
        pass  # the file goes with tmp_path

    def close(self) -> None:
        pass


class PostgresDatabases:
    def __init__(self, server_url: str):
        self.server = make_url(server_url)
        # CREATE/DROP DATABASE cannot run inside a transaction.
        self.admin = create_engine(self.server, isolation_level="AUTOCOMMIT")
        self.template = f"surveyapp_tpl_{os.getpid()}_{secrets.token_hex(3)}"
        self._execute(f'CREATE DATABASE "{self.template}"')
        migrate(self._url(self.template))

    def _url(self, name: str) -> str:
        return self.server.set(database=name).render_as_string(hide_password=False)

    def _execute(self, sql: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(sql))

    def fresh(self, tmp_path: Path) -> str:
        name = f"surveyapp_t_{secrets.token_hex(6)}"
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return self._url(name)

    def drop(self, url: str) -> None:
        # FORCE: a server process a test started may still hold a connection.
        self._execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')

    def close(self) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        self.admin.dispose()


def databases(workdir: Path) -> SqliteDatabases | PostgresDatabases:
    return PostgresDatabases(SERVER_URL) if SERVER_URL else SqliteDatabases(workdir)
