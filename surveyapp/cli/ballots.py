"""``surveyapp ballots import``: paper ballots from a CSV file, all or nothing."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from ..domain.model import SpecError, SpecErrors
from ..domain.tables import read_bytes
from ..services import voting
from ..services.errors import ServiceError
from .common import ACTOR, fail, fail_with, find_round


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
