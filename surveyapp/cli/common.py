"""What every command shares: how a refusal is reported (one line per
problem, exit status 2, nothing written) and how a round is found."""

from __future__ import annotations

import sys
from typing import NoReturn

import click

from ..domain.model import SpecError, SpecErrors
from ..models import Round
from ..services import rounds
from ..services.errors import ServiceError

#: Who the audit log says did what the command line did.
ACTOR = "cli"


def fail(*lines: str) -> NoReturn:
    """Report bad input and stop with exit status 2."""
    for line in lines:
        click.echo(f"error: {line}", err=True)
    sys.exit(2)


def fail_with(error: SpecError | SpecErrors | ServiceError) -> NoReturn:
    """A spec's, a file's or a service's refusal, one line per problem."""
    errors = error.errors if isinstance(error, SpecErrors) else [error]
    fail(*(str(e) for e in errors))


def find_round(slug: str) -> Round:
    round_ = rounds.get_round(slug)
    if round_ is None:
        fail(f"no round with slug {slug!r} (see `surveyapp rounds list`)")
    return round_


def write_file(path, data: bytes) -> None:
    """Write ``data``; a path that cannot be written is bad input."""
    try:
        path.write_bytes(data)
    except OSError as error:
        fail(f"{path}: {error.strerror}")


def refuse_binary_on_terminal(fmt: str, binary: bool, output, example: str) -> None:
    """Bad input: a binary file (XLSX, PDF) bound for a terminal, which it
    would garble; ``example`` names a file to suggest, e.g. ``report.pdf``."""
    if output is None and binary and sys.stdout.isatty():
        fail(f"{fmt} is a binary file and would garble the terminal; "
             f"write it with -o FILE, e.g. -o {example}")


def emit(data: bytes, fmt: str, output) -> None:
    """An export to the file asked for (saying so), or to standard output."""
    if output:
        write_file(output, data)
        click.echo(f"{fmt} written to {output}")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
