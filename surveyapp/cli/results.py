"""``surveyapp tally``: a counted round's results, as JSON or any export format;
``surveyapp comments``: its comments with the secretary's decisions;
``surveyapp board``: its public bulletin board (docs/board.md);
``surveyapp report``: its draft report for the 组织生活会 / 上报党委."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..services import board, comments, report, results
from ..services.errors import RoundError
from .common import ACTOR, emit, fail, fail_with, find_round, refuse_binary_on_terminal


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
    refuse_binary_on_terminal(fmt, getattr(exporter, "is_binary", False), output,
                              f"results.{exporter.extension}")
    emit(results.export(round_, fmt, actor=ACTOR), fmt, output)


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
    emit(data, fmt, output)


@click.command("board")
@click.argument("slug")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the board here (default: standard output).")
@with_appcontext
def board_cli(slug: str, output: Path | None):
    """The public bulletin board of a counted round, as JSON (docs/board.md):
    every sealed ballot by tracker, the sums and the decrypted counts with
    their proofs.  Check it with: surveyapp verify board.json"""
    round_ = find_round(slug)
    try:
        board.check_boardable(round_)
    except RoundError as error:
        fail_with(error)
    if output is None:
        for chunk in board.chunks(round_):
            sys.stdout.write(chunk)
        sys.stdout.flush()
        return
    partial = output.with_name(output.name + ".part")
    try:
        # Written beside the target and renamed at the end: never half a board.
        with partial.open("w", encoding="utf-8") as out, click.progressbar(
                length=board.ballot_count(round_), label="ballots", file=sys.stderr) as bar:
            for chunk in board.chunks(round_, progress=bar.update):
                out.write(chunk)
        partial.replace(output)
    except OSError as error:
        partial.unlink(missing_ok=True)
        fail(f"{output}: {error.strerror}")
    click.echo(f"board written to {output}")


@click.command("report")
@click.argument("slug")
@click.option("--format", "fmt", type=click.Choice(report.FORMATS), default="pdf",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def report_cli(slug: str, fmt: str, output: Path | None):
    """The draft report of counted round SLUG for the 组织生活会 / 上报党委:
    its figures as shown, the committee's 评定 and reasons, the differences
    from the proposals and the reviewed comments.

    Example: surveyapp report 7kq2m --format pdf -o report.pdf"""
    round_ = find_round(slug)
    try:
        results.check_ready(round_)
    except RoundError as error:
        fail_with(error)
    refuse_binary_on_terminal(fmt, True, output, f"report.{fmt}")
    emit(report.export(round_, fmt, actor=ACTOR), fmt, output)
