"""``surveyapp users ...``: organiser accounts: create, list, reset a password,
disable, assign to an organisation."""

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
    """Create an organiser account.

    Example: surveyapp users create zhang --secretary --org 第一党支部"""
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


def _user(name: str):
    try:
        return users.find(name)
    except ServiceError as error:
        fail_with(error)


@users_cli.command("list")
@with_appcontext
def users_list():
    """One account a line: name, role, organisation, and "disabled" if it is.

    Example: surveyapp users list"""
    for user in users.listing():
        org = orgs.get(user.org_id)
        click.echo(f"{user.username}\t{user.role}\t{orgs.path(org) if org else '-'}"
                   + ("\tdisabled" if user.disabled else ""))


@users_cli.command("reset-password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def users_reset_password(name: str, password_stdin: bool):
    """Give NAME a new password (asked for, or read with --password-stdin).

    Example: echo 'new secret 2026' | surveyapp users reset-password zhang --password-stdin"""
    user = _user(name)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("new password", hide_input=True, confirmation_prompt=True)
    try:
        users.reset_password(user, password, actor=ACTOR)
    except ServiceError as error:
        fail_with(error)
    click.echo(f"password of {name} changed")


@users_cli.command("disable")
@click.argument("name")
@click.option("--enable", is_flag=True, help="Enable the account again instead.")
@with_appcontext
def users_disable(name: str, enable: bool):
    """Disable NAME: it can no longer log in (its open sessions end); its name
    stays in the audit log.  --enable undoes it.

    Example: surveyapp users disable zhang"""
    user = _user(name)
    try:
        users.set_disabled(user, not enable, actor=ACTOR)
    except ServiceError as error:
        fail_with(error)
    click.echo(f"{name} {'enabled' if enable else 'disabled'}")


@users_cli.command("assign")
@click.argument("name")
@click.option("--org", "org_ref", required=True, help="Organisation (name or id).")
@with_appcontext
def users_assign(name: str, org_ref: str):
    """Make NAME an organiser of an organisation (and of everything below it).

    Example: surveyapp users assign zhang --org 第三党支部"""
    user = _user(name)
    try:
        users.assign(user, orgs.find(org_ref), actor=ACTOR)
    except ServiceError as error:
        fail_with(error)
    click.echo(f"{name} → {orgs.path(orgs.get(user.org_id))}")
