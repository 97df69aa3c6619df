"""``surveyapp decisions ...``: the committee's 评定 of a counted round's
subjects beside the software's proposal (测评建议): set one, list them, or
import many from a CSV file, all or nothing."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from ..domain.model import SpecError, SpecErrors
from ..domain.tables import csv_rows, decode_text, read_bytes
from ..services import decisions
from ..services.errors import ServiceError
from ..services.results import check_ready
from .common import ACTOR, fail, fail_with, find_round

IMPORT_ROWS_MAX = 5000


@click.group("decisions", help="The committee's 评定 beside the proposal (测评建议).")
def decisions_cli():
    pass


def _counted(slug: str):
    round_ = find_round(slug)
    try:
        check_ready(round_)
    except ServiceError as error:
        fail_with(error)
    return round_


@decisions_cli.command("set")
@click.argument("slug")
@click.argument("subject")
@click.option("--grade", default="", help="The grade's key or label; empty withdraws the decision.")
@click.option("--reason", default="", help="Needed when the grade differs from the proposal.")
@with_appcontext
def decisions_set(slug: str, subject: str, grade: str, reason: str):
    """Record the committee's 评定 of SUBJECT (its key) in round SLUG.

    Example: surveyapp decisions set 7kq2m zhangsan --grade basic --reason 经支委会研究"""
    round_ = _counted(slug)
    try:
        decisions.decide(round_, subject, grade, reason, actor=ACTOR)
    except ServiceError as error:
        fail_with(error)
    click.echo(f"{subject}: {'withdrawn' if not grade else 'recorded'}")


@decisions_cli.command("list")
@click.argument("slug")
@with_appcontext
def decisions_list(slug: str):
    """One line per subject: key, name, proposal (测评建议), 评定, reason.

    Example: surveyapp decisions list 7kq2m"""
    round_ = _counted(slug)
    labels = {o.key: o.label for o in round_.options}
    for d in decisions.decisions(round_):
        click.echo("\t".join([d.subject, d.name, labels.get(d.proposal or "", d.proposal or "-"),
                              labels.get(d.option or "", "-") if d.option else "-",
                              d.reason.replace("\n", " ")]))


@decisions_cli.command("import")
@click.argument("slug")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def decisions_import(slug: str, file: Path):
    """Import decisions from FILE.csv with the header subject,grade,reason
    (grade by key or label), all or nothing.

    Example: surveyapp decisions import 7kq2m decisions.csv"""
    round_ = _counted(slug)
    if not file.is_file():
        fail(f"{file}: no such file")
    source = str(file)
    try:
        rows = csv_rows(decode_text(read_bytes(file, source), source), source,
                        max_rows=IMPORT_ROWS_MAX)
        if not rows or [c.lower() for c in rows[0][1][:3]] != ["subject", "grade", "reason"]:
            raise SpecErrors([SpecError("the header must be subject,grade,reason",
                                        source=source, line=rows[0][0] if rows else 1,
                                        field="header")])
        given = [(line, *(cells + ["", "", ""])[:3]) for line, cells in rows[1:]]
        done = decisions.decide_many(round_, given, source=source, actor=ACTOR)
    except (SpecError, SpecErrors, ServiceError) as error:
        fail_with(error)
    click.echo(f"{done} decisions imported into {slug}")
