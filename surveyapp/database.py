"""The database: the SQLAlchemy handle, migrations, and the SQLite settings
every connection of the app's engine gets."""

from __future__ import annotations

from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event
from sqlalchemy.exc import ArgumentError

from .config import ConfigError
from .paths import MIGRATIONS_DIR

# Named constraints keep Alembic migrations portable between SQLite and
# PostgreSQL (SQLite's batch mode needs names to drop or alter them).
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
# No Round.query: every query goes through a service's db.session, and a
# view that imports a model for its type cannot query through it.
db.Model.query = None
migrate = Migrate()


def init_app(app: Flask) -> None:
    try:
        db.init_app(app)
    except ArgumentError as error:  # a URL SQLAlchemy cannot read
        raise ConfigError(f"SURVEYAPP_DATABASE_URL: {error}") from None
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "sqlite":
                event.listen(engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL lets voters read while one writes; FULL makes each commit wait for
    the disk, so a ballot the voter was told is counted survives a power cut
    (NORMAL would be faster and could lose the last ones); a busy timeout
    makes writers queue instead of failing; foreign keys are off by default."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
