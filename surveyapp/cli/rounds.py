"""``surveyapp rounds ...``: create, list, show and move rounds through their life."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from .. import plugins
from ..domain import lifecycle
from ..domain.model import SpecError, SpecErrors
from ..domain.spec import load_spec
from ..services import codes, orgs, publication, rounds, turnout
from ..services.errors import RoundError
from .common import ACTOR, fail, fail_with, find_round


@click.group("rounds", help="Create, list and move rounds through their life.")
def rounds_cli():
    pass


@rounds_cli.command("create")
@click.argument("spec", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--org", help="Organisation name (created if missing).")
@with_appcontext
def rounds_create(spec: Path, org: str | None):
    """Create a draft round from SPEC.toml and print its slug."""
    if not spec.is_file():
        fail(f"{spec}: no such file")
    try:
        parsed = load_spec(spec, **plugins.spec_context())
        plugins.rehearse(parsed, source=str(spec))
    except (SpecError, SpecErrors) as error:
        fail_with(error)
    round_ = rounds.create_round(parsed, actor=ACTOR, org=orgs.named(org) if org else None)
    click.echo(round_.slug)


@rounds_cli.command("list")
@with_appcontext
def rounds_list():
    """One line per round: slug, status, ballots, title."""
    for round_ in rounds.all_rounds():
        click.echo(f"{round_.slug}\t{round_.status}\t{turnout.ballots_cast(round_)}\t"
                   f"{round_.title}")


@rounds_cli.command("show")
@click.argument("slug")
@with_appcontext
def rounds_show(slug: str):
    """The round's settings, groups, turnout and codes."""
    round_ = find_round(slug)
    click.echo(f"{round_.title}\nslug: {round_.slug}  status: {round_.status}  "
               f"access: {round_.access}  anonymity_min: {round_.anonymity_min}")
    click.echo("scale: " + ", ".join(
        f"{o.label}({o.points if o.points is not None else '-'})" for o in round_.options))
    click.echo("criteria: " + ", ".join(f"{c.label}×{c.weight}" for c in round_.criteria))
    figures = turnout.turnout(round_)
    for group in round_.groups:
        t = figures[group.key]
        expected = t["expected"] if t["expected"] is not None else "?"
        click.echo(f"group {group.key} {group.label} weight {group.weight}: "
                   f"{t['ballots']}/{expected} ballots")
    click.echo(f"subjects: {len(round_.subjects)}")
    if found := codes.counts(round_):
        click.echo("codes: " + ", ".join(f"{k} {v}" for k, v in sorted(found.items())))


def _move(name: str):
    """A command making the lifecycle transition ``name``."""
    @click.argument("slug")
    @with_appcontext
    def command(slug: str):
        round_ = find_round(slug)
        try:
            if name == "publish":  # freezes the 公示 snapshot, as the console does
                publication.publish(round_, actor=ACTOR)
            elif name == "unpublish":
                publication.unpublish(round_, actor=ACTOR)
            else:
                rounds.transition(round_, name, actor=ACTOR)
        except RoundError as error:
            fail_with(error)
        click.echo(f"{slug} {round_.status}")

    return command


HELP = {
    "open": "Open SLUG for voting; its settings freeze.",
    "close": "Close SLUG; no more ballots.",
    "publish": "Publish SLUG's results (公示) with the fields last chosen (default: unit, "
               "proposal).",
    "unpublish": "Withdraw SLUG's published results; the round is closed again.",
}
for _name in lifecycle.TRANSITIONS:
    rounds_cli.command(_name, help=HELP[_name])(_move(_name))
