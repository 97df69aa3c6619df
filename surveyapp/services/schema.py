"""Is the database's schema the one this surveyapp was built for?

Checked before every command that uses the database (``db`` itself and the
commands that never touch the database are exempt), and by ``serve`` and
``demo`` before they upgrade: a schema newer than the code, written by a
newer surveyapp, must never be served or written to by an older one.
"""

from __future__ import annotations

import functools
import sys

import click
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import Flask
from flask.cli import with_appcontext

from ..extensions import db
from ..paths import MIGRATIONS_DIR

# Commands that bring the schema up to date themselves: only a newer schema stops them.
UPGRADING = {"serve", "demo"}
# Commands that never read the schema: `db` manages it, `backup` copies the
# file as it is (wanted most when versions disagree), `plugins` lists code.
EXEMPT = {"db", "backup", "plugins"}


class SchemaProblem(Exception):
    """The database cannot be used by this surveyapp as it is; says why and what to do."""


@functools.cache
def _scripts() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config)


def _known(scripts: ScriptDirectory, revision: str) -> bool:
    try:
        return scripts.get_revision(revision) is not None
    except CommandError:
        return False


def check(*, will_upgrade: bool = False) -> None:
    """Raise SchemaProblem unless the schema is at this surveyapp's head.
    ``will_upgrade``: the caller upgrades next, so a missing or older schema is fine."""
    scripts = _scripts()
    heads = sorted(scripts.get_heads())
    with db.engine.connect() as connection:
        current = sorted(MigrationContext.configure(connection).get_current_heads())
    where = db.engine.url.render_as_string(hide_password=True)
    unknown = [r for r in current if not _known(scripts, r)]
    if unknown:
        raise SchemaProblem(
            f"database {where} is at revision {', '.join(unknown)}, this surveyapp knows up to "
            f"{', '.join(heads)}; upgrade surveyapp (a newer version wrote this database)")
    if will_upgrade or current == heads:
        return
    if not current:
        raise SchemaProblem(f"database {where} has no surveyapp schema yet; "
                            "run `surveyapp db upgrade` first")
    raise SchemaProblem(f"database {where} is at revision {', '.join(current)}, this surveyapp "
                        f"needs {', '.join(heads)}; run `surveyapp db upgrade`")


def _guarded(callback, *, will_upgrade: bool):
    @functools.wraps(callback)
    @with_appcontext
    def run(*args, **kwargs):
        try:
            check(will_upgrade=will_upgrade)
        except SchemaProblem as problem:
            click.echo(f"error: {problem}", err=True)
            sys.exit(2)
        return callback(*args, **kwargs)

    run.schema_checked = True
    return run


def guard_commands(app: Flask) -> None:
    """Check the schema before each of the app's commands (a group is
    checked once, before any of its subcommands)."""
    for name, command in app.cli.commands.items():
        # Commands are module-level objects shared by every app: wrap once.
        if (name in EXEMPT or command.callback is None
                or getattr(command.callback, "schema_checked", False)):
            continue
        command.callback = _guarded(command.callback, will_upgrade=name in UPGRADING)
