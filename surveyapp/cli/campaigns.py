"""``surveyapp campaigns ...``: a 党委's campaign (争创四强四优, 民主评议
across branches): create one from its spec, list, show, and the branches'
figures side by side (``campaigns tally``)."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..domain.model import SpecError, SpecErrors
from ..domain.tables import read_text
from ..domain.tally import present
from ..exports import campaign as campaign_exports
from ..exports.summary import points
from ..models import Campaign
from ..services import campaigns, orgs
from ..services.errors import ServiceError
from .common import ACTOR, emit, fail, fail_with, refuse_binary_on_terminal


@click.group("campaigns", help="A 党委's campaign: the rounds of its branches side by side.")
def campaigns_cli():
    pass


def find_campaign(slug: str) -> Campaign:
    campaign = campaigns.get(slug)
    if campaign is None:
        fail(f"no campaign with slug {slug!r} (see `surveyapp campaigns list`)")
    return campaign


@campaigns_cli.command("create")
@click.argument("spec", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--org", help="The organisation running it, e.g. the 党委 (created if missing).")
@with_appcontext
def campaigns_create(spec: Path, org: str | None):
    """Create a campaign from SPEC.toml and print its slug; rounds join it
    with campaign = "SLUG" in their spec.

    Example: surveyapp campaigns create campaign.toml --org 机关党委"""
    if not spec.is_file():
        fail(f"{spec}: no such file")
    try:
        text = read_text(spec, str(spec))
        campaign = campaigns.create(text, actor=ACTOR, source=str(spec),
                                    org=orgs.named(org) if org else None)
    except (SpecError, SpecErrors) as error:
        fail_with(error)
    click.echo(campaign.slug)


@campaigns_cli.command("list")
@with_appcontext
def campaigns_list():
    """One line per campaign: slug, period, template, rounds joined, title.

    Example: surveyapp campaigns list"""
    for campaign in campaigns.all_campaigns():
        click.echo(f"{campaign.slug}\t{campaign.period}\t{campaign.template}\t"
                   f"{campaigns.joined_count(campaign)}\t{campaign.title}")


@campaigns_cli.command("show")
@click.argument("slug")
@with_appcontext
def campaigns_show(slug: str):
    """The campaign's settings, its standard and its rounds.

    Example: surveyapp campaigns show 2026-sq"""
    campaign = find_campaign(slug)
    spec = campaigns.spec_of(campaign)
    org = orgs.get(campaign.org_id)
    click.echo(f"{campaign.title}\nslug: {campaign.slug}  period: {campaign.period}  "
               f"template: {campaign.template}  organisation: {org.name if org else '-'}")
    click.echo("standard: " + campaign_exports.standard_text(spec.standard.as_dict()))
    for round_ in campaigns.rounds_in(campaign):
        branch = orgs.get(round_.org_id)
        click.echo(f"round {round_.slug}\t{round_.status}\t"
                   f"{branch.name if branch else '-'}\t{round_.title}")


@campaigns_cli.command("tally")
@click.argument("slug")
@click.option("--format", "fmt", type=click.Choice(campaigns.FORMATS), default="json",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def campaigns_tally(slug: str, fmt: str, output: Path | None):
    """The branches side by side: scores, indicators, 群众评价, turnout, ranks
    and who meets the campaign's standard.  JSON on standard output by default.

    Example: surveyapp campaigns tally 2026-sq --format xlsx -o 2026-sq.xlsx"""
    campaign = find_campaign(slug)
    refuse_binary_on_terminal(fmt, campaign_exports.is_binary(fmt), output, f"campaign.{fmt}")
    try:
        data = campaigns.export(campaign, fmt, actor=ACTOR)
    except ServiceError as error:
        fail_with(error)
    emit(data, fmt, output)


@campaigns_cli.command("history")
@click.argument("branch")
@click.option("--campaign", "slug", help="A campaign covering the branch; its template "
              "chooses the campaigns compared (default: the newest covering the branch).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@with_appcontext
def campaigns_history(branch: str, slug: str | None, fmt: str):
    """BRANCH (its name or id) year over year over the campaigns of one
    template: each period's score, rank and proposals, then each person's
    shown score and rank per period.

    Example: surveyapp campaigns history 第一党支部 --campaign 2026-sq"""
    try:
        org = orgs.find(branch)
    except ServiceError as error:
        fail_with(error)
    if slug:
        campaign = find_campaign(slug)
    else:
        campaign = next((c for c in reversed(campaigns.all_campaigns())
                         if org.id in campaigns.scope(c)), None)
        if campaign is None:
            fail(f"no campaign covers {org.name} (see `surveyapp campaigns list`)")
    found = campaigns.history(campaign, org.id)
    if found is None:
        fail(f"{org.name} is not part of campaign {campaign.slug}")
    if fmt == "json":
        click.echo(json.dumps(present(found), ensure_ascii=False, indent=2))
        return
    click.echo(f"{found['org']}: {campaign.template}")
    for p in found["periods"]:
        row = p["row"]
        click.echo(f"{p['period']}\t{p['campaign']}\t{p['round']}\t{points(row['score'])}\t"
                   f"rank {row['rank'] or '-'}\t"
                   f"proposed: {'、'.join(x['name'] for x in row['proposals']) or '-'}")
    for person in found["people"]:
        years = "\t".join(f"{slug_}: {points(y['score'])} (rank {y['rank'] or '-'})"
                          for slug_, y in person["years"].items())
        flags = f"\t[{', '.join(person['flags'])}]" if person["flags"] else ""
        click.echo(f"{person['key']}\t{person['name']}\t{years}{flags}")
