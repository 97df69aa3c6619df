"""``surveyapp tally``: a counted round's results, as JSON or any export format;
``surveyapp comments``: its comments with the secretary's decisions."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..services import comments, results
from ..services.errors import RoundError
from .common import ACTOR, fail, fail_with, find_round, write_file


@click.command("tally")
@click.argument("slug")
@click.option("--format", "fmt", default="json", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def tally_cli(slug: str, fmt: str, output: Path | None):
    """The results of a closed round, as JSON on standard output by default."""
    round_ = find_round(slug)
    try:
        results.check_ready(round_)
        exporter = results.exporter(fmt)
    except RoundError as error:
        fail_with(error)
    if output is None and getattr(exporter, "is_binary", False) and sys.stdout.isatty():
        fail(f"{fmt} is a binary file and would garble the terminal; "
             f"write it with -o FILE, e.g. -o results.{exporter.extension}")
    data = results.export(round_, fmt, actor=ACTOR)
    if output:
        write_file(output, data)
        click.echo(f"{fmt} written to {output}")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


@click.command("comments")
@click.argument("slug")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def comments_cli(slug: str, fmt: str, output: Path | None):
    """A counted round's comments, in their random order, each with its review
    decision (pending, show, redact, hide) and the text as it would be shown:
    a redacted one redacted, a hidden one without text."""
    round_ = find_round(slug)
    try:
        data = comments.export(round_, fmt, actor=ACTOR)
    except RoundError as error:
        fail_with(error)
    if output:
        write_file(output, data)
        click.echo(f"{fmt} written to {output}")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
