"""``surveyapp tally``: a closed round's results, as JSON or any export format."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..services import results
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
