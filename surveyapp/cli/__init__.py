"""The ``surveyapp`` command (also ``flask --app surveyapp ...``).

Every command that takes user input validates all of it first, prints one
line per problem naming the file, line and field, exits with status 2 and
writes nothing.
"""

from __future__ import annotations

import csv
import io
import sqlite3
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from ..domain.model import SpecError, SpecErrors
from ..domain.paper import parse_paper_ballots
from ..domain.spec import load_spec
from ..extensions import db
from ..models import Organisation, Round, User
from ..plugins import rehearse, spec_context
from ..services import rounds as rounds_service

ACTOR = "cli"


def fail(*lines: str) -> None:
    """Report bad input and stop with exit status 2, rolling back."""
    db.session.rollback()
    for line in lines:
        click.echo(f"error: {line}", err=True)
    sys.exit(2)


def fail_spec(error: SpecError | SpecErrors) -> None:
    errors = error.errors if isinstance(error, SpecErrors) else [error]
    fail(*(str(e) for e in errors))


def find_round(slug: str) -> Round:
    round_ = rounds_service.get_round(slug)
    if round_ is None:
        fail(f"no round with slug {slug!r} (see `surveyapp rounds list`)")
    return round_


# -- rounds -------------------------------------------------------------------

@click.group("rounds", help="Create, list and move rounds through their life.")
def rounds_cli():
    pass


@rounds_cli.command("create")
@click.argument("spec", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--org", help="Organisation name (created if missing).")
@with_appcontext
def rounds_create(spec: Path, org: str | None):
    """Create a draft round from SPEC.toml and print its slug."""
    if not spec.is_file():
        fail(f"{spec}: no such file")
    try:
        parsed = load_spec(spec, **spec_context())
        rehearse(parsed, source=str(spec))
    except (SpecError, SpecErrors) as error:
        fail_spec(error)
    round_ = rounds_service.create_round(parsed, actor=ACTOR, org=find_org(org))
    click.echo(round_.slug)


def find_org(name: str | None) -> Organisation | None:
    if name is None:
        return None
    org = db.session.scalar(select(Organisation).where(Organisation.name == name))
    if org is None:
        org = Organisation(name=name)
        db.session.add(org)
        db.session.flush()
    return org


@rounds_cli.command("list")
@with_appcontext
def rounds_list():
    """One line per round: slug, status, ballots, title."""
    for round_ in db.session.scalars(select(Round).order_by(Round.id)):
        ballots = sum(t["ballots"] for t in rounds_service.turnout(round_).values())
        click.echo(f"{round_.slug}\t{round_.status}\t{ballots}\t{round_.title}")


@rounds_cli.command("show")
@click.argument("slug")
@with_appcontext
def rounds_show(slug: str):
    """The round's settings, groups, turnout and codes."""
    round_ = find_round(slug)
    click.echo(f"{round_.title}\nslug: {round_.slug}  status: {round_.status}  "
               f"access: {round_.access}  anonymity_min: {round_.anonymity_min}")
    click.echo("scale: " + ", ".join(
        f"{o.label}({o.points if o.points is not None else '-'})" for o in round_.options))
    click.echo("criteria: " + ", ".join(f"{c.label}×{c.weight}" for c in round_.criteria))
    turnout = rounds_service.turnout(round_)
    for group in round_.groups:
        t = turnout[group.key]
        expected = t["expected"] if t["expected"] is not None else "?"
        click.echo(f"group {group.key} {group.label} weight {group.weight}: "
                   f"{t['ballots']}/{expected} ballots")
    click.echo(f"subjects: {len(round_.subjects)}")
    codes = rounds_service.code_counts(round_)
    if codes:
        click.echo("codes: " + ", ".join(f"{k} {v}" for k, v in sorted(codes.items())))


def _transition(target: str):
    @click.argument("slug")
    @with_appcontext
    def command(slug: str):
        round_ = find_round(slug)
        try:
            rounds_service.set_status(round_, target, actor=ACTOR)
        except rounds_service.RoundError as error:
            fail(str(error))
        click.echo(f"{slug} {round_.status}")

    return command


rounds_cli.command("open", help="Open SLUG for voting; its settings freeze.")(_transition("open"))
rounds_cli.command("close", help="Close SLUG; no more ballots.")(_transition("closed"))
rounds_cli.command("publish", help="Publish SLUG's results (公示).")(_transition("published"))


# -- codes, ballots, tally ---------------------------------------------------------

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
    try:
        with click.progressbar(length=count, label="issuing", file=sys.stderr) as bar:
            plain = rounds_service.issue_codes(
                round_, group_key, count, actor=ACTOR,
                progress=lambda done: bar.update(done - bar.pos))
            bar.update(count - bar.pos)
    except rounds_service.RoundError as error:
        fail(str(error))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["code", "group", "url"])
    base = current_app.config["BASE_URL"].rstrip("/")
    for code in plain:
        writer.writerow([code, group_key, f"{base}/c/{code}"])
    slips = b""
    if pdf_path:
        from ..exports.slips import slips_pdf

        group_label = rounds_service.group_by_key(round_, group_key).label
        with click.progressbar(length=count, label="printing slips", file=sys.stderr) as bar:
            slips = slips_pdf(plain, title=round_.title, base_url=base, group=group_label,
                              progress=lambda done: bar.update(done - bar.pos))
    written: list[Path] = []
    for path, data in ((csv_path, out.getvalue().encode("utf-8")),
                       (pdf_path, slips)):
        if path:
            try:
                path.write_bytes(data)
            except OSError as error:
                for done in written:  # codes rolled back: their files must go too
                    done.unlink(missing_ok=True)
                fail(f"{path}: {error.strerror}")
            written.append(path)
    db.session.commit()
    for path in written:
        click.echo(f"{count} codes for {group_key} written to {path}")
    if not written:
        click.echo(out.getvalue(), nl=False)


