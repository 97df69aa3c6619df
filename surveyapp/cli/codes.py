"""``surveyapp codes issue``: codes for a voter group, as CSV and QR slips."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..exports.slips import codes_csv, slips_pdf
from ..services import codes, rounds
from ..services.errors import RoundError
from .common import ACTOR, fail_with, find_round, write_file


@click.group("codes", help="Voter codes.")
def codes_cli():
    pass


@codes_cli.command("issue")
@click.argument("slug")
@click.option("--group", "group_key", required=True, help="Voter group key.")
@click.option("--count", type=click.IntRange(1, 100_000), required=True)
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the codes and their URLs here (default: standard output).")
@click.option("--pdf", "pdf_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write printable A4 sheets of QR slips here.")
@with_appcontext
def codes_issue(slug: str, group_key: str, count: int, csv_path: Path | None,
                pdf_path: Path | None):
    """Issue COUNT single-use codes for a voter group."""
    round_ = find_round(slug)
    base = current_app.config["BASE_URL"]
    written: list[Path] = []

    def deliver(plain: list[str], _batch: int) -> None:
        # Before the codes are committed: a file that cannot be written
        # takes the codes with it.
        group = rounds.group_by_key(round_, group_key)
        files = [(csv_path, lambda: codes_csv(plain, group=group_key, base_url=base))]
        if pdf_path:
            files.append((pdf_path, lambda: _slips(plain, round_.title, base, group.label)))
        try:
            for path, data in files:
                if path:
                    write_file(path, data())
                    written.append(path)
        except SystemExit:
            for done in written:
                done.unlink(missing_ok=True)
            raise

    try:
        with click.progressbar(length=count, label="issuing", file=sys.stderr) as bar:
            plain, _batch = codes.issue(round_, group_key, count, actor=ACTOR, deliver=deliver,
                                        progress=lambda done: bar.update(done - bar.pos))
            bar.update(count - bar.pos)
    except RoundError as error:
        fail_with(error)
    for path in written:
        click.echo(f"{count} codes for {group_key} written to {path}")
    if not written:
        click.echo(codes_csv(plain, group=group_key, base_url=base).decode("utf-8-sig"),
                   nl=False)


def _slips(plain: list[str], title: str, base: str, group: str) -> bytes:
    with click.progressbar(length=len(plain), label="printing slips", file=sys.stderr) as bar:
        return slips_pdf(plain, title=title, base_url=base, group=group,
                         progress=lambda done: bar.update(done - bar.pos))
