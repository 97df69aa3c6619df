"""Before a command touches the database, check its schema is this
surveyapp's (services/schema.py): exit status 2 with a clear line if not."""

from __future__ import annotations

import functools

import click
from flask import Flask
from flask.cli import with_appcontext

from ..services.schema import SchemaProblem, check, reachable
from .common import fail

# Commands that bring the schema up to date themselves: only a newer schema stops them.
UPGRADING = {"serve", "demo"}
# Commands that never read the schema: `db` manages it, `backup` copies the
# file as it is (wanted most when versions disagree), `plugins` lists code.
EXEMPT = {"db", "backup", "plugins"}
# Of those, commands that still need the database to answer (a clear line if not).
MANAGING = {"db"}


def _guarded(callback, *, will_upgrade: bool, reach_only: bool = False):
    @functools.wraps(callback)
    @with_appcontext
    def run(*args, **kwargs):
        try:
            reachable() if reach_only else check(will_upgrade=will_upgrade)
        except SchemaProblem as problem:
            fail(str(problem))
        return callback(*args, **kwargs)

    run.schema_checked = True
    return run


def guard_commands(app: Flask) -> None:
    """Check the schema before each of the app's commands (a group is
    checked once, before any of its subcommands)."""
    commands: dict[str, click.Command] = app.cli.commands
    for name, command in commands.items():
        # Commands are module-level objects shared by every app: wrap once.
        if (command.callback is None or getattr(command.callback, "schema_checked", False)
                or (name in EXEMPT and name not in MANAGING)):
            continue
        command.callback = _guarded(command.callback, will_upgrade=name in UPGRADING,
                                    reach_only=name in MANAGING)