@click.group("ballots", help="Paper ballots.")
def ballots_cli():
    pass


@ballots_cli.command("import")
@click.argument("slug")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def ballots_import(slug: str, file: Path):
    """Import paper ballots from FILE.csv, all or nothing."""
    from ..services.voting.paper import import_paper_ballots

    round_ = find_round(slug)
    if not file.is_file():
        fail(f"{file}: no such file")
    try:
        text = file.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        fail(f"{file}: not UTF-8 text (byte {error.start}); save it as CSV UTF-8")
    try:
        ballots = parse_paper_ballots(text, rounds_service.round_spec(round_), source=str(file))
        imported = import_paper_ballots(round_, ballots, actor=ACTOR, source=str(file))
    except (SpecError, SpecErrors) as error:
        fail_spec(error)
    except rounds_service.RoundError as error:
        fail(str(error))
    click.echo(f"{imported} paper ballots imported into {slug}")


@click.command("tally")
@click.argument("slug")
@click.option("--format", "fmt", default="json", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def tally_cli(slug: str, fmt: str, output: Path | None):
    """The results of a closed round, as JSON on standard output by default."""
    from ..plugins import exporters
    from ..services.results import tally_round

    round_ = find_round(slug)
    if round_.status not in ("closed", "published"):
        fail(f"round {slug} is {round_.status}; results are shown only after it closes")
    available = exporters()
    if fmt not in available:
        fail(f"unknown format {fmt!r}; choose one of: {', '.join(sorted(available))}")
    exporter = available[fmt]
    if output is None and getattr(exporter, "is_binary", False) and sys.stdout.isatty():
        fail(f"{fmt} is a binary file and would garble the terminal; "
             f"write it with -o FILE, e.g. -o results.{exporter.extension}")
    data = exporter.export(tally_round(round_), rounds_service.round_spec(round_))
    if output:
        try:
            output.write_bytes(data)
        except OSError as error:
            fail(f"{output}: {error.strerror}")
        click.echo(f"{fmt} written to {output}")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


# -- users, operations -------------------------------------------------------------

@click.group("users", help="Organiser accounts.")
def users_cli():
    pass


@users_cli.command("create")
@click.argument("name")
@click.option("--admin", "role", flag_value="admin")
@click.option("--secretary", "role", flag_value="secretary")
@click.option("--org", help="Organisation name (created if missing).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def users_create(name: str, role: str | None, org: str | None, password_stdin: bool):
    """Create an organiser account."""
    if role is None:
        fail("choose --admin or --secretary")
    if db.session.scalar(select(User).where(User.username == name)):
        fail(f"user {name!r} exists already")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        fail("password: at least 8 characters, please")
    organisation = find_org(org) or rounds_service.default_org()
    db.session.add(User(username=name, role=role, org_id=organisation.id,
                        password_hash=generate_password_hash(password)))
    rounds_service.audit("user.create", ACTOR, detail=f"{name} ({role})")
    db.session.commit()
    click.echo(f"{role} {name} created")


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_cli(file: Path):
    """Copy the SQLite database to FILE while the service runs."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        fail("backup copies SQLite databases; for PostgreSQL use pg_dump")
    if file.exists():
        fail(f"{file}: exists already; choose a new file name")
    source = sqlite3.connect(url.database)
    target = sqlite3.connect(file)
    with target:
        source.backup(target)  # SQLite's online backup: consistent while others write
    target.close()
    source.close()
    click.echo(f"backed up to {file}")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes.  [default: 2 per CPU]")
@click.option("--threads", type=click.IntRange(min=1), default=1, show_default=True,
              help="Threads per worker.")
@with_appcontext
def serve_cli(host: str, port: int, workers: int | None, threads: int):
    """Apply migrations and serve with gunicorn (no access log: see README)."""
    from ..web.serve import default_workers, run

    upgrade()
    run(current_app._get_current_object(), host=host, port=port,
        workers=workers or default_workers(), threads=threads)


@click.command("demo")
@with_appcontext
def demo_cli():
    """A demo organisation, round and codes; prints URLs and a QR code."""
    from ..services.demo import make_demo

    upgrade()
    make_demo(echo=click.echo)


def register_commands(app) -> None:
    for command in (rounds_cli, codes_cli, ballots_cli, tally_cli, users_cli, backup_cli,
                    serve_cli, demo_cli):
        app.cli.add_command(command)
    from ..plugins import plugins_cli

    app.cli.add_command(plugins_cli)
    from ..services.schema import guard_commands

    guard_commands(app)  # a missing, older or newer schema stops a command with a clear line


def _create_app():
    from .. import create_app

    return create_app()


main = FlaskGroup(create_app=_create_app, add_version_option=True,
                  help="surveyapp: anonymous appraisal and voting rounds.")
