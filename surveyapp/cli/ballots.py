"""``surveyapp ballots import``: paper ballots from a CSV file, all or nothing;
``surveyapp ballots sheet``: the printable paper 测评表 (PDF)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from ..domain.model import SpecError, SpecErrors
from ..domain.tables import read_bytes
from ..services import voting
from ..services.errors import ServiceError
from .common import ACTOR, fail, fail_with, find_round, write_file


@click.group("ballots", help="Paper ballots.")
def ballots_cli():
    pass


@ballots_cli.command("import")
@click.argument("slug")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def ballots_import(slug: str, file: Path):
    """Import paper ballots from FILE.csv, all or nothing."""
    round_ = find_round(slug)
    if not file.is_file():
        fail(f"{file}: no such file")
    try:
        imported = voting.import_paper_ballots(round_, read_bytes(file, str(file)),
                                               source=str(file), actor=ACTOR)
    except (SpecError, SpecErrors, ServiceError) as error:
        fail_with(error)
    click.echo(f"{imported} paper ballots imported into {slug}")


@ballots_cli.command("sheet")
@click.argument("slug")
@click.option("--group", "group_key", help="the voter group printed on the sheet")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="the PDF file to write")
@with_appcontext
def ballots_sheet(slug: str, group_key: str | None, output: Path):
    """Write the printable paper 测评表 of SLUG, laid out like the phone ballot."""
    round_ = find_round(slug)
    try:
        data = voting.paper_sheet(round_, group_key)
    except ServiceError as error:
        fail_with(error)
    write_file(output, data)
    click.echo(f"paper sheet written to {output}")
