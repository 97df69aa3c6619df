"""``surveyapp users create``: organiser accounts."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from ..services import orgs, users
from ..services.errors import ServiceError
from .common import ACTOR, fail, fail_with


@click.group("users", help="Organiser accounts.")
def users_cli():
    pass


@users_cli.command("create")
@click.argument("name")
@click.option("--admin", "role", flag_value="admin")
@click.option("--secretary", "role", flag_value="secretary")
@click.option("--org", help="Organisation name (created if missing).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def users_create(name: str, role: str | None, org: str | None, password_stdin: bool):
    """Create an organiser account."""
    if role is None:
        fail("choose --admin or --secretary")
    if users.exists(name):  # before asking for a password
        fail(f"user {name!r} exists already")
    if password_stdin:
        # A line, and no more than a password can be: stdin may be anything.
        raw = sys.stdin.buffer.readline(users.PASSWORD_MAX * 4 + 2).rstrip(b"\r\n")
        try:
            password = raw.decode("utf-8")
        except UnicodeDecodeError:
            fail("the password on standard input is not UTF-8 text")
    else:
        password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    try:
        users.create(name, role, orgs.named(org) if org else orgs.default_org(), password,
                     actor=ACTOR)
    except ServiceError as error:
        fail_with(error)
    click.echo(f"{role} {name} created")
