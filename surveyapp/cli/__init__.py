"""The ``surveyapp`` command (also ``flask --app surveyapp ...``): a module
per family of commands, each parsing its input, calling a service and
printing.  Every command that takes user input checks all of it first,
prints one line per problem naming the file, line and field, exits with
status 2 and writes nothing."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import FlaskGroup

from ..verify.cli import verify_cli
from .audit import audit_cli
from .ballots import ballots_cli
from .campaigns import campaigns_cli
from .codes import codes_cli
from .common import fail
from .decisions import decisions_cli
from .guard import guard_commands
from .members import members_cli
from .operations import backup_cli, demo_cli, plugins_cli, serve_cli
from .orgs import orgs_cli
from .results import board_cli, comments_cli, report_cli, tally_cli
from .rounds import rounds_cli
from .users import users_cli

COMMANDS = (rounds_cli, campaigns_cli, decisions_cli, members_cli, codes_cli, ballots_cli,
            tally_cli, report_cli, comments_cli, board_cli, users_cli, orgs_cli, audit_cli,
            backup_cli, serve_cli, demo_cli, plugins_cli)


def register_commands(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)
    guard_commands(app)  # a missing, older or newer schema stops a command with a clear line


def _create_app():
    from .. import create_app
    from ..config import ConfigError

    try:
        return create_app()
    except ConfigError as error:
        fail(str(error))


cli = FlaskGroup(create_app=_create_app, add_version_option=True,
                 help="surveyapp: anonymous appraisal and voting rounds.")
# The board's verifier reads a file, never the app or its database: a command of its own.
cli.add_command(verify_cli)


def main(args: list[str] | None = None) -> None:
    """The ``surveyapp`` command.  Bad input of any kind ends in one line and
    exit status 2, never a traceback: arguments that are not text, and
    click's own usage errors (which would print the usage first)."""
    args = sys.argv[1:] if args is None else args
    for arg in args:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:  # bytes that were not UTF-8, smuggled in as surrogates
            fail(f"argument {arg.encode('utf-8', 'backslashreplace').decode()} is not "
                 "UTF-8 text")
    try:
        code = cli.main(args=args, prog_name="surveyapp", standalone_mode=False)
    except click.ClickException as error:  # usage errors exit 2, others 1
        context = getattr(error, "ctx", None)
        hint = (f" (see {context.command_path} --help)"
                if isinstance(error, click.UsageError) and context else "")
        click.echo(f"error: {error.format_message()}{hint}", err=True)
        sys.exit(error.exit_code)
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
