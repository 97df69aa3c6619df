"""surveyapp: anonymous appraisal and voting rounds reached by QR code."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from . import config, database, plugins
from .paths import STATIC_DIR, TEMPLATES_DIR
from .version import __version__
from .web.extensions import csrf, login_manager

__all__ = ["__version__", "create_app"]



def create_app(settings: dict[str, Any] | None = None) -> Flask:
    """The application factory.  ``settings`` override the environment."""
    app = Flask(__name__, instance_path=config.instance_path(), instance_relative_config=True,
                template_folder=str(TEMPLATES_DIR), static_folder=str(STATIC_DIR))
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(config.from_environment(app.instance_path))
    app.config.update(settings or {})

    # Read every plugin's registrations now: a broken plugin stops start-up
    # with its name, before it can touch a round.
    plugins.registries()

    database.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)

    from .cli import register_commands
    from .web import register_web

    register_web(app)
    register_commands(app)
    return app
