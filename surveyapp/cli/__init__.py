"""The ``surveyapp`` command (also ``flask --app surveyapp ...``): a module
per family of commands, each parsing its input, calling a service and
printing.  Every command that takes user input checks all of it first,
prints one line per problem naming the file, line and field, exits with
status 2 and writes nothing."""

from __future__ import annotations

from flask import Flask
from flask.cli import FlaskGroup

from ..verify.cli import verify_cli
from .ballots import ballots_cli
from .campaigns import campaigns_cli
from .codes import codes_cli
from .guard import guard_commands
from .operations import backup_cli, demo_cli, plugins_cli, serve_cli
from .results import board_cli, comments_cli, tally_cli
from .rounds import rounds_cli
from .users import users_cli

COMMANDS = (rounds_cli, campaigns_cli, codes_cli, ballots_cli, tally_cli, comments_cli,
            board_cli, users_cli, backup_cli, serve_cli, demo_cli, plugins_cli)


def register_commands(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)
    guard_commands(app)  # a missing, older or newer schema stops a command with a clear line


def _create_app():
    from .. import create_app

    return create_app()


main = FlaskGroup(create_app=_create_app, add_version_option=True,
                  help="surveyapp: anonymous appraisal and voting rounds.")
# The board's verifier reads a file, never the app or its database: a command of its own.
main.add_command(verify_cli)
