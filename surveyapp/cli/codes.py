"""``surveyapp codes ...``: issue codes for a voter group (as CSV and QR slips),
list the batches, void codes, and re-issue a lost batch."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..domain import codes as code_rules
from ..exports.slips import codes_csv, slips_pdf
from ..services import codes, rounds
from ..services.errors import RoundError
from .common import ACTOR, fail, fail_with, find_round, write_file


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
@click.option("--test", is_flag=True,
              help="Test codes for a test run of a draft (at most 50): their ballots are "
                   "checked, never stored or counted; opening the round deletes them.")
@with_appcontext
def codes_issue(slug: str, group_key: str, count: int, csv_path: Path | None,
                pdf_path: Path | None, test: bool):
    """Issue COUNT single-use codes for a voter group.

    Example: surveyapp codes issue 7kq3xp2m --group members --count 32 --pdf slips.pdf"""
    round_ = find_round(slug)
    _hand_out(round_, csv_path, pdf_path, count,
              lambda **kw: codes.issue(round_, group_key, count, actor=ACTOR, test=test, **kw))


def _hand_out(round_, csv_path: Path | None, pdf_path: Path | None, count: int, make) -> None:
    """Make codes with ``make(deliver=, progress=)`` and write them to the
    files asked for (before they are committed), or print them."""
    base = current_app.config["BASE_URL"]
    written: list[Path] = []
    made: dict[str, str] = {}

    def deliver(plain: list[str], batch: int) -> None:
        # Before the codes are committed: a file that cannot be written
        # takes the codes with it.
        group_key = made["group"] = codes.batch_group(round_, batch).key
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
            plain, _batch = make(deliver=deliver,
                                 progress=lambda done: bar.update(done - bar.pos))
            bar.update(count - bar.pos)
    except RoundError as error:
        fail_with(error)
    group_key = made["group"]
    for path in written:
        click.echo(f"{len(plain)} codes for {group_key} written to {path}")
    if not written:
        click.echo(codes_csv(plain, group=group_key, base_url=base).decode("utf-8-sig"),
                   nl=False)


def _slips(plain: list[str], title: str, base: str, group: str) -> bytes:
    with click.progressbar(length=len(plain), label="printing slips", file=sys.stderr) as bar:
        return slips_pdf(plain, title=title, base_url=base, group=group,
                         progress=lambda done: bar.update(done - bar.pos))


@codes_cli.command("batches")
@click.argument("slug")
@with_appcontext
def codes_batches(slug: str):
    """Each batch of SLUG's codes: its group and how many are unused, used, void.

    Example: surveyapp codes batches 7kq3xp2m"""
    round_ = find_round(slug)
    click.echo("batch\tgroup\tunused\tused\tvoid")
    for row in codes.batches(round_):
        click.echo(f"{row['batch']}\t{row['group'].key}\t{row['issued']}\t{row['used']}\t"
                   f"{row['void']}")


@codes_cli.command("void")
@click.argument("slug")
@click.option("--batch", type=click.IntRange(min=1), help="Void every unused code of a batch.")
@click.option("--codes", "codes_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Void the codes listed in this file (one per line, or as in the CSV).")
@with_appcontext
def codes_void(slug: str, batch: int | None, codes_file: Path | None):
    """Void unused codes of SLUG so they no longer work: a whole batch, or
    the codes listed in a file.  Used codes stay as they are.

    Example: surveyapp codes void 7kq3xp2m --batch 2"""
    if (batch is None) == (codes_file is None):
        fail("give --batch N or --codes FILE")
    round_ = find_round(slug)
    if codes_file is not None:
        plain = _read_codes(codes_file)
    try:
        if batch is not None:
            if not any(row["batch"] == batch for row in codes.batches(round_)):
                fail(f"round {slug} has no batch {batch} (see `surveyapp codes batches {slug}`)")
            done = codes.void_batch(round_, batch, actor=ACTOR)
            click.echo(f"{done} unused codes of batch {batch} voided")
        else:
            done, listed = codes.void_listed(round_, plain, actor=ACTOR)
            click.echo(f"{done} of {listed} codes voided" + (
                "; the others were already used, void or not codes of this round"
                if done < listed else ""))
    except RoundError as error:
        fail_with(error)


def _read_codes(path: Path) -> list[str]:
    """The codes in a file: one per line, or the ``code`` column of a codes
    CSV (as ``codes issue --csv`` writes it).  A line that is not a code is
    bad input, named by its line number."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        fail(f"{path}: {getattr(error, 'strerror', None) or 'not a UTF-8 text file'}")
    is_csv = bool(lines) and lines[0].split(",")[0].strip().lower() == "code"
    plain = []
    for number, line in enumerate(lines, start=1):
        word = line.split(",")[0].strip() if is_csv else line.strip()
        if not word or (is_csv and number == 1):
            continue
        code = code_rules.normalise(word)
        if code is None:
            fail(f"{path}:{number}: not a code: {word[:40]}")
        plain.append(code)
    if not plain:
        fail(f"{path}: no codes in it")
    return plain


@codes_cli.command("reissue")
@click.argument("slug")
@click.option("--batch", type=click.IntRange(min=1), required=True,
              help="The batch whose sheet was lost or spoilt.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the new codes and their URLs here (default: standard output).")
@click.option("--pdf", "pdf_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write printable A4 sheets of the new QR slips here.")
@with_appcontext
def codes_reissue(slug: str, batch: int, csv_path: Path | None, pdf_path: Path | None):
    """Re-issue a lost batch: its unused codes stop working and as many new
    ones are issued for the same group, as a new batch, all at once.

    Example: surveyapp codes reissue 7kq3xp2m --batch 2 --pdf new-slips.pdf"""
    round_ = find_round(slug)
    try:
        unused = codes.replaceable(round_, batch)
    except RoundError as error:
        fail_with(error)
    _hand_out(round_, csv_path, pdf_path, unused,
              lambda **kw: codes.reissue(round_, batch, actor=ACTOR, **kw))
