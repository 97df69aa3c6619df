"""``surveyapp orgs ...``: the organisation tree (企业 → 党委 → 党支部).
A user sees the rounds of their organisation and everything below it."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..services import orgs
from ..services.errors import ServiceError
from .common import ACTOR, fail, fail_with


@click.group("orgs", help="The organisation tree: create, list, move.")
def orgs_cli():
    pass


def _find(ref: str | None):
    if ref is None:
        return None
    try:
        return orgs.find(ref)
    except ServiceError as error:
        fail_with(error)


@orgs_cli.command("list")
@with_appcontext
def orgs_list():
    """The tree, one organisation a line: id, kind and name, indented under
    its parent.

    Example: surveyapp orgs list"""
    for node in orgs.tree():
        org = node.org
        click.echo(f"{org.id}\t{'  ' * node.depth}{(org.kind + ' ') if org.kind else ''}"
                   f"{org.name}")


@orgs_cli.command("create")
@click.argument("name")
@click.option("--kind", type=click.Choice(orgs.KINDS), default="党支部", show_default=True)
@click.option("--parent", help="The organisation above it (name or id); none: at the top.")
@with_appcontext
def orgs_create(name: str, kind: str, parent: str | None):
    """Create an organisation and print its id.

    Example: surveyapp orgs create 第三党支部 --kind 党支部 --parent 机关党委"""
    above = _find(parent)
    try:
        org = orgs.create(name, kind=kind, parent=above, actor=ACTOR)
    except ServiceError as error:
        fail_with(error)
    click.echo(org.id)


@orgs_cli.command("move")
@click.argument("org")
@click.option("--parent", help="Its new parent (name or id).")
@click.option("--top", is_flag=True, help="Move it to the top of the tree.")
@with_appcontext
def orgs_move(org: str, parent: str | None, top: bool):
    """Move ORG (name or id), with everything below it, under another parent.

    Example: surveyapp orgs move 第三党支部 --parent 生产党委"""
    if (parent is None) == (not top):
        fail("give --parent NAME or --top")
    moving = _find(org)
    try:
        orgs.move(moving, _find(parent), actor=ACTOR)
    except ServiceError as error:
        fail_with(error)
    click.echo(orgs.path(moving))
