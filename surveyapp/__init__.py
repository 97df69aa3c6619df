"""surveyapp: anonymous appraisal and voting rounds reached by QR code."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from . import plugins
from .extensions import csrf, db, login_manager, migrate
from .paths import MIGRATIONS_DIR, STATIC_DIR, TEMPLATES_DIR
from .web import i18n, limits, request_guard

__version__ = "0.1.0"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The application factory.  ``config`` overrides the environment."""
    app = Flask(__name__, instance_path=os.environ.get("SURVEYAPP_INSTANCE_PATH"),
                instance_relative_config=True,
                template_folder=str(TEMPLATES_DIR), static_folder=str(STATIC_DIR))
    from .config import from_environment

    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(from_environment(app.instance_path))
    app.config.update(config or {})

    # Read every plugin's registrations now: a broken plugin stops start-up
    # with its name, before it can touch a round.
    plugins.registries()

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)

    from .cli import register_commands
    from .web import register_web
    from .web.admin import bp as admin_bp
    from .web.ballot import bp as ballot_bp
    from .web.public import bp as public_bp

    app.register_blueprint(ballot_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(public_bp)
    register_web(app)
    limits.init_app(app)  # wraps the views registered above
    request_guard.init_app(app)
    register_commands(app)
    return app


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL lets voters read while one writes; FULL makes each commit wait for
    the disk, so a ballot the voter was told is counted survives a power cut
    (NORMAL would be faster and could lose the last ones); a busy timeout
    makes writers queue instead of failing; foreign keys are off by default."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
