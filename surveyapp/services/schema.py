"""Is the database's schema the one this surveyapp was built for?

Checked before every command that uses the database (cli/guard.py), and by
``serve`` and ``demo`` before they upgrade: a schema newer than the code,
written by a newer surveyapp, must never be served or written to by an
older one.
"""

from __future__ import annotations

import functools

import flask_migrate
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.exc import OperationalError

from ..database import db
from ..paths import MIGRATIONS_DIR


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
    where = db.engine.url.render_as_string(hide_password=True)
    current = _current()
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


def reachable() -> None:
    """Raise SchemaProblem unless the database answers."""
    _current()


def _current() -> list[str]:
    where = db.engine.url.render_as_string(hide_password=True)
    try:
        with db.engine.connect() as connection:
            return sorted(MigrationContext.configure(connection).get_current_heads())
    except OperationalError as error:  # no server there, a file that cannot be made, ...
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise SchemaProblem(f"cannot use database {where}: {reason}") from None


def upgrade() -> None:
    """Apply every migration this surveyapp has (``surveyapp db upgrade``)."""
    flask_migrate.upgrade()


def release_connections() -> None:
    """Close this process's pooled connections, e.g. after the migrations ran
    in a server's master process: forked workers must not inherit them and
    talk over one socket."""
    db.engine.dispose()
