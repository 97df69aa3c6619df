"""``surveyapp rounds ...``: create, list, show and move rounds through their life."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from .. import plugins
from ..domain import rule_settings
from ..domain.campaign import joined_campaign
from ..domain.model import SpecError, SpecErrors
from ..domain.rule_checks import share_value
from ..domain.spec import load_spec, spec_from_dict, spec_to_dict
from ..domain.spec_toml import spec_to_toml
from ..domain.tables import read_text
from ..exports.key_slips import share_file
from ..services import (
    ballot_box,
    campaigns,
    codes,
    counting,
    deadlines,
    follow_up,
    orgs,
    publication,
    rounds,
    turnout,
)
from ..services.errors import RoundError, ServiceError
from .common import ACTOR, fail, fail_with, find_round


@click.group("rounds", help="Create, list and move rounds through their life.")
def rounds_cli():
    pass


@rounds_cli.command("create")
@click.argument("spec", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--org", help="Organisation name (created if missing).")
@with_appcontext
def rounds_create(spec: Path, org: str | None):
    """Create a draft round from SPEC.toml and print its slug.

    Example: surveyapp rounds create round.toml --org 第一党支部"""
    if not spec.is_file():
        fail(f"{spec}: no such file")
    try:
        parsed = load_spec(spec, **plugins.spec_context())
        plugins.rehearse(parsed, source=str(spec), text=read_text(spec, str(spec)))
        deadlines.check(parsed, source=str(spec))
    except (SpecError, SpecErrors) as error:
        fail_with(error)
    try:
        owner = orgs.named(org) if org else orgs.default_org()
    except ServiceError as error:
        fail_with(error)
    campaign_id = None
    if joins := joined_campaign(read_text(spec, str(spec))):
        try:
            campaign_id = campaigns.check_join(joins, parsed, owner).id
        except ServiceError as error:
            fail(f"{spec} [campaign]: {error}")
    round_ = rounds.create_round(parsed, actor=ACTOR, org=owner, campaign_id=campaign_id)
    click.echo(round_.slug)


@rounds_cli.command("list")
@with_appcontext
def rounds_list():
    """One line per round: slug, status, ballots, title.

    Example: surveyapp rounds list"""
    for round_ in rounds.all_rounds():
        click.echo(f"{round_.slug}\t{round_.status}\t{turnout.ballots_cast(round_)}\t"
                   f"{round_.title}")


@rounds_cli.command("show")
@click.argument("slug")
@with_appcontext
def rounds_show(slug: str):
    """The round's settings, groups, turnout and codes.

    Example: surveyapp rounds show 7kq3xp2m"""
    round_ = find_round(slug)
    click.echo(f"{round_.title}\nslug: {round_.slug}  status: {round_.status}  "
               f"access: {round_.access}  anonymity_min: {round_.anonymity_min}")
    for name in ("opens_at", "closes_at"):
        if (moment := deadlines.local(getattr(round_, name))) is not None:
            click.echo(f"{name}: {moment:%Y-%m-%d %H:%M} (local time)")
    click.echo("scale: " + ", ".join(
        f"{o.label}({o.points if o.points is not None else '-'})" for o in round_.options))
    click.echo("criteria: " + ", ".join(f"{c.label}×{c.weight}" for c in round_.criteria))
    figures = turnout.shown_turnout(round_)
    for group in round_.groups:
        t = figures[group.key]
        expected = t["expected"] if t["expected"] is not None else "?"
        ballots = t["ballots"] if t["ballots"] is not None else "(not shown: a small group)"
        click.echo(f"group {group.key} {group.label} weight {group.weight}: "
                   f"{ballots}/{expected} ballots")
    click.echo(f"subjects: {len(round_.subjects)}")
    if promised := sum(len(s.commitments) for s in round_.subjects):
        click.echo(f"commitments: {promised} items of "
                   f"{sum(1 for s in round_.subjects if s.commitments)} subjects")
    if found := codes.counts(round_):
        click.echo("codes: " + ", ".join(f"{k} {v}" for k, v in sorted(found.items())))


@rounds_cli.command("open")
@click.argument("slug")
@click.option("--shares-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write each trustee's key share (监票人密钥) to a file of their own here "
                   "(default: print them).")
@with_appcontext
def rounds_open(slug: str, shares_dir: Path | None):
    """Open SLUG for voting: its settings freeze, and its key is made and
    split among its 监票人.  Each share is shown this once; hand it to its
    trustee.

    Example: surveyapp rounds open 7kq3xp2m --shares-dir shares/"""
    round_ = find_round(slug)
    names = ballot_box.trustee_names(round_)
    targets = []
    if shares_dir is not None:
        targets = [shares_dir / f"{slug}-share-{i}-{_safe(name)}.txt"
                   for i, name in enumerate(names, start=1)]
        taken = [str(path) for path in targets if path.exists()]
        if taken:
            fail(f"{taken[0]}: exists already; shares are never overwritten")
        try:
            shares_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            fail(f"{shares_dir}: {error.strerror}")
    threshold = round_.threshold or 1

    def file_text(share) -> str:
        return share_file(share, title=round_.title, slug=slug, name=names[share.index - 1],
                          threshold=threshold, count=len(names))

    written: list[Path] = []

    def write_files(shares) -> None:
        # Before the round opens: a disk that fails here leaves a draft, not
        # an open round whose key is lost.  Each file is its owner's alone.
        for path, share in zip(targets, shares, strict=True):
            with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w",
                      encoding="utf-8") as out:
                written.append(path)
                out.write(file_text(share))

    try:
        shares = rounds.open_round(round_, actor=ACTOR,
                                   deliver=write_files if targets else None)
    except BaseException as error:
        for path in written:  # a key that never opened anything
            path.unlink(missing_ok=True)
        if isinstance(error, OSError):
            fail(f"{error.filename or shares_dir}: {error.strerror}; the round is still a draft")
        if isinstance(error, RoundError):
            fail_with(error)
        raise
    click.echo(f"{slug} {round_.status}; {threshold} of {len(names)} trustees "
               "count it together")
    if targets:
        for path in targets:
            click.echo(f"share written to {path}")
    else:
        click.echo("Hand each trustee their share; it is shown only now:")
        for share in shares:
            click.echo("\n" + file_text(share), nl=False)


def _safe(name: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", name).strip("_") or "trustee"


@rounds_cli.command("count")
@click.argument("slug")
@click.option("--share", "share_files", multiple=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="A trustee's key file (repeat: threshold of them).")
@with_appcontext
def rounds_count(slug: str, share_files: tuple[Path, ...]):
    """开箱计票: open SLUG's ballot box with its 监票人's shares; only the
    sums are decrypted.

    Example: surveyapp rounds count 7kq3xp2m --share a.txt --share b.txt"""
    round_ = find_round(slug)
    texts = []
    try:
        for path in share_files:
            texts.append((str(path), read_text(path, str(path))))  # bounded, UTF-8
    except SpecErrors as error:
        fail_with(error)
    try:
        rounds.check_transition(round_, "count")
        shares = counting.check_shares(round_, texts)
        with click.progressbar(length=1, label="counting", file=sys.stderr) as bar:
            def progress(done: int, total: int) -> None:
                bar.length = max(total, 1)
                bar.update(done - bar.pos)

            counting.count_round(round_, shares, actor=ACTOR, progress=progress)
    except (SpecError, SpecErrors, RoundError) as error:
        fail_with(error)
    click.echo(f"{slug} {round_.status}")


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


rounds_cli.command("close", help="Close SLUG; no more ballots.\n\n"
                                 "Example: surveyapp rounds close 7kq3xp2m")(_move("close"))
rounds_cli.command("publish", help="Publish SLUG's results (公示) with the fields last chosen "
                                   "(default: unit, proposal).\n\n"
                                   "Example: surveyapp rounds publish 7kq3xp2m")(_move("publish"))
rounds_cli.command("unpublish", help="Withdraw SLUG's published results; the round is "
                                     "counted again.\n\n"
                                     "Example: surveyapp rounds unpublish 7kq3xp2m")(
    _move("unpublish"))


@rounds_cli.command("copy")
@click.argument("slug")
@click.option("--title", help="The new round's title (default: the same, each year in it "
                              "one on: 2026年度… becomes 2027年度…).")
@with_appcontext
def rounds_copy(slug: str, title: str | None):
    """Copy SLUG into a new draft (next year's round) with the same settings,
    groups, criteria, subjects and 监票人, and print the new slug.  Deadlines,
    codes and ballots are not copied.

    Example: surveyapp rounds copy 7kq3xp2m --title 2027年度民主评议党员"""
    round_ = find_round(slug)
    try:
        copy = rounds.copy_round(round_, actor=ACTOR, title=title)
    except (SpecError, SpecErrors, RoundError) as error:
        fail_with(error)
    click.echo(copy.slug)


@rounds_cli.command("follow-up")
@click.argument("slug")
@click.option("--below", help="Take the subjects whose commitment mean is below this share, "
                              "e.g. 0.6 or 3/5 (default: the round's "
                              "commitment_followup_below rule, else 0.6).")
@click.option("--title", help="The new round's title (default: the round's, with "
                              "（限期改正） after it).")
@with_appcontext
def rounds_follow_up(slug: str, below: str | None, title: str | None):
    """Copy the subjects of counted round SLUG whose commitment mean (承诺兑现)
    is below a threshold, with their commitment items, into a new draft: the
    限期改正 follow-up round.  Prints its slug, then each subject taken with
    its mean.  Refused if the round is not counted, has no commitments or no
    subject is below the threshold.

    Example: surveyapp rounds follow-up 7kq3xp2m --below 0.6"""
    round_ = find_round(slug)
    limit = None
    if below is not None:
        limit = share_value(below)
        if limit is None:
            fail(f"--below: expected a share from 0 to 1 such as 0.6 or 3/5, got {below!r}")
    try:
        made, chosen = follow_up.follow_up_round(round_, actor=ACTOR, limit=limit, title=title)
    except RoundError as error:
        fail_with(error)
    click.echo(made.slug)
    for subject, mean in chosen:
        click.echo(f"{subject.key}\t{subject.name}\t{float(mean):.0%}")


@rounds_cli.command("delete")
@click.argument("slug")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def rounds_delete(slug: str, yes: bool):
    """Delete a draft round (one that never opened) with its codes.  Its audit
    events are kept.

    Example: surveyapp rounds delete 7kq3xp2m --yes"""
    round_ = find_round(slug)
    try:
        rounds.check_deletable(round_)
    except RoundError as error:
        fail_with(error)
    if not yes and not click.confirm(f"delete {slug} ({round_.title})?"):
        fail("not deleted")
    rounds.delete_round(round_, actor=ACTOR)
    click.echo(f"{slug} deleted")


@rounds_cli.command("deadline")
@click.argument("slug")
@click.argument("closes_at", required=False)
@click.option("--none", "remove", is_flag=True, help="Remove the deadline.")
@with_appcontext
def rounds_deadline(slug: str, closes_at: str | None, remove: bool):
    """Set or move the deadline of a draft or open round: after CLOSES_AT (local
    time, or with an offset) ballots are refused and codes stay unused.

    Example: surveyapp rounds deadline 7kq3xp2m 2026-12-01T18:00"""
    if (closes_at is None) == (not remove):
        fail("give the deadline, e.g. \"2026-12-01 18:00\", or --none")
    round_ = find_round(slug)
    moment = None
    if closes_at is not None:
        try:
            moment = dt.datetime.fromisoformat(closes_at.strip())
        except ValueError:
            fail(f"closes_at must be a date and time like 2026-12-01T18:00, got {closes_at!r}")
    try:
        deadlines.set_closes_at(round_, moment, actor=ACTOR)
    except RoundError as error:
        fail_with(error)
    shown = deadlines.local(round_.closes_at)
    click.echo(f"{slug} closes at {shown:%Y-%m-%d %H:%M}" if shown else f"{slug} has no deadline")


@rounds_cli.command("spec")
@click.argument("slug")
@with_appcontext
def rounds_spec(slug: str):
    """Print SLUG's settings as a spec file (TOML), to edit and give back to
    `surveyapp rounds update` while the round is a draft: who rates whom is
    each [[groups]] entry's `rates`, a criterion's sub-items its `items`.

    Example: surveyapp rounds spec 7kq3xp2m > round.toml"""
    click.echo(spec_to_toml(rounds.round_spec(find_round(slug))), nl=False)


@rounds_cli.command("update")
@click.argument("slug")
@click.argument("spec", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def rounds_update(slug: str, spec: Path):
    """Replace a draft round's settings with SPEC.toml, checked as
    `rounds create` checks a new round: title, scale, voter groups and whom
    each rates (`rates`), criteria and their sub-items (`items`), subjects,
    监票人 and [rules].  All or nothing; a round that opened refuses.

    Example: surveyapp rounds spec 7kq3xp2m > round.toml; (edit it);
    surveyapp rounds update 7kq3xp2m round.toml"""
    round_ = find_round(slug)
    if not spec.is_file():
        fail(f"{spec}: no such file")
    try:
        parsed = load_spec(spec, **plugins.spec_context())
        plugins.rehearse(parsed, source=str(spec), text=read_text(spec, str(spec)))
        if (deadlines.to_utc(parsed.opens_at), deadlines.to_utc(parsed.closes_at)) != (
                round_.opens_at, round_.closes_at):
            deadlines.check(parsed, source=str(spec))
    except (SpecError, SpecErrors) as error:
        fail_with(error)
    if parsed.template is None and round_.template is not None:
        parsed = dataclasses.replace(parsed, template=round_.template)  # as `rounds spec` wrote
    try:
        rounds.update_settings(round_, parsed, "all", actor=ACTOR)
    except (RoundError, SpecError, SpecErrors) as error:
        fail_with(error)
    click.echo(f"{slug} updated")


@rounds_cli.command("rules")
@click.argument("slug")
@click.option("--set", "assignments", multiple=True, metavar="NAME=VALUE",
              help="Set a rule; the value as in a spec file's [rules] (TOML), or a plain "
                   "word. Repeatable.")
@click.option("--unset", "removals", multiple=True, metavar="NAME",
              help="Remove a rule: its default applies. Repeatable.")
@with_appcontext
def rounds_rules(slug: str, assignments: tuple[str, ...], removals: tuple[str, ...]):
    """Show SLUG's [rules] and every setting the installed plugins declare,
    or change them on a draft (checked as `rounds create` checks a spec).

    Example: surveyapp rounds rules 7kq3xp2m --set excellent_quota=0.3
    --set 'per_ballot_max={ excellent = "1/3" }' --set per_ballot_basis=ballot
    --unset quorum"""
    round_ = find_round(slug)
    spec = rounds.round_spec(round_)
    if not assignments and not removals:
        declared = plugins.rule_settings()
        for name in sorted(set(declared) | set(spec.rules)):
            setting = declared.get(name)
            if name in spec.rules:
                value = rule_settings.toml_value(spec.rules[name])
            elif setting is not None and setting.default is not None:
                value = f"(default: {rule_settings.toml_value(setting.default)})"
            else:
                value = "(not set)"
            about = f"[{setting.kind}] {setting.help}" if setting else "(no plugin declares it)"
            click.echo(f"{name} = {value}  {about}")
        return
    rules = dict(spec.rules)
    for text in assignments:
        try:
            name, value = rule_settings.assignment(text)
        except ValueError as error:
            fail(f"--set {text}: {error}")
        if value is None:
            rules.pop(name, None)
        else:
            rules[name] = value
    for name in removals:
        rules.pop(name.removeprefix("rules."), None)
    try:
        checked = spec_from_dict(spec_to_dict(spec) | {"rules": rules}, source=slug,
                                 **plugins.spec_context())
        plugins.rehearse(checked, source=slug)
        rounds.update_settings(round_, checked, "rules", actor=ACTOR)
    except (SpecError, SpecErrors, RoundError) as error:
        fail_with(error)
    click.echo(f"{slug} rules updated")
