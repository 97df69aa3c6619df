"""``surveyapp audit``: the audit log, newest first.  It never holds a
ballot's content or a voter's code (services/audit.py)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..services import audit
from .common import find_round


@click.command("audit")
@click.option("--round", "slug", help="Only this round's events.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True,
              help="How many events, newest first.")
@with_appcontext
def audit_cli(slug: str | None, limit: int):
    """Who did what, and when (UTC): one event a line, newest first.

    Example: surveyapp audit --round 7kq3xp2m --limit 20"""
    round_ = find_round(slug) if slug else None
    titles = audit.round_slugs()
    for event in audit.events(round_, page=0, size=limit)[:limit]:
        where = titles.get(event.round_id, "-") if event.round_id else "-"
        click.echo(f"{event.at:%Y-%m-%d %H:%M:%S}\t{event.actor}\t{where}\t{event.action}\t"
                   f"{event.detail}")
