"""``surveyapp members ...``: a member year over year.  ``members link``
proposes the person key of each subject of a counted round (same subject
key, or same name and unit, in the branch's earlier rounds) and with
``--confirm`` stores them; ``members history KEY`` is that person's record:
each period's score, rank among peers, 测评建议 and the committee's 评定."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from ..exports import records as record_exports
from ..exports.summary import points
from ..services import members
from ..services.errors import ServiceError
from .common import ACTOR, emit, fail, fail_with, find_round, refuse_binary_on_terminal

BASIS = {"confirmed": "confirmed", "same_key": "proposed: same key",
         "same_name_unit": "proposed: same name and unit", "new": "proposed: new person"}


@click.group("members", help="A member year over year, by a person key the secretary confirms.")
def members_cli():
    pass


@members_cli.command("link")
@click.argument("slug")
@click.option("--set", "changes", multiple=True, metavar="SUBJECT=PERSON",
              help="Link SUBJECT to PERSON instead of the proposal (repeatable).")
@click.option("--confirm", is_flag=True, help="Store the links shown (with --set's changes).")
@with_appcontext
def members_link(slug: str, changes: tuple[str, ...], confirm: bool):
    """Show (and with --confirm, store) the person key of each subject of
    counted round SLUG.

    Example: surveyapp members link 7kq2m --set zhangsan=E1024 --confirm"""
    round_ = find_round(slug)
    given: dict[str, str] = {}
    for change in changes:
        subject, sep, person = change.partition("=")
        if not sep or not subject.strip() or not person.strip():
            fail(f"--set {change!r}: write SUBJECT=PERSON, e.g. --set zhangsan=E1024")
        given[subject.strip()] = person.strip()
    try:
        found = {p.subject: p for p in members.proposals(round_)}
        unknown = [s for s in given if s not in found]
        if unknown:
            fail(f"round {slug} has no subject {unknown[0]!r}")
        if confirm:
            changed = members.confirm_proposals(round_, actor=ACTOR, changes=given)
            found = {p.subject: p for p in members.proposals(round_)}
    except ServiceError as error:
        fail_with(error)
    for p in found.values():
        person = given.get(p.subject, p.person)
        basis = BASIS[p.basis] if person == p.person else "changed"
        click.echo(f"{p.subject}\t{p.name}\t{p.unit}\t{person}\t{basis}")
    if confirm:
        click.echo(f"{changed} links stored")


@members_cli.command("list")
@with_appcontext
def members_list():
    """One line per person linked in any round: key, latest name, rounds.

    Example: surveyapp members list"""
    for p in members.people():
        click.echo(f"{p['person']}\t{p['name']}\t{p['rounds']}")


@members_cli.command("history")
@click.argument("key")
@click.option("--format", "fmt", type=click.Choice(["text", *members.FORMATS]),
              default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def members_history(key: str, fmt: str, output: Path | None):
    """The record of the person with KEY: per period the score, rank among
    peers, 测评建议, 评定 and reason, marked where last period's 评定 was
    基本合格/不合格 (限期改正 follow-up).

    Example: surveyapp members history E1024 --format xlsx -o E1024.xlsx"""
    if fmt == "text":
        found = members.record(key)
        if found is None:
            fail(f"no member with key {key!r} (see `surveyapp members list`)")
        for r in found["periods"]:
            score = "hidden" if r["hidden"] else points(r["score"])
            line = (f"{r['period']}\t{r['round']}\t{r['org']}\t{r['name']}\t{score}\t"
                    f"{r['rank_text'] or '-'}\t{r['proposal_label'] or '-'}\t"
                    f"{r['decision_label'] or '-'}\t{r['reason']}")
            if r["follow_up"]:
                line += f"\tfollow-up of {record_exports.follow_up_text(r)}"
            click.echo(line)
        return
    refuse_binary_on_terminal(fmt, record_exports.is_binary(fmt), output, f"member.{fmt}")
    try:
        data = members.export(key, fmt, actor=ACTOR)
    except ServiceError as error:
        fail_with(error)
    emit(data, fmt, output)
